import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { maskedBceWithGradient, maskedBinaryCrossentropy } from './masked-loss.js';

beforeAll(async () => {
  await loadBackend({ request: 'cpu' });
});

const bce = (y: number, p: number) => -(y * Math.log(p) + (1 - y) * Math.log(1 - p));

describe('maskedBinaryCrossentropy', () => {
  it('averages over labelled entries only (hand-computed)', () => {
    const y = tf.tensor2d([
      [1, -1],
      [0, 1],
    ]);
    const p = tf.tensor2d([
      [0.8, 0.3],
      [0.4, 0.9],
    ]);
    const expected = (bce(1, 0.8) + bce(0, 0.4) + bce(1, 0.9)) / 3;
    expect(maskedBinaryCrossentropy(y, p).dataSync()[0]).toBeCloseTo(expected, 5);
  });

  it('divides by the labelled count, not the batch size', () => {
    const full = maskedBinaryCrossentropy(tf.tensor2d([[1], [1]]), tf.tensor2d([[0.7], [0.7]])).dataSync()[0];
    const half = maskedBinaryCrossentropy(tf.tensor2d([[1], [-1]]), tf.tensor2d([[0.7], [0.01]])).dataSync()[0];
    expect(half).toBeCloseTo(full!, 6);
    expect(half).toBeCloseTo(bce(1, 0.7), 5);
  });

  it('is 0, not NaN, when nothing is labelled', () => {
    const loss = maskedBinaryCrossentropy(tf.tensor2d([[-1, -1]]), tf.tensor2d([[0.5, 0.9]]));
    expect(loss.dataSync()[0]).toBe(0);
  });

  it('gives masked entries exactly zero gradient, even at saturated predictions', () => {
    const y = tf.tensor2d([
      [1, -1, 0],
      [-1, 0, -1],
    ]);
    const p = tf.tensor2d([
      [0.6, 1, 0.2],
      [0, 0.3, 1],
    ]);
    const grad = tf
      .grad((pred: tf.Tensor) => maskedBinaryCrossentropy(y, pred))(p)
      .arraySync() as number[][];
    expect(grad[0]![1]).toBe(0);
    expect(grad[1]![0]).toBe(0);
    expect(grad[1]![2]).toBe(0);
    expect(grad[0]![0]).toBeLessThan(0);
    expect(grad[0]![2]).toBeGreaterThan(0);
    expect(grad.flat().every(Number.isFinite)).toBe(true);
  });

  it('has a finite gradient for an all-missing batch', () => {
    const grad = tf.grad((pred: tf.Tensor) => maskedBinaryCrossentropy(tf.tensor2d([[-1, -1]]), pred))(tf.tensor2d([[0.5, 1]]));
    expect(Array.from(grad.dataSync())).toEqual([0, 0]);
  });

  it('stays finite for predictions of exactly 0 and 1', () => {
    const loss = maskedBinaryCrossentropy(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 1]])).dataSync()[0]!;
    expect(Number.isFinite(loss)).toBe(true);
    // Clipped to [1e-7, 1 - 1e-7] (float32): about -log(1e-7) = 16.1 per entry.
    expect(loss).toBeGreaterThan(15.5);
    expect(loss).toBeLessThan(16.5);
  });

  it('from logits matches from probabilities and survives large logits', () => {
    const y = tf.tensor2d([[1, 0, -1]]);
    const z = tf.tensor2d([[0.3, -1.2, 5]]);
    const fromLogits = maskedBinaryCrossentropy(y, z, { fromLogits: true }).dataSync()[0]!;
    const fromProbs = maskedBinaryCrossentropy(y, tf.sigmoid(z)).dataSync()[0]!;
    expect(fromLogits).toBeCloseTo(fromProbs, 5);
    const extreme = maskedBinaryCrossentropy(tf.tensor2d([[1, 0]]), tf.tensor2d([[-200, 200]]), { fromLogits: true }).dataSync()[0]!;
    expect(extreme).toBeCloseTo(200, 3);
  });

  it('applies task weights and positive weights per column', () => {
    const y = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const p = tf.tensor2d([
      [0.8, 0.3],
      [0.4, 0.9],
    ]);
    const loss = maskedBinaryCrossentropy(y, p, { taskWeights: [2, 0.5], positiveWeights: [3, 1] }).dataSync()[0]!;
    const expected = (2 * 3 * bce(1, 0.8) + 0.5 * bce(0, 0.3) + 2 * bce(0, 0.4) + 0.5 * bce(1, 0.9)) / 4;
    expect(loss).toBeCloseTo(expected, 5);
    expect(() => maskedBinaryCrossentropy(y, p, { taskWeights: [1] })).toThrow(/taskWeights has 1 values but the labels have 2 tasks/);
  });
});

describe('maskedBceWithGradient (host)', () => {
  const y = [1, -1, 0, 0, 1, 1, -1, 0];
  const p = [0.8, 0.3, 0.4, 0, 1, 0.999, 0.5, 0.02];
  const options = { positiveWeights: [2, 0.5], taskWeights: [1, 3] };

  it('gives the loss and gradient tfjs computes for the same entries, clipped entries included', () => {
    const host = maskedBceWithGradient(y, p, 2, options);
    const yt = tf.tensor2d(y, [4, 2]);
    const pt = tf.tensor2d(p, [4, 2]);
    const { value, grad } = tf.valueAndGrad((pred: tf.Tensor) => maskedBinaryCrossentropy(yt, pred, options))(pt);
    expect(host.loss).toBeCloseTo(value.dataSync()[0]!, 5);
    const expected = grad.dataSync();
    host.grad.forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 5));
    // Missing entries and predictions outside the clip bounds (0 and 1) get exactly zero.
    expect([host.grad[1], host.grad[3], host.grad[4], host.grad[6]]).toEqual([0, 0, 0, 0]);
  });

  it('is 0 with zero gradient when nothing is labelled, and treats NaN labels as missing', () => {
    expect(maskedBceWithGradient([-1, NaN], [0.3, 0.9], 2)).toEqual({ loss: 0, grad: new Float32Array([0, 0]) });
  });

  it('lets a NaN prediction through as a NaN loss (the trainer stops on it)', () => {
    expect(maskedBceWithGradient([1, 0], [NaN, 0.2], 2).loss).toBeNaN();
  });

  it('refuses logits and mismatched shapes', () => {
    expect(() => maskedBceWithGradient([1], [0.5], 1, { fromLogits: true })).toThrow(/probabilities, not logits/);
    expect(() => maskedBceWithGradient([1, 0, 1], [0.5, 0.5, 0.5], 2)).toThrow(/do not make rows of 2 tasks/);
  });
});
