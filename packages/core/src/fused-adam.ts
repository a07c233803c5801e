import * as tf from '@tensorflow/tfjs';
import { type HostBackend, hostMemoryBackend, hostValues } from './host-memory.js';
import { type SimdKernels, simdKernels } from './simd-kernels.js';

/** The parts of tfjs' AdamOptimizer that the fused update (and the host chain) read and write (tfjs-core 4.x). */
export interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  incrementIterations(): void;
}

const f32 = Math.fround;

/**
 * Adam with the update of every variable done in one pass over its values in
 * place, instead of ~15 small kernels per variable (the toy model has 12
 * variables: 180 kernel launches per step, more time than its matmuls).
 *
 * It computes exactly what tfjs' AdamOptimizer computes, in the same order, each
 * step rounded to float32 as the kernels round it, so weights are bit-for-bit
 * those of `tf.train.adam` (tested) and checkpoints are interchangeable: state
 * lives in the same variables, getWeights/setWeights are tfjs' own.
 *
 * On the wasm and cpu backends only; elsewhere (tfjs-node, webgl) it is plain
 * tfjs Adam. On wasm the pass is WebAssembly SIMD on the backend's heap
 * (simd-kernels.ts), whose float32 operations round exactly as the loop below. The moments are updated in place (a moment whose storage is shared
 * with another tensor, after `setWeights`, gets its own copy first); the new
 * weights go into one new tensor per variable, as `assign` expects.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const backend = hostMemoryBackend();
    if (!backend) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamInternals;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const engine = tf.engine();
    // Scalars as the kernels see them: a JS number becomes a float32 tensor.
    const beta1 = f32(self.beta1);
    const beta2 = f32(self.beta2);
    const oneMinusBeta1 = f32(1 - self.beta1);
    const oneMinusBeta2 = f32(1 - self.beta2);
    const epsilon = f32(self.epsilon);
    const minusRate = f32(-self.learningRate);
    const updates: Array<{ value: tf.Variable; gradient: tf.Tensor; m: tf.Variable; v: tf.Variable }> = [];
    names.forEach((name, i) => {
      const value = engine.registeredVariables[name]!;
      if (self.accumulatedFirstMoment[i] == null) {
        self.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      }
      if (self.accumulatedSecondMoment[i] == null) {
        self.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      }
      const gradient: tf.Tensor | undefined = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
      if (gradient == null) return;
      updates.push({ value, gradient, m: self.accumulatedFirstMoment[i].variable, v: self.accumulatedSecondMoment[i].variable });
    });
    for (const variable of [self.accBeta1, self.accBeta2, ...updates.flatMap((u) => [u.m, u.v])]) ownStorage(backend, variable);
    const oneMinusAccBeta1 = f32(1 - hostValues(backend, self.accBeta1)[0]!);
    const oneMinusAccBeta2 = f32(1 - hostValues(backend, self.accBeta2)[0]!);
    const simd = backend.makeOutput ? simdKernels() : undefined;
    const scalars = { beta1, beta2, oneMinusBeta1, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon, minusRate };
    for (const { value, gradient, m, v } of updates) {
      if (simd) {
        simdUpdate({ backend, simd, value, gradient, m, v, scalars });
        continue;
      }
      // Views into the wasm heap hold until the next allocation: take them per variable.
      const w = hostValues(backend, value);
      const g = hostValues(backend, gradient);
      const m1 = hostValues(backend, m);
      const v1 = hostValues(backend, v);
      const next = new Float32Array(w.length);
      for (let j = 0; j < w.length; j++) {
        const gj = g[j]!;
        const mj = f32(f32(m1[j]! * beta1) + f32(gj * oneMinusBeta1));
        const vj = f32(f32(v1[j]! * beta2) + f32(f32(gj * gj) * oneMinusBeta2));
        m1[j] = mj;
        v1[j] = vj;
        const mHat = f32(mj / oneMinusAccBeta1);
        const vHat = f32(vj / oneMinusAccBeta2);
        next[j] = f32(f32(mHat / f32(f32(Math.sqrt(vHat)) + epsilon)) * minusRate) + w[j]!;
      }
      // New weights go into new storage: the wasm backend caches each matmul's packed weights
      // under the weight tensor's id, so weights changed in place would be multiplied stale.
      const fresh = tf.tensor(next, value.shape, 'float32');
      value.assign(fresh);
      fresh.dispose();
    }
    const accBeta1 = hostValues(backend, self.accBeta1);
    accBeta1[0] = f32(accBeta1[0]! * beta1);
    const accBeta2 = hostValues(backend, self.accBeta2);
    accBeta2[0] = f32(accBeta2[0]! * beta2);
    self.incrementIterations();
  }
}

/** One variable's update by the SIMD kernel, in place on the wasm heap; the new weights go into a new tensor. */
function simdUpdate(input: {
  backend: HostBackend;
  simd: SimdKernels;
  value: tf.Variable;
  gradient: tf.Tensor;
  m: tf.Variable;
  v: tf.Variable;
  scalars: Omit<Parameters<SimdKernels['adam']>[0], 'w' | 'g' | 'm' | 'v' | 'out' | 'n'>;
}): void {
  const { backend, value } = input;
  const fresh = tf.engine().makeTensorFromTensorInfo(backend.makeOutput!(value.shape, 'float32'));
  // Byte offsets stay valid when the heap grows (views do not); nothing is allocated after this anyway.
  const at = (t: tf.Tensor) => hostValues(backend, t).byteOffset;
  input.simd.adam({ w: at(value), g: at(input.gradient), m: at(input.m), v: at(input.v), out: at(fresh), n: value.size, ...input.scalars });
  value.assign(fresh);
  fresh.dispose();
}

/** Gives the variable storage of its own when another tensor shares it, so writing in place changes nothing else. */
function ownStorage(backend: HostBackend, variable: tf.Variable): void {
  if (backend.refCount(variable.dataId) <= 1) return;
  const copy = tf.tensor(variable.dataSync(), variable.shape, variable.dtype);
  variable.assign(copy);
  copy.dispose();
}
