import * as tf from '@tensorflow/tfjs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type WasmKernel, wrapWasmKernels } from './wasm-kernel-registry.js';

// The version guard's answer, set by each test (tfjs-internals-guard.test.ts tests the guard itself).
const guard = vi.hoisted(() => ({ verified: true }));
vi.mock('./tfjs-internals-guard.js', () => ({ checkTfjsInternals: () => ({ verified: guard.verified, installed: '', verifiedVersion: '' }) }));

// Kernels of this test's own: registering one needs no backend, and the real ones stay stock.
const DOUBLE = 'MtlTestDouble';
const HALVE = 'MtlTestHalve';
const kernel = (name: string) => tf.getKernel(name, 'wasm').kernelFunc as unknown as (args: { inputs: { x: number }; attrs: object }) => number;
const run = (name: string, x: number) => kernel(name)({ inputs: { x }, attrs: {} });

/** Squares negative inputs, hands the others to the kernel it wraps. */
const squareNegatives =
  (original: WasmKernel): WasmKernel =>
  (args) => {
    const x = (args.inputs as unknown as { x: number }).x;
    return x < 0 ? ((x * x) as unknown as tf.TensorInfo) : original(args);
  };

beforeEach(() => {
  guard.verified = true;
  for (const [name, f] of [
    [DOUBLE, (x: number) => 2 * x],
    [HALVE, (x: number) => x / 2],
  ] as const) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: ({ inputs }) => f((inputs as unknown as { x: number }).x) as unknown as tf.TensorInfo,
    });
  }
});

describe('wrapWasmKernels', () => {
  it('replaces each kernel with its wrapper around the one registered before', () => {
    expect(wrapWasmKernels({ [DOUBLE]: squareNegatives, [HALVE]: squareNegatives })).toBe(true);
    expect([run(DOUBLE, -3), run(DOUBLE, 3), run(HALVE, -3), run(HALVE, 3)]).toEqual([9, 6, 9, 1.5]);
  });

  it('wraps an earlier replacement', () => {
    wrapWasmKernels({ [DOUBLE]: squareNegatives });
    wrapWasmKernels({ [DOUBLE]: (original) => (args) => ((original(args) as unknown as number) + 1) as unknown as tf.TensorInfo });
    expect([run(DOUBLE, -3), run(DOUBLE, 3)]).toEqual([10, 7]);
  });

  it('changes nothing when one of the kernels is not registered', () => {
    expect(wrapWasmKernels({ [DOUBLE]: squareNegatives, MtlTestNoSuchKernel: squareNegatives })).toBe(false);
    expect(run(DOUBLE, -3)).toBe(-6);
  });

  it('changes nothing on a tfjs release the wrappers were not verified against', () => {
    guard.verified = false;
    expect(wrapWasmKernels({ [DOUBLE]: squareNegatives })).toBe(false);
    expect(run(DOUBLE, -3)).toBe(-6);
  });
});
