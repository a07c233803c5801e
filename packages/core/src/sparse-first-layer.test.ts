import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { denseChainStep, hostMaskedBceGradient, tapeLossGradient } from './dense-chain-step.js';
import { dropoutLayers, seedDropout } from './dropout-seeds.js';
import { maskedBinaryCrossentropy } from './masked-loss.js';
import { buildMultiHeadModel, type MultiHeadSpec } from './model-builder.js';
import { createRng } from './rng.js';
import { nonzeroShare, sparseMatMul, sparseRows, sparseTransposedMatMul } from './sparse-rows.js';
import { useFastWasmKernels } from './wasm-kernels.js';

/** Fingerprint-like inputs: each value nonzero with probability `density`, 1 (bits) or a small count. */
function sparseBatch(rows: number, features: number, tasks: number, options: { seed: number; density: number; counts?: boolean }) {
  const rng = createRng(options.seed);
  const x = Float32Array.from({ length: rows * features }, () => (rng.next() < options.density ? (options.counts ? 1 + Math.floor(rng.next() * 4) : 1) : 0));
  const y = Float32Array.from({ length: rows * tasks }, (_, i) => (rng.next() < 0.3 ? -1 : x[Math.floor(i / tasks) * features + (i % 7)]! > 0 ? 1 : 0));
  return { values: x, x: tf.tensor2d(x, [rows, features]), y: tf.tensor2d(y, [rows, tasks]) };
}

/** The builder's model with nonzero biases (fresh ones are zeros, which would hide a forgotten bias). */
function modelWithBiases(spec: MultiHeadSpec): tf.LayersModel {
  const model = buildMultiHeadModel(spec);
  const rng = createRng(spec.seed ?? 0);
  model.setWeights(model.getWeights().map((w) => (w.rank === 1 ? tf.tensor1d(Array.from({ length: w.size }, () => rng.next() - 0.5)) : w)));
  return model;
}

