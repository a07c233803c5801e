import * as tf from '@tensorflow/tfjs';

/** Backends whose tensors live in memory this process can view and write (wasm heap, cpu arrays). */
export type HostBackend = tf.KernelBackend & {
  refCount(dataId: object): number;
  typedArrayFromHeap?(info: tf.TensorInfo): tf.TypedArray;
  makeOutput?(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  data?: { get(dataId: object): { values?: tf.TypedArray } | undefined };
};

/** The active backend when its tensors live in this process's memory (wasm, cpu): host-side work pays off there. */
export function hostMemoryBackend(): HostBackend | undefined {
  const name = tf.getBackend();
  return name === 'wasm' || name === 'cpu' ? tf.backend() : undefined;
}

/** The live float32 values of a tensor: a view that writes go through (on wasm, valid until the next tensor allocation). */
export function hostValues(backend: HostBackend, tensor: tf.Tensor): Float32Array {
  const array = backend.typedArrayFromHeap ? backend.typedArrayFromHeap(tensor) : backend.data?.get(tensor.dataId)?.values;
  if (!(array instanceof Float32Array) || array.length !== tensor.size)
    throw new Error(`no float32 storage on the ${tf.getBackend()} backend for tensor ${tensor.id}`);
  return array;
}

/** Where a tensor's values start in the wasm heap, in bytes: what WebAssembly kernels on that heap take (any dtype). */
export function heapOffset(backend: HostBackend, tensor: tf.Tensor): number {
  if (!backend.typedArrayFromHeap) throw new Error(`no wasm heap on the ${tf.getBackend()} backend`);
  return backend.typedArrayFromHeap(tensor).byteOffset;
}
