import * as tf from '@tensorflow/tfjs';

/**
 * The wasm backend runs a matmul through XNNPACK only when neither operand is
 * transposed; otherwise it falls back to a scalar triple loop that is 10-50x
 * slower. Backpropagation through a dense layer needs exactly those two
 * products (dx = dy·Wᵀ and dW = xᵀ·dy), and on the toy model they took ~85 %
 * of the kernel time of a training step.
 *
 * This re-registers the wasm `BatchMatMul` kernel so that a transposed
 * operand is first transposed into a temporary (a cheap copy) and the product
 * then takes the XNNPACK path. Same maths; only the summation order inside
 * each dot product differs, as it would between any two GEMM kernels.
 */
let installed = false;

export function useFastWasmMatMul(): boolean {
  if (installed) return true;
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  if (!original || !transpose) return false;
  const transposeInner = (x: tf.TensorInfo, backend: tf.KernelBackend): tf.TensorInfo => {
    const perm = x.shape.map((_, i) => i);
    const n = perm.length;
    [perm[n - 2], perm[n - 1]] = [perm[n - 1]!, perm[n - 2]!];
    return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
  };
  const kernelFunc: tf.KernelFunc = (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as tf.KernelBackend;
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return original.kernelFunc(args);
    const { a, b } = inputs as tf.BatchMatMulInputs;
    const temporaries: tf.TensorInfo[] = [];
    const upright = (x: tf.TensorInfo, transposed: boolean) => {
      if (!transposed) return x;
      const t = transposeInner(x, backend);
      temporaries.push(t);
      return t;
    };
    const out = original.kernelFunc({
      inputs: { a: upright(a as tf.TensorInfo, transposeA), b: upright(b as tf.TensorInfo, transposeB) },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    for (const t of temporaries) backend.disposeData(t.dataId);
    return out;
  };
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({ ...original, kernelFunc });
  installed = true;
  return true;
}