/** |a - b| within float32 rounding of sums of this size, relative to the largest magnitude. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const scale = Math.max(1e-30, ...Array.from(expected, Math.abs));
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!), `${what}[${i}]`).toBeLessThanOrEqual(2e-6 * scale);
}

const masked = (yTrue: tf.Tensor, yPred: tf.Tensor) => maskedBinaryCrossentropy(yTrue, yPred, { positiveWeights: [3, 1, 0.5] });

const specs: Array<[string, MultiHeadSpec, boolean]> = [
  [
    'relu trunk with dropout, binary inputs (the mtl default)',
    { inputSize: 96, trunk: [{ units: 32, dropout: 0.25 }], heads: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], seed: 1 },
    false,
  ],
  [
    'two relu layers, count inputs',
    { inputSize: 80, trunk: [{ units: 24 }, { units: 8 }], heads: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], seed: 2 },
    true,
  ],
  ['tanh first layer', { inputSize: 64, trunk: [{ units: 16, activation: 'tanh' }], heads: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], seed: 3 }, true],
  ['linear first layer', { inputSize: 64, trunk: [{ units: 12, activation: 'linear' }], heads: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], seed: 4 }, false],
  [
    'sigmoid first layer',
    { inputSize: 64, trunk: [{ units: 12, activation: 'sigmoid' }], heads: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], seed: 5 },
    false,
  ],
  ['no trunk: the heads are the first layer', { inputSize: 50, trunk: [], heads: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], seed: 6 }, true],
];

describe('sparse rows', () => {
  it('keep the nonzero entries in row then column order', () => {
    const m = sparseRows(Float32Array.from([0, 2, 0, 0, 0, 0, 1, 0, 3]), 3, 3);
    expect(Array.from(m.rowStart)).toEqual([0, 1, 1, 3]);
    expect(Array.from(m.columns)).toEqual([1, 0, 2]);
    expect(Array.from(m.values)).toEqual([2, 1, 3]);
    expect(nonzeroShare({ rows: 3, cols: 3, data: Float32Array.from([0, 2, 0, 0, 0, 0, 1, 0, 3]) })).toBeCloseTo(3 / 9, 12);
  });

  it('multiply as the dense product does, by hand', () => {
    // x = [[0, 2], [1, 1]], kernel = [[1, 2, 3], [4, 5, 6]]
    const x = sparseRows(Float32Array.from([0, 2, 1, 1]), 2, 2);
    const out = new Float32Array(6);
    sparseMatMul(x, Float32Array.from([1, 2, 3, 4, 5, 6]), 3, out);
    expect(Array.from(out)).toEqual([8, 10, 12, 5, 7, 9]);
    // xᵀ · dz with dz = [[1, 0, -1], [2, 1, 0]]: [[2, 1, 0], [4, 1, -2]]
    const grad = new Float32Array(6);
    sparseTransposedMatMul(x, Float32Array.from([1, 0, -1, 2, 1, 0]), 3, grad);
    expect(Array.from(grad)).toEqual([2, 1, 0, 4, 1, -2]);
  });
});

describe.each(['wasm', 'cpu'] as const)('denseChainStep with a sparse first layer (%s)', (backend) => {
  beforeAll(async () => {
    await loadBackend({ request: backend });
    if (backend === 'wasm') useFastWasmKernels();
  });
  afterAll(async () => {
    await loadBackend({ request: 'wasm' });
  });

  it.each(specs)('agrees with tfjs autodiff to float32 rounding: %s', (_name, spec, counts) => {
    const model = modelWithBiases(spec);
    const step = denseChainStep(model)!;
    const { values, x, y } = sparseBatch(130, spec.inputSize, 3, { seed: 7, density: 0.05, counts });
    seedDropout(dropoutLayers(model), 99);
    const reference = tf.variableGrads(() => masked(y, model.apply(x, { training: true }) as tf.Tensor));
    const fast = step(sparseRows(values, 130, spec.inputSize), y, tapeLossGradient(masked), 99);
    expect(fast.loss).toBeCloseTo(reference.value.dataSync()[0]!, 6);
    const names = model.trainableWeights.map((w) => (w.read() as tf.Variable).name);
    expect(Object.keys(fast.grads)).toEqual(names);
    for (const name of names) {
      expect(fast.grads[name]!.shape, name).toEqual(reference.grads[name]!.shape);
      expectClose(fast.grads[name]!.dataSync(), reference.grads[name]!.dataSync(), name);
    }
    // Columns no row uses get exactly zero gradient, as in the dense product.
    const firstKernel = fast.grads[names[0]!]!.dataSync();
    const units = fast.grads[names[0]!]!.shape[1]!;
    const used = new Set(Array.from(sparseRows(values, 130, spec.inputSize).columns));
    for (let c = 0; c < spec.inputSize; c++) if (!used.has(c)) expect(firstKernel.subarray(c * units, (c + 1) * units).every((v) => v === 0)).toBe(true);
    tf.dispose([x, y, reference.value, ...Object.values(reference.grads), ...Object.values(fast.grads)]);
  });

  it('with the masked loss on the host, agrees with the dense chain step to float32 rounding, and repeats itself bit for bit', () => {
    const spec = specs[0]![1];
    const model = modelWithBiases(spec);
    const step = denseChainStep(model)!;
    const { values, x, y } = sparseBatch(200, spec.inputSize, 3, { seed: 8, density: 0.03 });
    const loss = hostMaskedBceGradient({ positiveWeights: [3, 1, 0.5] });
    const dense = step(x, y, loss, 5);
    const sparse = step(sparseRows(values, 200, spec.inputSize), y, loss, 5);
    const again = step(sparseRows(values, 200, spec.inputSize), y, loss, 5);
    expect(sparse.loss).toBeCloseTo(dense.loss, 6);
    for (const name of Object.keys(dense.grads)) {
      expectClose(sparse.grads[name]!.dataSync(), dense.grads[name]!.dataSync(), name);
      expect(Array.from(again.grads[name]!.dataSync())).toEqual(Array.from(sparse.grads[name]!.dataSync()));
    }
  });
});
