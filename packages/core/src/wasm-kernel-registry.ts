import * as tf from '@tensorflow/tfjs';
import { checkTfjsInternals } from './tfjs-internals-guard.js';

/** The parts of the wasm backend that kernels written in TypeScript use (tfjs-backend-wasm 4.x). */
export interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

/** A wasm kernel's function, seeing the backend's internals. */
export type WasmKernel = (args: { inputs: tf.NamedTensorInfoMap; backend: WasmBackend; attrs: tf.NamedAttrMap }) => tf.TensorInfo | tf.TensorInfo[];

/** A faster kernel for some cases of `original`, handing every other case to it. */
export type WasmKernelWrapper = (original: WasmKernel) => WasmKernel;

/**
 * Replaces each named wasm kernel with its wrapper around the kernel
 * registered now (a stock one, or an earlier replacement). All or none: false,
 * changing nothing, when the wasm backend or one of the kernels is not
 * registered, or when the installed tfjs is not the release the wrappers were
 * verified against (they call the backend's internals). Not idempotent:
 * calling it twice wraps twice, so callers install once.
 */
export function wrapWasmKernels(wrappers: Record<string, WasmKernelWrapper>): boolean {
  if (!checkTfjsInternals().verified) return false;
  const configs = Object.keys(wrappers).map((name) => tf.getKernel(name, 'wasm') as tf.KernelConfig | undefined);
  if (configs.some((config) => !config)) return false;
  for (const config of configs as tf.KernelConfig[]) {
    const kernelFunc = wrappers[config.kernelName]!(config.kernelFunc);
    tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel({ ...config, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  return true;
}
