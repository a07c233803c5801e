// @mtl/core/internal: the trainer's fast paths, for benchmarks and for code
// that wants them outside the trainer. UNSTABLE: no compatibility promise
// between versions of this package. Every piece here reads tfjs internals
// (private fields, kernel registry, backend heap, gradient order) of tfjs 4.22
// and was verified against that release only; check `checkTfjsInternals()`
// before relying on one (the trainer does, and `wrapWasmKernels`, hence
// `useFastWasmKernels`, refuses another release by itself).

// The guard: is the installed tfjs the release these were verified against?
export { checkTfjsInternals, VERIFIED_TFJS_VERSION } from './tfjs-internals-guard.js';
export type { TfjsInternalsCheck } from './tfjs-internals-guard.js';

// A training step without tfjs' tape, for plain Dense chains.
export { denseChainStep, hostMaskedBceGradient, tapeLossGradient } from './dense-chain-step.js';
export type { DenseChainStep, LossGradient, StepGradients } from './dense-chain-step.js';

// Adam updating each variable in one pass (wasm and cpu backends).
export { FusedAdamOptimizer } from './fused-adam.js';

// Faster replacements for three wasm kernels.
export { useFastWasmKernels } from './wasm-kernels.js';

// Replacing a wasm kernel with one written on the backend's heap (falling back to the one it replaces).
export { wrapWasmKernels } from './wasm-kernel-registry.js';
export type { WasmBackend, WasmKernel, WasmKernelWrapper } from './wasm-kernel-registry.js';

// A batch as its nonzero entries, for the dense-chain step's sparse first layer.
export { nonzeroShare, sparseRows } from './sparse-rows.js';
export type { SparseRows } from './sparse-rows.js';

// WebAssembly SIMD on the wasm backend's heap: Adam, sparse gather and scatter-add.
export { simdKernels } from './simd-kernels.js';
export type { SimdKernels } from './simd-kernels.js';
