import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { FusedAdamOptimizer } from './fused-adam.js';
import { maskedBinaryCrossentropy } from './masked-loss.js';
import { buildMultiHeadModel } from './model-builder.js';
import { createRng } from './rng.js';

beforeAll(async () => {
  await loadBackend({ request: 'wasm' });
});

const model = () =>
  buildMultiHeadModel({
    inputSize: 4,
    trunk: [
      { units: 16, activation: 'relu' },
      { units: 8, activation: 'relu' },
    ],
    heads: [{ name: 'a' }, { name: 'b', hidden: { units: 4 } }, { name: 'c' }],
    seed: 3,
  });

/** Batches of 64 rows with a third of the labels missing. */
function batches(count: number): Array<{ x: tf.Tensor2D; y: tf.Tensor2D }> {
  const rng = createRng(11);
  return Array.from({ length: count }, () => {
    const x = Float32Array.from({ length: 64 * 4 }, () => rng.next() * 2 - 1);
    const y = Float32Array.from({ length: 64 * 3 }, (_, i) => (rng.next() < 0.33 ? -1 : x[Math.floor(i / 3) * 4 + (i % 3)]! > 0 ? 1 : 0));
    return { x: tf.tensor2d(x, [64, 4]), y: tf.tensor2d(y, [64, 3]) };
  });
}

function train(net: tf.LayersModel, optimizer: tf.Optimizer, data: ReturnType<typeof batches>): number[] {
  return data.map(({ x, y }) =>
    tf.tidy(() => optimizer.minimize(() => maskedBinaryCrossentropy(y, net.apply(x, { training: true }) as tf.Tensor), true)!.dataSync()[0]!),
  );
}

const snapshot = (net: tf.LayersModel) => net.getWeights().map((w) => Array.from(w.dataSync()));
const optimizerState = async (optimizer: tf.Optimizer) => (await optimizer.getWeights()).map((w) => Array.from(w.tensor.dataSync()));

describe('FusedAdamOptimizer', () => {
  it.each(['wasm', 'cpu'])('gives bit-for-bit the weights and state of tf.train.adam (%s backend)', async (backend) => {
    await tf.setBackend(backend);
    const data = batches(25);
    const reference = model();
    const fused = model();
    const adam = tf.train.adam(0.01);
    const fusedAdam = new FusedAdamOptimizer(0.01);
    const referenceLoss = train(reference, adam, data);
    const fusedLoss = train(fused, fusedAdam, data);
    expect(referenceLoss[24]).toBeLessThan(referenceLoss[0]!);
    expect(fusedLoss).toEqual(referenceLoss);
    expect(snapshot(fused)).toEqual(snapshot(reference));
    expect(await optimizerState(fusedAdam)).toEqual(await optimizerState(adam));
    const betaPowers = (o: tf.Optimizer) => ['accBeta1', 'accBeta2'].map((k) => (o as unknown as Record<string, tf.Variable>)[k]!.dataSync()[0]);
    expect(betaPowers(fusedAdam)).toEqual(betaPowers(adam));
    expect(betaPowers(fusedAdam)[0]).toBeCloseTo(0.9 ** 26, 6);
  });

  it('never writes into a tensor that shares a variable storage (after setWeights and assign)', async () => {
    await tf.setBackend('wasm');
    const data = batches(3);
    const reference = model();
    const fused = model();
    const adam = tf.train.adam(0.01);
    const fusedAdam = new FusedAdamOptimizer(0.01);
    train(reference, adam, data.slice(0, 1));
    train(fused, fusedAdam, data.slice(0, 1));
    // As a checkpoint restore does: the restored tensors stay alive and share storage with the variables.
    const weights = reference.getWeights().map((w) => w.clone());
    const moments = (await adam.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    const kept = [...weights, ...moments.map((m) => m.tensor)].map((t) => Array.from(t.dataSync()));
    fused.setWeights(weights);
    await fusedAdam.setWeights(moments);
    const beta1 = tf.scalar((adam as unknown as Record<string, tf.Variable>)['accBeta1']!.dataSync()[0]!);
    (fusedAdam as unknown as Record<string, tf.Variable>)['accBeta1']!.assign(beta1);
    train(reference, adam, data.slice(1));
    train(fused, fusedAdam, data.slice(1));
    expect([...weights, ...moments.map((m) => m.tensor)].map((t) => Array.from(t.dataSync()))).toEqual(kept);
    expect(snapshot(fused)).toEqual(snapshot(reference));
  });
});
