import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadBackend } from './backend.js';
import { createMatrix, MISSING } from './matrix.js';
import { buildMultiHeadModel } from './model-builder.js';
import { predictProbabilities } from './predict.js';
import { createRng } from './rng.js';
import { ShuffledBatches } from './shuffled-batches.js';
import { simdKernels } from './simd-kernels.js';
import { SPARSE_INPUT_SHARE } from './sparse-rows.js';
import { type Dataset, trainMultiTask } from './trainer.js';
import { TrainingControl } from './training-control.js';

/** Fingerprint-like rows: 256 bits, ~2 % set; task k is "bit k or bit k+1 set", a quarter of the labels missing. */
function fingerprints(rows: number, seed: number): Dataset {
  const rng = createRng(seed);
  const x = createMatrix(rows, 256);
  const y = createMatrix(rows, 3);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < 256; c++) x.data[r * 256 + c] = rng.next() < (c < 8 ? 0.2 : 0.015) ? 1 : 0;
    for (let k = 0; k < 3; k++) y.data[r * 3 + k] = rng.next() < 0.25 ? MISSING : x.data[r * 256 + k]! + x.data[r * 256 + k + 1]! > 0 ? 1 : 0;
  }
  return { x, y };
}

const TASKS = ['a', 'b', 'c'];
const model = () => buildMultiHeadModel({ inputSize: 256, trunk: [{ units: 32, dropout: 0.25 }], heads: TASKS.map((name) => ({ name })), seed: 2 });
const base = { taskNames: TASKS, batchSize: 50, learningRate: 0.01, seed: 5, loss: { positiveWeights: [2, 1, 3] } };
const weightsOf = (m: ReturnType<typeof model>) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe.each(['wasm', 'cpu'] as const)('trainMultiTask on sparse inputs (%s)', (backend) => {
  beforeAll(async () => {
    await loadBackend({ request: backend });
  });

  it('takes the sparse first layer for fingerprint-like inputs, and trains to what the dense product trains to, to float32 rounding', async () => {
    const data = fingerprints(400, 1);
    expect(data.x.data.filter((v) => v !== 0).length / data.x.data.length).toBeLessThan(SPARSE_INPUT_SHARE);
    if (backend === 'wasm') expect(simdKernels()).toBeDefined();
    const sparse = model();
    const dense = model();
    const sparseBatches = vi.spyOn(ShuffledBatches.prototype, 'sparseBatch');
    const a = await trainMultiTask(sparse, data, { ...base, epochs: 3 });
    expect(sparseBatches).toHaveBeenCalledTimes(3 * 8);
    const b = await trainMultiTask(dense, data, { ...base, epochs: 3, sparseInput: false });
    a.history.forEach((h, i) => expect(h.trainLoss).toBeCloseTo(b.history[i]!.trainLoss, 4));
    const [wa, wb] = [weightsOf(sparse), weightsOf(dense)];
    wa.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - wb[i]![j]!)).toBeLessThan(1e-4)));
    expect(sparseBatches).toHaveBeenCalledTimes(3 * 8);
    sparseBatches.mockRestore();
    expect(a.history[2]!.trainLoss).toBeLessThan(a.history[0]!.trainLoss);
  });

  it('predicts sparse inputs through the sparse first layer: model.predict to float32 rounding, chunk by chunk', async () => {
    const data = fingerprints(300, 4);
    const net = model();
    await trainMultiTask(net, data, { ...base, epochs: 1 });
    const expected = (net.predict(tf.tensor2d(data.x.data, [300, 256])) as tf.Tensor).dataSync();
    const densePredict = vi.spyOn(net, 'predict');
    const probabilities = predictProbabilities(net, data.x, 128);
    expect(densePredict).not.toHaveBeenCalled();
    expect(probabilities.rows).toBe(300);
    probabilities.data.forEach((p, i) => expect(Math.abs(p - expected[i]!)).toBeLessThan(1e-6));
    // sparseInput false: model.predict, as asked; true: the sparse layer without counting nonzeros, even for dense rows.
    predictProbabilities(net, data.x, { sparseInput: false });
    expect(densePredict).toHaveBeenCalledTimes(1);
    const dense = createMatrix(4, 256, new Float32Array(4 * 256).fill(1));
    const expectedDense = (net.predict(tf.tensor2d(dense.data, [4, 256])) as tf.Tensor).dataSync();
    const viaSparse = predictProbabilities(net, dense, { sparseInput: true });
    expect(densePredict).toHaveBeenCalledTimes(2);
    viaSparse.data.forEach((p, i) => expect(Math.abs(p - expectedDense[i]!)).toBeLessThan(1e-5));
  });

  it('leaves no tensors behind, training or predicting', async () => {
    const data = fingerprints(200, 5);
    const net = model();
    const before = tf.memory().numTensors;
    await trainMultiTask(net, data, { ...base, epochs: 2, dev: fingerprints(60, 6) });
    predictProbabilities(net, data.x);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is deterministic: the same seed gives bit-for-bit the same weights', async () => {
    const data = fingerprints(300, 2);
    const [first, second] = [model(), model()];
    await trainMultiTask(first, data, { ...base, epochs: 2 });
    await trainMultiTask(second, data, { ...base, epochs: 2 });
    expect(weightsOf(second)).toEqual(weightsOf(first));
  });

  it('resumes from a checkpoint to bit-for-bit the weights of an uninterrupted run', async () => {
    const data = fingerprints(300, 3);
    const straight = model();
    await trainMultiTask(straight, data, { ...base, epochs: 4 });
    const checkpoint = { path: join(mkdtempSync(join(tmpdir(), 'sparse-ckpt-')), 'checkpoint.json'), fingerprint: { data: 'sparse' } };
    const control = new TrainingControl();
    await trainMultiTask(model(), data, {
      ...base,
      epochs: 4,
      checkpoint,
      control,
      onEvent: (e) => {
        if (e.type === 'epoch' && e.epoch === 2) control.requestStop('test stop');
      },
    });
    const resumed = model();
    await trainMultiTask(resumed, data, { ...base, epochs: 4, checkpoint: { ...checkpoint, resume: true } });
    expect(weightsOf(resumed)).toEqual(weightsOf(straight));
  });
});
