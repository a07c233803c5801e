import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { heapOffset, hostMemoryBackend } from './host-memory.js';
import { createRng } from './rng.js';
import { simdKernels } from './simd-kernels.js';
import { sparseMatMul, sparseRows, sparseTransposedMatMul } from './sparse-rows.js';

beforeAll(async () => {
  await loadBackend({ request: 'wasm' });
});

const f32 = Math.fround;

function random(n: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
}

describe('simdKernels', () => {
  it('compiles, bound to the wasm backend (and not to cpu)', async () => {
    expect(simdKernels()).toBeDefined();
    await tf.setBackend('cpu');
    expect(simdKernels()).toBeUndefined();
    await tf.setBackend('wasm');
  });

  it('adam gives bit for bit the float32 arithmetic of the scalar loop, vector lanes and tail alike', () => {
    const n = 4 * 9 + 3;
    const [w, g, m, v] = [random(n, 1), random(n, 2, 0.1), random(n, 3, 0.01), random(n, 4, 0.001).map(Math.abs)];
    const s = {
      beta1: f32(0.9),
      beta2: f32(0.999),
      oneMinusBeta1: f32(0.1),
      oneMinusBeta2: f32(0.001),
      oneMinusAccBeta1: f32(0.271),
      oneMinusAccBeta2: f32(0.003),
    };
    const [epsilon, minusRate] = [f32(1e-7), f32(-0.001)];
    const expected = { m: new Float32Array(n), v: new Float32Array(n), w: new Float32Array(n) };
    for (let j = 0; j < n; j++) {
      const mj = f32(f32(m[j]! * s.beta1) + f32(g[j]! * s.oneMinusBeta1));
      const vj = f32(f32(v[j]! * s.beta2) + f32(f32(g[j]! * g[j]!) * s.oneMinusBeta2));
      expected.m[j] = mj;
      expected.v[j] = vj;
      expected.w[j] = f32(f32(f32(mj / s.oneMinusAccBeta1) / f32(f32(Math.sqrt(f32(vj / s.oneMinusAccBeta2))) + epsilon)) * minusRate) + w[j]!;
    }
    const tensors = [w, g, m, v, new Float32Array(n)].map((values) => tf.tensor1d(values));
    const backend = hostMemoryBackend()!;
    const [pw, pg, pm, pv, pout] = tensors.map((t) => heapOffset(backend, t)) as [number, number, number, number, number];
    simdKernels()!.adam({ w: pw, g: pg, m: pm, v: pv, out: pout, n, ...s, epsilon, minusRate });
    expect(Array.from(tensors[2]!.dataSync())).toEqual(Array.from(expected.m));
    expect(Array.from(tensors[3]!.dataSync())).toEqual(Array.from(expected.v));
    expect(Array.from(tensors[4]!.dataSync())).toEqual(Array.from(expected.w));
    tf.dispose(tensors);
  });

  it('gatherRows and scatterRows give bit for bit the host loops, for counts and a width that is not a multiple of 4', () => {
    const [rows, cols, units] = [9, 40, 13];
    const rng = createRng(5);
    const x = sparseRows(
      Float32Array.from({ length: rows * cols }, () => (rng.next() < 0.1 ? 1 + Math.floor(rng.next() * 3) : 0)),
      rows,
      cols,
    );
    const kernel = random(cols * units, 6);
    const dz = random(rows * units, 7);
    const product = new Float32Array(rows * units);
    sparseMatMul(x, kernel, units, product);
    const gradient = new Float32Array(cols * units);
    sparseTransposedMatMul(x, dz, units, gradient);

    const backend = hostMemoryBackend()!;
    const t = {
      rowStart: tf.tensor1d(x.rowStart, 'int32'),
      columns: tf.tensor1d(x.columns, 'int32'),
      values: tf.tensor1d(x.values),
      kernel: tf.tensor1d(kernel),
      dz: tf.tensor1d(dz),
      out: tf.zeros([rows * units]),
      grad: tf.zeros([cols * units]),
    };
    const at = (tensor: tf.Tensor) => heapOffset(backend, tensor);
    simdKernels()!.gatherRows(at(t.out), at(t.kernel), at(t.rowStart), at(t.columns), at(t.values), rows, units);
    simdKernels()!.scatterRows(at(t.grad), at(t.dz), at(t.rowStart), at(t.columns), at(t.values), rows, units);
    expect(Array.from(t.out.dataSync())).toEqual(Array.from(product));
    expect(Array.from(t.grad.dataSync())).toEqual(Array.from(gradient));
    expect(product.some((v) => v !== 0) && gradient.some((v) => v !== 0)).toBe(true);
    tf.dispose(Object.values(t));
  });
});
