import { tf } from '@mtl/core';
import { checkTfjsInternals } from '@mtl/core/internal';

/** The parts of the wasm backend these kernels use (tfjs-backend-wasm 4.x). */
interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

type Kernel = (args: { inputs: tf.NamedTensorInfoMap; backend: WasmBackend; attrs: tf.NamedAttrMap }) => tf.TensorInfo | tf.TensorInfo[];

/** Rows narrower than this are left to the kernel underneath (core's narrow split copies those value by value). */
const WIDE_ROW = 64;

let installed = false;

/**
 * Two wasm kernels that USE-lite runs on every batch and that the stock
 * backend computes one element at a time, replaced by row copies. Both
 * only move values, so the vectors are bit for bit the same:
 *
 * - `GatherV2` of whole rows (the token embedding lookup, 8002 x 256): the
 *   stock kernel computes a strided index per element; ~4 ms a batch of 16
 *   posts, 0.2 ms as one copy per row.
 * - `SplitV` along the last axis into wide pieces (attention's Q, K, V out of
 *   one [posts, tokens, 3 x width] projection): the stock kernel slices each
 *   piece element by element; ~4 ms a batch, ~0.5 ms as row copies.
 *
 * Installed on top of whatever is registered (core's `useFastWasmKernels`
 * included), falling back to it for any other case. Idempotent; false,
 * changing nothing, when the wasm backend is not registered or the installed
 * tfjs is not the release these were verified against.
 */
export function useFastEncoderKernels(): boolean {
  if (installed) return true;
  if (!checkTfjsInternals().verified) return false;
  const gather = tf.getKernel(tf.GatherV2, 'wasm');
  const splitV = tf.getKernel(tf.SplitV, 'wasm');
  if (!gather || !splitV) return false;
  replace(gather, rowGather(gather.kernelFunc));
  replace(splitV, wideSplit(splitV.kernelFunc));
  installed = true;
  return true;
}

function replace(config: tf.KernelConfig, kernelFunc: Kernel): void {
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel({ ...config, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

function rowGather(original: Kernel): Kernel {
  return (args) => {
    const { x, indices } = args.inputs as unknown as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
    const rank = x.shape.length;
    const onRows = (axis === 0 || axis === -rank) && (batchDims ?? 0) === 0;
    if (!onRows || rank < 1 || x.dtype === 'string' || x.dtype === 'complex64' || indices.dtype !== 'int32') return original(args);
    const rows = x.shape[0]!;
    const width = x.shape.slice(1).reduce((n, d) => n * d, 1);
    const ids = args.backend.typedArrayFromHeap(indices);
    for (const id of ids) {
      // The stock kernel's check and message.
      if (!(id >= 0 && id <= rows - 1)) throw new Error(`GatherV2: the index value ${id} is not in [0, ${rows - 1}]`);
    }
    const out = args.backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    // Views are taken after makeOutput: growing the wasm heap detaches earlier ones.
    const from = args.backend.typedArrayFromHeap(x);
    const to = args.backend.typedArrayFromHeap(out);
    const at = args.backend.typedArrayFromHeap(indices);
    for (let i = 0; i < at.length; i++) to.set(from.subarray(at[i]! * width, (at[i]! + 1) * width), i * width);
    return out;
  };
}

function wideSplit(original: Kernel): Kernel {
  return (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const rank = x.shape.length;
    const axis = tf.util.parseAxisParam(args.attrs.axis as number, x.shape)[0];
    if (x.dtype === 'string' || x.dtype === 'complex64' || rank < 2 || axis !== rank - 1) return original(args);
    const sizes = tf.backend_util.prepareSplitSize(x, args.attrs.numOrSizeSplits as number | number[], axis);
    if (Math.min(...sizes) < WIDE_ROW) return original(args);
    const width = x.shape[axis]!;
    const rows = x.shape.slice(0, -1).reduce((n, d) => n * d, 1);
    const outs = sizes.map((size) => args.backend.makeOutput([...x.shape.slice(0, -1), size], x.dtype));
    const values = args.backend.typedArrayFromHeap(x);
    let offset = 0;
    outs.forEach((out, i) => {
      const size = sizes[i]!;
      const to = args.backend.typedArrayFromHeap(out);
      for (let r = 0; r < rows; r++) to.set(values.subarray(r * width + offset, r * width + offset + size), r * size);
      offset += size;
    });
    return outs;
  };
}
