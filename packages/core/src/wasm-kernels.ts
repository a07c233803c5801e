import * as tf from '@tensorflow/tfjs';
import { type WasmBackend, type WasmKernel, wrapWasmKernels } from './wasm-kernel-registry.js';

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
 * - `SplitV` along the last axis into wide pieces (attention's Q, K, V out of
 *   one [posts, tokens, 3 x width] projection): the backend slices each piece
 *   element by element (USE-lite: ~4 ms a batch of 16 posts); this copies a
 *   row at a time (~0.5 ms).
 *
 * Idempotent; returns false, changing nothing, when the wasm backend is not
 * registered or the installed tfjs is not the release these kernels were
 * verified against (they call the backend's internals).
 */
export function useFastWasmKernels(): boolean {
  if (installed) return true;
  const transpose = tf.getKernel(tf.Transpose, 'wasm') as tf.KernelConfig | undefined;
  if (!transpose) return false;
  installed = wrapWasmKernels({
    [tf.BatchMatMul]: (matMul) => uprightMatMul(matMul, transpose.kernelFunc),
    [tf.Concat]: narrowConcat,
    [tf.SplitV]: lastAxisSplit,
  });
  return installed;
}

function uprightMatMul(original: WasmKernel, transpose: WasmKernel): WasmKernel {
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
function slicedMatMul(original: WasmKernel, a: tf.TensorInfo, b: tf.TensorInfo, backend: WasmBackend): tf.TensorInfo {
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

function narrowConcat(original: WasmKernel): WasmKernel {
  return (args) => {
    const inputs = Object.values(args.inputs) as tf.TensorInfo[];
    const first = inputs[0];
    if (!first || first.dtype === 'string' || first.shape.length !== 2 || !lastAxis(args.attrs.axis, 2)) return original(args);
    const rows = first.shape[0]!;
    const widths = inputs.map((t) => t.shape[1]!);
    if (inputs.some((t) => t.shape.length !== 2 || t.shape[0] !== rows || t.dtype !== first.dtype) || Math.max(...widths) >= NARROW_ROW) return original(args);
    const total = widths.reduce((s, w) => s + w, 0);
    const out = args.backend.makeOutput([rows, total], first.dtype);
    const to = args.backend.typedArrayFromHeap(out);
    let offset = 0;
    inputs.forEach((input, i) => {
      const width = widths[i]!;
      copyColumns(
        rows,
        width,
        { values: args.backend.typedArrayFromHeap(input), rowLength: width, column: 0 },
        { values: to, rowLength: total, column: offset },
      );
      offset += width;
    });
    return out;
  };
}

/**
 * `SplitV` along the last axis into copies of its pieces: of narrow 2-d rows
 * (all pieces narrower than `NARROW_ROW`), or of pieces all at least that wide;
 * any other split (another axis, narrow and wide pieces mixed) by `original`.
 */
function lastAxisSplit(original: WasmKernel): WasmKernel {
  return (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const rank = x.shape.length;
    if (x.dtype === 'string' || x.dtype === 'complex64' || rank < 2) return original(args);
    const axis = tf.util.parseAxisParam(args.attrs.axis as number, x.shape)[0];
    if (axis !== rank - 1) return original(args);
    const sizes = tf.backend_util.prepareSplitSize(x, args.attrs.numOrSizeSplits as number | number[], axis);
    const width = x.shape[axis]!;
    const narrow = rank === 2 && width < NARROW_ROW;
    if (!narrow && Math.min(...sizes) < NARROW_ROW) return original(args);
    const rows = x.shape.slice(0, -1).reduce((n, d) => n * d, 1);
    const outs = sizes.map((size) => args.backend.makeOutput([...x.shape.slice(0, -1), size], x.dtype));
    // Views are taken after makeOutput: growing the wasm heap detaches earlier ones.
    const from = args.backend.typedArrayFromHeap(x);
    let offset = 0;
    outs.forEach((out, i) => {
      const size = sizes[i]!;
      copyColumns(rows, size, { values: from, rowLength: width, column: offset }, { values: args.backend.typedArrayFromHeap(out), rowLength: size, column: 0 });
      offset += size;
    });
    return outs;
  };
}

/** Some columns of a row-major matrix: its values, the length of its rows, the first of the columns. */
interface Columns {
  values: tf.TypedArray;
  rowLength: number;
  column: number;
}

/** Copies `count` columns of `rows` rows: value by value when narrower than `NARROW_ROW`, else one `subarray().set()` per row. */
function copyColumns(rows: number, count: number, from: Columns, to: Columns): void {
  const [source, target] = [from.values, to.values];
  for (let r = 0; r < rows; r++) {
    const start = r * from.rowLength + from.column;
    const at = r * to.rowLength + to.column;
    if (count < NARROW_ROW) for (let c = 0; c < count; c++) target[at + c] = source[start + c]!;
    else target.set(source.subarray(start, start + count), at);
  }
}
