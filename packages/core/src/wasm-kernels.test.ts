import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { createRng } from './rng.js';
import { useFastWasmKernels } from './wasm-kernels.js';

beforeAll(async () => {
  await loadBackend({ request: 'wasm' });
});

function random(shape: [number, number], seed: number): tf.Tensor2D {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor2d(
    Float32Array.from({ length: size }, () => rng.next() * 2 - 1),
    shape,
  );
}

/** What each replaced kernel returns, computed before the replacement. */
function products() {
  const a = random([300, 7], 1);
  const b = random([300, 5], 2);
  const w = random([7, 5], 3);
  const cols = [random([300, 1], 4), random([300, 2], 5), random([300, 1], 6)];
  const joined = tf.concat(cols, 1);
  return {
    aTb: tf.matMul(a, b, true, false).arraySync(),
    bwT: tf.matMul(b, w, false, true).arraySync(),
    aTwT: tf.matMul(a, random([5, 300], 7), true, true).arraySync(),
    plain: tf.matMul(b, random([5, 7], 10)).arraySync(),
    joined: joined.arraySync(),
    split: tf.split(joined, [1, 2, 1], 1).map((t) => t.arraySync()),
    wide: tf.concat([random([3, 70], 8), random([3, 2], 9)], 1).arraySync(),
    // Attention's shapes: [posts, heads, tokens, depth], with and without a transposed operand.
    batchedQKt: tf
      .matMul(random([2 * 3 * 5, 4], 11).reshape([2, 3, 5, 4]), random([2 * 3 * 6, 4], 12).reshape([2, 3, 6, 4]), false, true)
      .reshape([30, 6])
      .arraySync(),
    batchedPV: tf
      .matMul(random([2 * 3 * 5, 6], 13).reshape([2, 3, 5, 6]), random([2 * 3 * 6, 4], 14).reshape([2, 3, 6, 4]))
      .reshape([30, 4])
      .arraySync(),
  };
}

describe('useFastWasmKernels', () => {
  it('gives the same matmul (plain, transposed, batched), concat and split results as the stock wasm kernels', () => {
    const before = tf.tidy(products);
    expect(useFastWasmKernels()).toBe(true);
    const after = tf.tidy(products);
    // Float32 summation order differs between GEMM kernels: equal to ~1e-6 relative.
    const closeTo = (x: unknown, y: unknown) =>
      (x as number[][]).forEach((row, i) =>
        row.forEach((v, j) => expect(Math.abs(v - (y as number[][])[i]![j]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(v)))),
      );
    closeTo(after.aTb, before.aTb);
    closeTo(after.bwT, before.bwT);
    closeTo(after.aTwT, before.aTwT);
    expect(after.plain).toEqual(before.plain);
    closeTo(after.batchedQKt, before.batchedQKt);
    closeTo(after.batchedPV, before.batchedPV);
    expect(after.joined).toEqual(before.joined);
    expect(after.split).toEqual(before.split);
    expect(after.wide).toEqual(before.wide);
  });

  it('leaves no tensors or wasm buffers behind', () => {
    useFastWasmKernels();
    const before = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    tf.tidy(products);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytes);
  });
});
