// The trainer: dev metrics every epoch, events, a checkpoint, a graceful stop; then save, load and predict.
// Run from the repository root after `npm run build`: node packages/core/examples/trainer.mjs [out-dir]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildMultiHeadModel,
  createMatrix,
  createRng,
  dropLabels,
  loadBackend,
  loadModel,
  predictProbabilities,
  saveModel,
  splitIndices,
  takeRows,
  TrainingControl,
  trainMultiTask,
} from '@mtl/core';

await loadBackend();
const out = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'mtl-example-'));
const tasks = ['a', 'b', 'c'];

// Three tasks on 3 features; 60 % of the labels missing.
const rng = createRng(7);
const rows = 6000;
const x = createMatrix(rows, 3);
const y = createMatrix(rows, 3);
for (let r = 0; r < rows; r++) {
  const v = [rng.next() * 2 - 1, rng.next() * 2 - 1, rng.next() * 2 - 1];
  x.data.set(v, r * 3);
  y.data.set([v[0] > 0, v[1] > v[2], v[0] * v[1] > 0].map(Number), r * 3);
}
const split = splitIndices(rows, { train: 0.8, dev: 0.1, test: 0.1 }, rng);
const train = { x: takeRows(x, split.train), y: dropLabels(takeRows(y, split.train), 0.6, rng).labels };
const dev = { x: takeRows(x, split.dev), y: takeRows(y, split.dev) };

const model = buildMultiHeadModel({ inputSize: 3, trunk: [{ units: 32 }, { units: 16 }], heads: tasks.map((name) => ({ name })), seed: 0 });
const control = new TrainingControl(); // control.requestStop() from a key or signal handler stops after the batch
process.once('SIGINT', () => control.requestStop('SIGINT received'));
const result = await trainMultiTask(model, train, {
  taskNames: tasks,
  epochs: 15,
  batchSize: 256,
  learningRate: 0.01,
  seed: 0,
  dev,
  control,
  checkpoint: { path: join(out, 'checkpoint.json'), fingerprint: { example: 'trainer' } }, // add resume: true to continue
  onEvent: (e) => {
    if (e.type === 'epoch')
      console.log(
        `epoch ${e.epoch}: loss ${e.trainLoss.toFixed(4)}, dev ${e.devLoss?.toFixed(4)} | ${e.tasks.map((t) => `${t.name} AUC ${t.auc?.toFixed(3)}`).join(', ')}`,
      );
  },
});
console.log(result.stopped ? `stopped: ${result.stopped.reason}` : `trained ${result.history.length} epochs`);

await saveModel(join(out, 'model'), model, { app: 'example', taskNames: tasks });
const { model: loaded, meta } = await loadModel(join(out, 'model'), 'example'); // checks the files' hashes and the app
const test = takeRows(x, split.test);
const probs = predictProbabilities(loaded, test);
console.log(`loaded ${meta.taskNames.join(', ')}; first test row: ${Array.from(probs.data.subarray(0, 3), (p) => p.toFixed(3)).join(' ')}`);
