import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadBackend } from './backend.js';
import { DENSE_CHAIN_SOURCE_SHA256 } from './dense-chain-wasm.js';
import { denseChainStep, hostMaskedBceGradient } from './dense-chain-step.js';
import { FusedAdamOptimizer } from './fused-adam.js';
import { HostChain, hostChainRefusal } from './host-chain.js';
import { ChainThread } from './host-chain-thread.js';
import type { MaskedLossOptions } from './masked-loss.js';
import { createMatrix, type Matrix } from './matrix.js';
import { buildMultiHeadModel, type MultiHeadSpec } from './model-builder.js';
import { createRng, permutation } from './rng.js';
import { trainMultiTask } from './trainer.js';
import { useFastWasmKernels } from './wasm-kernels.js';

beforeAll(async () => {
  await loadBackend({ request: 'wasm' });
  useFastWasmKernels();
});

/** Rows of features in [-1, 1) and labels that follow them, 30 % missing (-1), a few NaN (missing too). */
function data(rows: number, features: number, tasks: number, seed: number): { x: Matrix; y: Matrix } {
  const rng = createRng(seed);
  const x = Float32Array.from({ length: rows * features }, () => rng.next() * 2 - 1);
  const y = Float32Array.from({ length: rows * tasks }, (_, i) => {
    const draw = rng.next();
    if (draw < 0.3) return -1;
    if (draw < 0.32) return NaN;
    return x[Math.floor(i / tasks) * features + (i % features)]! > 0 ? 1 : 0;
  });
  return { x: createMatrix(rows, features, x), y: createMatrix(rows, tasks, y) };
}

const TOY: MultiHeadSpec = {
  inputSize: 2,
  trunk: [{ units: 10 }, { units: 40 }, { units: 30 }],
  heads: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
  seed: 1,
};
const ODD: MultiHeadSpec = {
  inputSize: 7,
  trunk: [{ units: 13 }, { units: 5, activation: 'linear' }, { units: 9 }],
  heads: [{ name: 'p' }, { name: 'q' }, { name: 'r' }, { name: 's' }, { name: 't' }],
  seed: 3,
};
const LINEAR: MultiHeadSpec = { inputSize: 33, trunk: [], heads: [{ name: 'IE' }, { name: 'NS' }, { name: 'TF' }, { name: 'JP' }], seed: 5 };

function rowsOf(m: Matrix, ids: Int32Array): tf.Tensor2D {
  const out = new Float32Array(ids.length * m.cols);
  ids.forEach((r, i) => out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
  return tf.tensor2d(out, [ids.length, m.cols]);
}

/** `steps` Adam steps of tfjs (the tape-free step and fused Adam) over batches of the order; the losses. */
function tfjsSteps(model: tf.LayersModel, train: { x: Matrix; y: Matrix }, order: Int32Array, batch: number, steps: number, loss: MaskedLossOptions) {
  const optimizer: tf.Optimizer = new FusedAdamOptimizer(0.01);
  const step = denseChainStep(model)!;
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const ids = order.subarray(s * batch, (s + 1) * batch);
    tf.tidy(() => {
      const { loss: value, grads } = step(rowsOf(train.x, ids), rowsOf(train.y, ids), hostMaskedBceGradient(loss));
      optimizer.applyGradients(grads);
      losses.push(value);
    });
  }
  return { losses, optimizer };
}

function chainSteps(
  model: tf.LayersModel,
  train: { x: Matrix; y: Matrix },
  order: Int32Array,
  batch: number,
  steps: number,
  options: { loss: MaskedLossOptions; threads?: 1 | 2 },
) {
  const optimizer = new FusedAdamOptimizer(0.01);
  const chain = HostChain.create(model, train, { ...options, batchSize: batch })!;
  try {
    chain.pull(optimizer);
    chain.order(order);
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) losses.push(chain.step(s * batch, Math.min(order.length, (s + 1) * batch), optimizer));
    chain.push(optimizer);
    return { losses, optimizer, threads: chain.threads };
  } finally {
    chain.dispose();
  }
}

