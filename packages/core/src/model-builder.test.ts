import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { maskedLoss } from './masked-loss.js';
import { buildMultiHeadModel } from './model-builder.js';

beforeAll(async () => {
  await loadBackend({ request: 'cpu' });
});

describe('buildMultiHeadModel', () => {
  it('has one sigmoid column per head, in head order, and the expected parameter count', () => {
    const model = buildMultiHeadModel({
      inputSize: 2,
      trunk: [{ units: 10 }, { units: 40 }, { units: 30 }],
      heads: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
    });
    expect(model.outputs[0]!.shape).toEqual([null, 3]);
    expect(model.countParams()).toBe(2 * 10 + 10 + 10 * 40 + 40 + 40 * 30 + 30 + 3 * (30 + 1));
    expect(model.getLayer('heads').getWeights()[0]!.shape).toEqual([30, 3]);
    const out = (model.predict(tf.randomNormal([5, 2])) as tf.Tensor).dataSync();
    expect(Array.from(out).every((v) => v > 0 && v < 1)).toBe(true);
  });

  it('joins plain heads into one layer that computes what one layer per head computes, from the same initial weights', () => {
    const spec = { inputSize: 2, trunk: [{ units: 10 }, { units: 6 }], heads: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], seed: 7 };
    const merged = buildMultiHeadModel(spec);
    // The same network with one Dense(1) per head: seeds 7, 8 for the trunk, then 9, 10, 11.
    const input = tf.input({ shape: [2] });
    let h = tf.layers.dense({ units: 10, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 6, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }).apply(h) as tf.SymbolicTensor;
    const heads = [9, 10, 11].map(
      (seed) => tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(h) as tf.SymbolicTensor,
    );
    const separate = tf.model({ inputs: input, outputs: tf.layers.concatenate().apply(heads) as tf.SymbolicTensor });
    expect(
      merged
        .getWeights()
        .slice(0, 4)
        .map((w) => Array.from(w.dataSync())),
    ).toEqual(
      separate
        .getWeights()
        .slice(0, 4)
        .map((w) => Array.from(w.dataSync())),
    );
    const kernel = merged.getLayer('heads').getWeights()[0]!.arraySync() as number[][];
    [0, 1, 2].forEach((k) => expect(kernel.map((row) => row[k])).toEqual(Array.from(separate.getWeights()[4 + 2 * k]!.dataSync())));
    const x = tf.randomNormal([20, 2], 0, 1, 'float32', 3);
    const a = (merged.predict(x) as tf.Tensor).dataSync();
    const b = (separate.predict(x) as tf.Tensor).dataSync();
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));
  });

  it('keeps one layer per head when a head has a hidden layer', () => {
    const model = buildMultiHeadModel({ inputSize: 2, trunk: [{ units: 4 }], heads: [{ name: 'a' }, { name: 'b', hidden: { units: 3 } }] });
    expect(model.layers.filter((l) => l.name.endsWith('_head')).map((l) => l.name)).toEqual(['a_head', 'b_head']);
    expect(model.outputs[0]!.shape).toEqual([null, 2]);
  });

  it('builds per-head hidden layers and dropout, and a single head', () => {
    const model = buildMultiHeadModel({ inputSize: 4, trunk: [{ units: 8, dropout: 0.2 }], heads: [{ name: 'x', hidden: { units: 3, activation: 'tanh' } }] });
    expect(model.outputs[0]!.shape).toEqual([null, 1]);
    expect(model.getLayer('x_hidden')).toBeDefined();
    expect(model.getLayer('trunk_0_dropout')).toBeDefined();
  });

  it('is reproducible for a seed', () => {
    const spec = { inputSize: 3, trunk: [{ units: 4 }], heads: [{ name: 'h' }], seed: 11 };
    const w1 = buildMultiHeadModel(spec).getWeights()[0]!.dataSync();
    const w2 = buildMultiHeadModel(spec).getWeights()[0]!.dataSync();
    expect(Array.from(w1)).toEqual(Array.from(w2));
  });

  it('rejects bad specs with a message that names the problem', () => {
    expect(() => buildMultiHeadModel({ inputSize: 2, trunk: [], heads: [] })).toThrow(/at least one head/);
    expect(() => buildMultiHeadModel({ inputSize: 2, trunk: [], heads: [{ name: 'a' }, { name: 'a' }] })).toThrow(/used twice/);
    expect(() => buildMultiHeadModel({ inputSize: 2, trunk: [{ units: 0 }], heads: [{ name: 'a' }] })).toThrow(/units must be a positive integer/);
  });

  it('trains with the masked loss through model.fit', async () => {
    const model = buildMultiHeadModel({ inputSize: 1, trunk: [{ units: 8 }], heads: [{ name: 'pos' }, { name: 'neg' }], seed: 1 });
    model.compile({ optimizer: tf.train.adam(0.05), loss: maskedLoss() });
    const x = tf.tensor2d([[-2], [-1], [1], [2]]);
    // Half the labels missing; the rest say pos = x > 0, neg = x < 0.
    const y = tf.tensor2d([
      [0, -1],
      [-1, 1],
      [1, -1],
      [-1, 0],
    ]);
    const history = await model.fit(x, y, { epochs: 60, batchSize: 4, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 2);
    const p = (model.predict(tf.tensor2d([[-3], [3]])) as tf.Tensor).arraySync() as number[][];
    expect(p[0]![0]).toBeLessThan(0.5);
    expect(p[1]![0]).toBeGreaterThan(0.5);
    expect(p[0]![1]).toBeGreaterThan(0.5);
    expect(p[1]![1]).toBeLessThan(0.5);
  });
});
