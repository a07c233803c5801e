// Keras style: the masked loss in model.compile, then model.fit.
// Run from the repository root after `npm run build`: node packages/core/examples/model-fit.mjs
import { buildMultiHeadModel, createMatrix, createRng, dropLabels, loadBackend, maskedLoss, maskedMetrics, predictProbabilities, tf } from '@mtl/core';

const backend = await loadBackend(); // tfjs-node if installed, else wasm, else cpu
console.log(`backend ${backend.name} (${backend.reason})`);

// Two tasks on 2 features: a = x0 > 0, b = x0 + x1 > 0. Half of each task's labels dropped (-1).
const rng = createRng(1);
const rows = 4000;
const x = createMatrix(rows, 2);
const y = createMatrix(rows, 2);
for (let r = 0; r < rows; r++) {
  const [x0, x1] = [rng.next() * 2 - 1, rng.next() * 2 - 1];
  x.data.set([x0, x1], r * 2);
  y.data.set([x0 > 0 ? 1 : 0, x0 + x1 > 0 ? 1 : 0], r * 2);
}
const { labels, dropped } = dropLabels(y, 0.5, rng);
console.log(`labels dropped per task: ${dropped.join(', ')}`);

const model = buildMultiHeadModel({ inputSize: 2, trunk: [{ units: 16 }], heads: [{ name: 'a' }, { name: 'b' }], seed: 0 });
model.compile({ optimizer: tf.train.adam(0.02), loss: maskedLoss() });
await model.fit(tf.tensor2d(x.data, [rows, 2]), tf.tensor2d(labels.data, [rows, 2]), { epochs: 20, batchSize: 200, verbose: 0 });

// Score on the full labels: metrics skip -1 entries, so partial labels work here too.
for (const task of maskedMetrics(y, predictProbabilities(model, x), ['a', 'b'])) {
  console.log(`${task.name}: labelled ${task.labelled}, accuracy ${task.accuracy?.toFixed(3)}, AUC ${task.auc?.toFixed(3)}`);
}
