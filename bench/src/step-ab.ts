/**
 * `npm run bench:step -w @mtl/bench`: the toy training step five ways, each change
 * of the trainer's second speed-up round added to the one before, in one process on
 * the same batch (5000 rows of the toy set). The variants take turns step by step
 * (A, B, C, D, E, A, ...), so machine load hits them alike. Prints kernel calls
 * per step (tf.profile) and the median ms per step, and writes
 * bench/results/toy-step.json. Flags: --steps N (300), --backend wasm|cpu (wasm).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadBackend, maskedBinaryCrossentropy, tf, type BackendName } from '@mtl/core';
import { checkTfjsInternals, denseChainStep, FusedAdamOptimizer, hostMaskedBceGradient, tapeLossGradient, useFastWasmKernels } from '@mtl/core/internal';
import { buildToyModel, TOY_TASKS } from 'toy';
import { machineInfo } from './machine.js';
import { median } from './stats.js';
import { TOY_BATCH, toyTrainingSet } from './toy-dataset.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '300' }, backend: { type: 'string', default: 'wasm' } } });
const steps = Number(values.steps);
if (!Number.isInteger(steps) || steps < 10) throw new Error(`--steps ${values.steps}: expected a whole number of at least 10`);
const backend = await loadBackend({ request: values.backend as BackendName, requestedBy: `--backend ${values.backend}` });
const internals = checkTfjsInternals();
// The variants call the fast paths directly, verified or not: say when the numbers are of an unverified tfjs.
if (!internals.verified)
  console.log(`note: tfjs-core ${internals.installed}, the fast paths were verified against ${internals.verifiedVersion}; the wasm kernels stay stock`);
if (tf.getBackend() === 'wasm') useFastWasmKernels();

const train = toyTrainingSet();
const x = tf.tensor2d(train.x.data.subarray(0, TOY_BATCH * 2), [TOY_BATCH, 2]);
const y = tf.tensor2d(train.y.data.subarray(0, TOY_BATCH * 3), [TOY_BATCH, 3]);
const loss = (yTrue: tf.Tensor, yPred: tf.Tensor) => maskedBinaryCrossentropy(yTrue, yPred);

/** The toy model as the builder made it before: one Dense(1) per head, joined by a concatenate layer. */
function separateHeadsModel(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [2] });
  let h = input;
  [10, 40, 30].forEach((units, i) => {
    h = tf.layers.dense({ units, activation: 'relu', kernelInitializer: init(i) }).apply(h) as tf.SymbolicTensor;
  });
  const heads = TOY_TASKS.map((_, k) => tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(3 + k) }).apply(h) as tf.SymbolicTensor);
  return tf.model({ inputs: input, outputs: tf.layers.concatenate().apply(heads) as tf.SymbolicTensor });
}

function minimizeStep(model: tf.LayersModel, optimizer: tf.Optimizer): () => number {
  return () => tf.tidy(() => optimizer.minimize(() => loss(y, model.apply(x, { training: true }) as tf.Tensor), true)!.dataSync()[0]!);
}

function chainStep(model: tf.LayersModel, onHost: boolean): () => number {
  const step = denseChainStep(model)!;
  const optimizer: tf.Optimizer = new FusedAdamOptimizer(0.001);
  const lossGradient = onHost ? hostMaskedBceGradient() : tapeLossGradient(loss);
  return () =>
    tf.tidy(() => {
      const result = step(x, y, lossGradient);
      optimizer.applyGradients(result.grads);
      return result.loss;
    });
}

const variants: Array<{ name: string; run: () => number }> = [
  { name: 'A. tf.train.adam, minimize, one layer per head (first round)', run: minimizeStep(separateHeadsModel(), tf.train.adam(0.001)) },
  { name: 'B. A + FusedAdamOptimizer', run: minimizeStep(separateHeadsModel(), new FusedAdamOptimizer(0.001)) },
  { name: 'C. B + heads as one Dense(3) layer', run: minimizeStep(buildToyModel(TOY_TASKS, 0), new FusedAdamOptimizer(0.001)) },
  { name: 'D. C + denseChainStep (no tape)', run: chainStep(buildToyModel(TOY_TASKS, 0), false) },
  { name: 'E. D + masked loss on the host (the trainer now)', run: chainStep(buildToyModel(TOY_TASKS, 0), true) },
];

const kernels: number[] = [];
for (const v of variants) {
  for (let i = 0; i < 10; i++) v.run();
  const profile = await tf.profile(() => {
    for (let i = 0; i < 5; i++) v.run();
  });
  kernels.push(profile.kernels.length / 5);
}
const times = variants.map(() => [] as number[]);
for (let i = 0; i < steps; i++) {
  variants.forEach((v, k) => {
    const started = performance.now();
    v.run();
    times[k]!.push(performance.now() - started);
  });
}
const ms = times.map((t) => median(t));
const rows = variants.map((v, k) => ({
  variant: v.name,
  kernelsPerStep: kernels[k]!,
  msPerStep: ms[k]!,
  vsPrevious: k === 0 ? 1 : ms[k]! / ms[k - 1]!,
  vsFirst: ms[k]! / ms[0]!,
}));

console.log(`toy training step, batch ${TOY_BATCH}, backend ${backend.name}; median of ${steps} steps each, variants alternating\n`);
console.log('| variant | kernels per step | ms per step | vs previous | vs A |\n|---|---:|---:|---:|---:|');
for (const r of rows)
  console.log(`| ${r.variant} | ${r.kernelsPerStep} | ${r.msPerStep.toFixed(2)} | ${r.vsPrevious.toFixed(2)}x | ${r.vsFirst.toFixed(2)}x |`);
const results = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
mkdirSync(results, { recursive: true });
writeFileSync(join(results, 'toy-step.json'), `${JSON.stringify({ machine: machineInfo(), backend: backend.name, batch: TOY_BATCH, steps, rows }, null, 2)}\n`);
