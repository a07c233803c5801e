import { tf } from '@mtl/core';
import { type WasmKernel, wrapWasmKernels } from '@mtl/core/internal';

let installed = false;

/**
 * `GatherV2` of whole rows (the token embedding lookup, 8002 x 256), which
 * USE-lite runs on every batch and the stock wasm kernel computes one element
 * at a time (a strided index per element; ~4 ms a batch of 16 posts), as one
 * copy per row (0.2 ms). It only moves values, so the vectors are bit for bit
 * the same. (The Q/K/V split's row copies are core's: `useFastWasmKernels`.)
 *
 * Installed on top of whatever is registered, falling back to it for any
 * other case. Idempotent; false, changing nothing, when the wasm backend is
 * not registered or the installed tfjs is not the release this was verified
 * against.
 */
export function useFastEncoderKernels(): boolean {
  if (installed) return true;
  installed = wrapWasmKernels({ [tf.GatherV2]: rowGather });
  return installed;
}

function rowGather(original: WasmKernel): WasmKernel {
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
