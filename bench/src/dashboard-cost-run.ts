/**
 * Child of the dashboard-cost benchmark: one toy training run (wasm, 87,300
 * rows, batch 5000) whose epochs go in blocks of BLOCK to the live Ink
 * reporter, drawing into a fake 160x50 terminal, then to the plain reporter
 * writing nowhere, and so on. Alternating inside one run cancels the drift of a
 * shared machine. An epoch's time is the wall time between two epoch events, so
 * it includes the redraws that follow an epoch; the first epoch of each block
 * is left out, since a redraw scheduled by the other reporter can land in it.
 * Prints RESULT {live: [s...], plain: [s...]}.
 */
import { PassThrough, Writable } from 'node:stream';
import { loadBackend, TrainingControl, trainMultiTask, type TrainerEvent } from '@mtl/core';
import { buildToyModel, TOY_TASKS } from 'toy';
import { TOY_BATCH, toyTrainingSet } from './toy-dataset.js';

interface Reporter {
  onEvent(event: TrainerEvent): void;
  close(): Promise<void>;
}
interface DashboardModule {
  createReporter(options: Record<string, unknown>): Reporter;
}

// Typed `string` so that the import is checked at run time, not compile time:
// the installed @mtl/dashboard may be a build without createReporter.
const DASHBOARD: string = '@mtl/dashboard';
const epochs = Number(process.argv[2] ?? 11);
let dashboard: DashboardModule;
try {
  dashboard = (await import(DASHBOARD)) as DashboardModule;
  if (typeof dashboard.createReporter !== 'function') throw new Error('no createReporter export');
} catch (error) {
  console.log(`SKIP @mtl/dashboard has no usable createReporter (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  process.exit(0);
}

await loadBackend({ request: 'wasm' });
const terminal = Object.assign(new Writable({ write: (_chunk, _encoding, done) => done() }), { isTTY: true, columns: 160, rows: 50 });
const stdin = Object.assign(new PassThrough(), { isTTY: false });
const control = new TrainingControl();
const live = dashboard.createReporter({ app: 'toy', live: true, control, stdout: terminal, stdin, handleSignals: false, env: {} });
const plain = dashboard.createReporter({ app: 'toy', live: false, control, write: () => {}, handleSignals: false, env: {} });
const times = { live: [] as number[], plain: [] as number[] };
let epoch = 1;
const BLOCK = 4;
// Epoch 1 warms up; then blocks of BLOCK epochs, live first.
const liveEpoch = (e: number) => e > 1 && Math.floor((e - 2) / BLOCK) % 2 === 0;
const firstOfBlock = (e: number) => (e - 2) % BLOCK === 0;
let lastEpochAt = 0;

await trainMultiTask(buildToyModel(TOY_TASKS, 0), toyTrainingSet(), {
  taskNames: TOY_TASKS,
  epochs,
  batchSize: TOY_BATCH,
  learningRate: 0.001,
  seed: 0,
  control,
  onEvent: (e) => {
    if (e.type === 'batch') epoch = e.epoch;
    const header = e.type === 'start';
    if (header || liveEpoch(epoch)) live.onEvent(e);
    if (header || !liveEpoch(epoch)) plain.onEvent(e);
    if (e.type === 'epoch') {
      const now = performance.now();
      if (e.epoch > 1 && !firstOfBlock(e.epoch)) (liveEpoch(e.epoch) ? times.live : times.plain).push((now - lastEpochAt) / 1000);
      lastEpochAt = now;
    }
  },
});
await live.close();
await plain.close();
console.log(`RESULT ${JSON.stringify(times)}`);