const weights = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('HostChain', () => {
  it.each([
    ['the toy model', TOY, {}],
    ['odd widths, a linear hidden layer, task and positive weights', ODD, { taskWeights: [1, 2, 0.5, 1, 3], positiveWeights: [2, 1, 0.25, 4, 1] }],
    ['linear heads on 33 inputs (the MBTI default shape)', LINEAR, { positiveWeights: [0.3, 0.1, 1.2, 1.6] }],
  ] as const)('trains %s as tfjs does, to float32 rounding', async (_name, spec, loss) => {
    const train = data(301, spec.inputSize, spec.heads.length, 7);
    const order = permutation(train.x.rows, createRng(2));
    const reference = buildMultiHeadModel(spec);
    const ours = buildMultiHeadModel(spec);
    const a = tfjsSteps(reference, train, order, 60, 5, loss);
    const b = chainSteps(ours, train, order, 60, 5, { loss });
    for (const [i, value] of a.losses.entries()) expect(b.losses[i]).toBeCloseTo(value, 6);
    const [wa, wb] = [weights(reference), weights(ours)];
    for (const [i, w] of wa.entries()) for (const [j, v] of w.entries()) expect(Math.abs(wb[i]![j]! - v)).toBeLessThan(2e-6 * Math.max(1, Math.abs(v)));
    // Adam's state comes back where tfjs keeps it: checkpoints hold the same.
    const [sa, sb] = await Promise.all([a.optimizer, b.optimizer].map((o) => o.getWeights()));
    // Same slots as tfjs' (each model's variables have their own unique names).
    const slots = (model: tf.LayersModel) => [
      'iter',
      ...['m', 'v'].flatMap((k) => model.trainableWeights.map((w) => `${(w.read() as tf.Variable).name}/${k}`)),
    ];
    expect(sa!.map((w) => w.name)).toEqual(slots(reference));
    expect(sb!.map((w) => w.name)).toEqual(slots(ours));
    expect(b.optimizer.iterations).toBe(5);
    for (const [i, w] of sa!.entries()) {
      const [va, vb] = [w.tensor.dataSync(), sb![i]!.tensor.dataSync()];
      for (const [j, v] of va.entries()) expect(Math.abs(vb[j]! - v)).toBeLessThan(1e-5 * Math.max(1, Math.abs(v)));
    }
  });

  it('predicts what model.predict gives, to float32 rounding, in chunks', () => {
    const train = data(300, 7, 5, 23);
    const model = buildMultiHeadModel(ODD);
    chainSteps(model, train, permutation(300, createRng(8)), 100, 3, { loss: {} });
    const chain = HostChain.create(model, train, { batchSize: 100 })!;
    chain.pull(new FusedAdamOptimizer(0.01));
    const ours = chain.predict(train.x, 64);
    chain.dispose();
    const theirs = tf.tidy(() => (model.predict(tf.tensor2d(train.x.data, [300, 7])) as tf.Tensor).dataSync());
    expect([ours.rows, ours.cols]).toEqual([300, 5]);
    for (const [i, v] of theirs.entries()) expect(Math.abs(ours.data[i]! - v)).toBeLessThan(1e-6);
    expect(() => chain.predict(createMatrix(2, 3))).toThrow(/3 features, but the model takes 7/);
  });

  it('gives the same weights, bit for bit, on one thread and on two', () => {
    const train = data(2000, 2, 3, 11);
    const order = permutation(train.x.rows, createRng(4));
    const [one, two] = [buildMultiHeadModel(TOY), buildMultiHeadModel(TOY)];
    const a = chainSteps(one, train, order, 512, 4, { loss: {}, threads: 1 });
    const b = chainSteps(two, train, order, 512, 4, { loss: {}, threads: 2 });
    expect([a.threads, b.threads]).toEqual([1, 2]);
    expect(b.losses).toEqual(a.losses);
    expect(weights(two)).toEqual(weights(one));
  });

  it('does without a second thread that cannot start (closed; the caller computes both halves)', () => {
    const broken = new ChainThread({}, new ArrayBuffer(0), { chain: 0, weights: 0, grad: 0, ids: 0, params: 4, rows: 4 }, 2000);
    expect(broken.usable()).toBe(false);
    expect(broken.usable()).toBe(false);
  });

  it('resumes exactly: push, a new chain pulls, and the weights are those of an unbroken run', () => {
    const train = data(400, 7, 5, 13);
    const order = permutation(train.x.rows, createRng(6));
    const unbroken = buildMultiHeadModel(ODD);
    chainSteps(unbroken, train, order, 50, 8, { loss: {} });
    const broken = buildMultiHeadModel(ODD);
    const optimizer = new FusedAdamOptimizer(0.01);
    for (const [from, to] of [
      [0, 3],
      [3, 8],
    ]) {
      const chain = HostChain.create(broken, train, { loss: {}, batchSize: 50 })!;
      chain.pull(optimizer);
      chain.order(order);
      for (let s = from!; s < to!; s++) chain.step(s * 50, (s + 1) * 50, optimizer);
      chain.push(optimizer);
      chain.dispose();
    }
    expect(weights(broken)).toEqual(weights(unbroken));
  });

  it('gives a NaN loss when an input is NaN, so the trainer stops', async () => {
    const train = data(64, 2, 3, 17);
    train.x.data[10] = NaN;
    await expect(trainMultiTask(buildMultiHeadModel(TOY), train, { taskNames: ['a', 'b', 'c'], epochs: 1, batchSize: 64 })).rejects.toThrow(/not finite|NaN/i);
  });

  it('trains through the trainer as the tfjs path does (and takes the host chain only when asked)', async () => {
    const train = data(3000, 2, 3, 19);
    const options = { taskNames: ['a', 'b', 'c'], epochs: 3, batchSize: 1000, learningRate: 0.01, seed: 3 };
    const steps = vi.spyOn(HostChain.prototype, 'step');
    const runs: Array<{ model: tf.LayersModel; losses: number[]; chainSteps: number }> = [];
    for (const hostChain of [false, true]) {
      steps.mockClear();
      const model = buildMultiHeadModel(TOY);
      const { history } = await trainMultiTask(model, train, { ...options, hostChain });
      runs.push({ model, losses: history.map((h) => h.trainLoss), chainSteps: steps.mock.calls.length });
    }
    steps.mockRestore();
    expect(runs.map((r) => r.chainSteps)).toEqual([0, 3 * 3]);
    for (const [i, loss] of runs[0]!.losses.entries()) expect(runs[1]!.losses[i]).toBeCloseTo(loss, 5);
    const [wa, wb] = [weights(runs[0]!.model), weights(runs[1]!.model)];
    for (const [i, w] of wa.entries()) for (const [j, v] of w.entries()) expect(Math.abs(wb[i]![j]! - v)).toBeLessThan(1e-5 * Math.max(1, Math.abs(v)));
  });

  it('refuses what it cannot train, and says why', () => {
    const x = createMatrix(4, 3);
    const model = (spec: Partial<MultiHeadSpec>) => buildMultiHeadModel({ inputSize: 3, trunk: [{ units: 4 }], heads: [{ name: 'a' }], seed: 1, ...spec });
    expect(hostChainRefusal(model({}), x, {})).toBeUndefined();
    expect(hostChainRefusal(model({ trunk: [{ units: 4, dropout: 0.5 }] }), x, {})).toBe('dropout');
    expect(hostChainRefusal(model({ trunk: [{ units: 4, activation: 'tanh' }] }), x, {})).toMatch(/hidden activation/);
    expect(hostChainRefusal(model({ trunk: [{ units: 600 }] }), x, {})).toMatch(/wider than 512/);
    expect(hostChainRefusal(model({}), x, { fromLogits: true })).toMatch(/logits/);
  });

  it('runs the WebAssembly built from the C source in the repo (rebuild: npm run build:wasm -w @mtl/core)', () => {
    const source = readFileSync(new URL('../native/dense-chain.c', import.meta.url));
    expect(createHash('sha256').update(source).digest('hex')).toBe(DENSE_CHAIN_SOURCE_SHA256);
  });
});
