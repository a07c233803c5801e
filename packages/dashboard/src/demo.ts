import { TrainingControl } from '@mtl/core';
import { parseArgs } from 'node:util';
import { createReporter } from './reporter.js';
import { runSyntheticTraining } from './synthetic-run.js';

/**
 * Trains on synthetic data with the reporter, to try the dashboard by hand:
 * `node packages/dashboard/dist/demo.js --epochs 30` (add --plain for lines).
 */
const { values } = parseArgs({
  options: { epochs: { type: 'string', default: '30' }, rows: { type: 'string', default: '4000' }, plain: { type: 'boolean', default: false } },
});
const control = new TrainingControl();
const reporter = createReporter({ app: 'dashboard-demo', control, ...(values.plain ? { live: false } : {}) });
try {
  const result = await runSyntheticTraining({ epochs: Number(values.epochs), rows: Number(values.rows), panelEvery: 3, stage: true, control, onEvent: (e) => reporter.onEvent(e) });
  await reporter.close();
  console.log(result.stopped ? `stopped after epoch ${result.stopped.epoch}: ${result.stopped.reason}` : `finished ${result.history.length} epochs`);
} catch (error) {
  await reporter.close();
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
