import * as tf from '@tensorflow/tfjs';
import { checkTfjsInternals } from './tfjs-internals-guard.js';

/** The parts of the wasm backend these kernels use (tfjs-backend-wasm 4.x). */
interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

type Kernel = (args: { inputs: tf.NamedTensorInfoMap; backend: WasmBackend; attrs: tf.NamedAttrMap }) => tf.TensorInfo | tf.TensorInfo[];

/** Below this many values per row, copying value by value beats one `subarray().set()` per row. */
const NARROW_ROW = 64;

let installed = false;

/**
 * Replaces three wasm kernels that are slow on the shapes of a training step
 * or of a transformer, each with one that computes the same values:
 *
 * - `BatchMatMul` with a transposed operand. The backend runs a matmul through
 *   XNNPACK only when nothing is transposed, else a scalar triple loop 10-50x
 *   slower; backpropagation through a dense layer needs exactly the two
 *   transposed products (dx = dy·Wᵀ, dW = xᵀ·dy). Transposing into a temporary
 *   first (a cheap copy) sends them through XNNPACK. Only the summation order
 *   inside a dot product differs, as between any two GEMM kernels.
 * - `BatchMatMul` with a batch (attention: [posts, heads, tokens, depth]):
 *   the backend takes the same scalar loop for any batch, so each pair is
 *   copied out and multiplied by XNNPACK on its own (USE-lite: 4-6x faster
 *   attention products, ~20 % of a batch's time saved).
 * - `Concat` and `SplitV` along the last axis of narrow rows (heads with hidden
 *   layers of their own, joined into [batch, tasks] and split again by the
 *   gradient; plain heads are one layer and need neither): the backend
 *   copies with one `subarray().set()` per row and input, which allocates
 *   per row; these copy value by value.
 *
 * Idempotent; returns false, changing nothing, when the wasm backend is not
 * registered or the installed tfjs is not the release these kernels were
 * verified against (they call the backend's internals).
 */
export function useFastWasmKernels(): boolean {
  if (installed) return true;
  if (!checkTfjsInternals().verified) return false;
  const matMul = tf.getKernel(tf.BatchMatMul, 'wasm');
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  const concat = tf.getKernel(tf.Concat, 'wasm');
  const splitV = tf.getKernel(tf.SplitV, 'wasm');
  if (!matMul || !transpose || !concat || !splitV) return false;
  replace(matMul, uprightMatMul(matMul.kernelFunc, transpose.kernelFunc));
  replace(concat, narrowConcat(concat.kernelFunc));
  replace(splitV, narrowSplit(splitV.kernelFunc));
  installed = true;
  return true;
}

function replace(config: tf.KernelConfig, kernelFunc: Kernel): void {
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel({ ...config, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

function uprightMatMul(original: Kernel, transpose: Kernel): Kernel {
  return (args) => {
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const temporaries: tf.TensorInfo[] = [];
    const upright = (x: tf.TensorInfo, transposed: boolean): tf.TensorInfo => {
      if (!transposed) return x;
      const perm = x.shape.map((_, i) => i);
      const n = perm.length;
      [perm[n - 2], perm[n - 1]] = [perm[n - 1]!, perm[n - 2]!];
      const t = transpose({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
      temporaries.push(t);
      return t;
    };
    const out = slicedMatMul(original, upright(a, transposeA), upright(b, transposeB), args.backend);
    for (const t of temporaries) args.backend.disposeData(t.dataId);
    return out;
  };
}

/**
 * An upright product, one XNNPACK call per batch entry. The backend runs
 * XNNPACK only for a single matrix pair: with a batch (attention's
 * [posts, heads, tokens, depth] products) it takes the scalar loop for every
 * entry, transposed or not. Copying each pair into its own buffer is far
 * cheaper than that loop.
 */
function slicedMatMul(original: Kernel, a: tf.TensorInfo, b: tf.TensorInfo, backend: WasmBackend): tf.TensorInfo {
  const attrs = { transposeA: false, transposeB: false };
  const outer = a.shape.slice(0, -2);
  const batch = outer.reduce((n, d) => n * d, 1);
  const sameBatch = outer.length === b.shape.length - 2 && outer.every((d, i) => d === b.shape[i]);
  if (batch <= 1 || !sameBatch || a.dtype !== 'float32') return original({ inputs: { a, b }, backend, attrs }) as tf.TensorInfo;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const out = backend.makeOutput([...outer, m, n], 'float32');
  for (let i = 0; i < batch; i++) {
    const ai = backend.makeOutput([m, k], 'float32');
    const bi = backend.makeOutput([k, n], 'float32');
    // Views are re-taken after every allocation: growing the wasm heap detaches them.
    backend.typedArrayFromHeap(ai).set(backend.typedArrayFromHeap(a).subarray(i * m * k, (i + 1) * m * k));
    backend.typedArrayFromHeap(bi).set(backend.typedArrayFromHeap(b).subarray(i * k * n, (i + 1) * k * n));
    const oi = original({ inputs: { a: ai, b: bi }, backend, attrs }) as tf.TensorInfo;
    backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(oi), i * m * n);
    for (const t of [ai, bi, oi]) backend.disposeData(t.dataId);
  }
  return out;
}

function lastAxis(axis: unknown, rank: number): boolean {
  const a: unknown = Array.isArray(axis) ? axis[0] : axis;
  return a === rank - 1 || a === -1;
}

function narrowConcat(original: Kernel): Kernel {
  return (args) => {
    const inputs = Object.values(args.inputs) as tf.TensorInfo[];
    const first = inputs[0];
    if (!first || first.dtype === 'string' || first.shape.length !== 2 || !lastAxis(args.attrs.axis, 2)) return original(args);
    const rows = first.shape[0]!;
    const widths = inputs.map((t) => t.shape[1]!);
    if (inputs.some((t) => t.shape.length !== 2 || t.shape[0] !== rows || t.dtype !== first.dtype) || Math.max(...widths) >= NARROW_ROW) return original(args);
    const total = widths.reduce((s, w) => s + w, 0);
    const out = args.backend.makeOutput([rows, total], first.dtype);
    const outValues = args.backend.typedArrayFromHeap(out);
    let offset = 0;
    inputs.forEach((input, i) => {
      const width = widths[i]!;
      const values = args.backend.typedArrayFromHeap(input);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < width; c++) outValues[r * total + offset + c] = values[r * width + c]!;
      }
      offset += width;
    });
    return out;
  };
}

function narrowSplit(original: Kernel): Kernel {
  return (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    if (x.dtype === 'string' || x.shape.length !== 2 || !lastAxis(args.attrs.axis, 2) || x.shape[1]! >= NARROW_ROW) return original(args);
    const [rows, width] = x.shape as [number, number];
    const sizes = tf.backend_util.prepareSplitSize(x, args.attrs.numOrSizeSplits as number | number[], 1);
    const values = args.backend.typedArrayFromHeap(x);
    let offset = 0;
    return sizes.map((size) => {
      const out = args.backend.makeOutput([rows, size], x.dtype);
      const outValues = args.backend.typedArrayFromHeap(out);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < size; c++) outValues[r * size + c] = values[r * width + offset + c]!;
      }
      offset += size;
      return out;
    });
  };
}
