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
    // Attention's Q, K, V out of one [posts, tokens, 3 x depth] projection, and other wide pieces.
    splitQKV: tf.split(random([2 * 5, 3 * 128], 15).reshape([2, 5, 3 * 128]), 3, -1).map((t) => t.arraySync()),
    splitWide: tf.split(random([7, 64 + 100], 16), [64, -1], 1).map((t) => t.arraySync()),
    // Left to the stock kernel: narrow and wide pieces mixed, another axis.
    splitMixed: tf.split(random([4, 70], 17), [6, 64], -1).map((t) => t.arraySync()),
    splitRows: tf.split(random([128, 70], 18), 2, 0).map((t) => t.arraySync()),
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

/**
 * A stand-in for the wasm backend whose heap grows on every allocation: the
 * bytes move to a new buffer and views of the old one read nothing, as on the
 * wasm heap when `_malloc` grows it. Outputs carry their final values.
 */
function growingHeap(input: { dataId: object; shape: number[] }, values: number[]) {
  let heap = new Float32Array(values);
  const offsets = new Map<object, number>([[input.dataId, 0]]);
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const view = (info: { dataId: object; shape: number[] }) => new Float32Array(heap.buffer, offsets.get(info.dataId)! * 4, size(info.shape));
  return {
    makeOutput(shape: number[], dtype: string) {
      const dataId = {};
      offsets.set(dataId, heap.length);
      const grown = new Float32Array(heap.length + size(shape));
      grown.set(heap);
      structuredClone(heap.buffer, { transfer: [heap.buffer] });
      heap = grown;
      return {
        dataId,
        shape,
        dtype,
        get values() {
          return view({ dataId, shape });
        },
      };
    },
    typedArrayFromHeap: view,
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
    for (const split of ['splitQKV', 'splitWide', 'splitMixed', 'splitRows'] as const) expect(after[split]).toEqual(before[split]);
  });

  it('splits narrow rows out of an input read after its outputs are allocated (a growing wasm heap detaches earlier views)', () => {
    useFastWasmKernels();
    const split = tf.getKernel(tf.SplitV, 'wasm').kernelFunc;
    const x = { dataId: {}, shape: [3, 4], dtype: 'float32' as const };
    const outs = split({ inputs: { x }, backend: growingHeap(x, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), attrs: { numOrSizeSplits: [1, 3], axis: 1 } });
    expect((outs as unknown as Array<{ values: Float32Array }>).map((o) => Array.from(o.values))).toEqual([
      [1, 5, 9],
      [2, 3, 4, 6, 7, 8, 10, 11, 12],
    ]);
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
