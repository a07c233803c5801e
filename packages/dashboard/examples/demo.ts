import { TrainingControl } from '@mtl/core';
import { createReporter } from '@mtl/dashboard';
import { parseArgs } from 'node:util';
import { runSyntheticTraining } from './synthetic-run.js';

/**
 * Trains on synthetic data with the reporter, to try the dashboard by hand:
 * `node packages/dashboard/dist/examples/demo.js --epochs 30` (add --plain for lines,
 * --stage-seconds 30 for a preparation stage long enough to get progress lines).
 */
const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '30' },
    rows: { type: 'string', default: '4000' },
    plain: { type: 'boolean', default: false },
    'stage-seconds': { type: 'string', default: '1' },
  },
});
const control = new TrainingControl();
const reporter = createReporter({ app: 'dashboard-demo', control, ...(values.plain ? { live: false } : {}) });
try {
  const result = await runSyntheticTraining({
    epochs: Number(values.epochs),
    rows: Number(values.rows),
    panelEvery: 3,
    stage: true,
    stageSeconds: Number(values['stage-seconds']),
    control,
    onEvent: (e) => reporter.onEvent(e),
  });
  await reporter.close();
  console.log(result.stopped ? `stopped after epoch ${result.stopped.epoch}: ${result.stopped.reason}` : `finished ${result.history.length} epochs`);
} catch (error) {
  await reporter.close();
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
