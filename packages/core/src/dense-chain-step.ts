import * as tf from '@tensorflow/tfjs';
import { heapOffset, type HostBackend, hostMemoryBackend, hostValues } from './host-memory.js';
import { maskedBceWithGradient, type MaskedLossOptions } from './masked-loss.js';
import { simdKernels } from './simd-kernels.js';
import { type SparseRows, sparseMatMul, sparseTransposedMatMul } from './sparse-rows.js';

export type Activation = 'relu' | 'linear' | 'sigmoid' | 'tanh';

/** One Dense layer of a chain, as the step needs it. */
export interface ChainLayer {
  kernel: tf.Variable;
  bias: tf.Variable;
  activation: Activation;
  /** A Dropout layer right after this one: its rate and its index among the model's dropout layers. */
  dropout?: { rate: number; index: number };
}

/** What tfjs-layers' Dense and Dropout expose at run time (their TypeScript types keep these private). */
interface LayerInternals {
  kernel?: { read(): tf.Variable };
  bias?: { read(): tf.Variable } | null;
  activation?: { getClassName(): string };
  rate?: number;
  noiseShape?: unknown;
  inboundNodes: Array<{ inboundLayers: tf.layers.Layer[] }>;
}

/** Loss and gradients of one batch, keyed by variable name as `Optimizer.applyGradients` wants them. */
export interface StepGradients {
  loss: number;
  grads: tf.NamedTensorMap;
}

/** The loss of a batch and its gradient with respect to the predictions. */
export type LossGradient = (yTrue: tf.Tensor2D, yPred: tf.Tensor2D) => { loss: number; grad: tf.Tensor2D };

/**
 * `x` is the batch, dense, or as its nonzero entries (sparse first layer, wasm
 * and cpu backends only). `dropoutSeed`: dropout layer k draws its mask with
 * seed `dropoutSeed + k`, as `seedDropout` sets it for the tape.
 */
export type DenseChainStep = (x: tf.Tensor2D | SparseRows, y: tf.Tensor2D, lossGradient: LossGradient, dropoutSeed?: number) => StepGradients;

/** Any loss, differentiated by tfjs (bit-for-bit what `minimize` computes). */
export function tapeLossGradient(lossFunction: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar): LossGradient {
  return (yTrue, yPred) => {
    const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => lossFunction(yTrue, p))(yPred);
    return { loss: value.dataSync()[0]!, grad: grad as tf.Tensor2D };
  };
}

/** The masked loss on probabilities, with its gradient computed on the host in one pass (see maskedBceWithGradient). */
export function hostMaskedBceGradient(options: MaskedLossOptions = {}): LossGradient {
  return (yTrue, yPred) => {
    const { loss, grad } = maskedBceWithGradient(yTrue.dataSync(), yPred.dataSync(), yPred.shape[1], options);
    return { loss, grad: tf.tensor2d(grad, yPred.shape) };
  };
}

const ACTIVATIONS: readonly string[] = ['relu', 'linear', 'sigmoid', 'tanh'];

/**
 * A training step for a plain chain of Dense layers, each optionally followed by
 * Dropout (what `buildMultiHeadModel` builds when no head has a hidden layer),
 * with the backward pass written out instead of recorded on tfjs' tape.
 *
 * It runs the kernels that `optimizer.minimize` runs for this model, in the same
 * order and on the same inputs, so loss and gradients are bit-for-bit the same
 * (tested) with `tapeLossGradient`; what it saves is the tape: the bookkeeping
 * and the tensor copies tfjs makes to keep inputs for the backward pass. The
 * loss comes in as a function giving its gradient with respect to the
 * predictions: any tfjs loss through `tapeLossGradient`, or the masked loss
 * computed on the host (`hostMaskedBceGradient`, ~50 kernels fewer).
 *
 * Given the batch as its nonzero entries (`SparseRows`), the first layer
 * gathers the kernel rows of the nonzero columns forward and scatter-adds into
 * the kernel's gradient backward: work in proportion to the nonzeros, not to
 * rows x inputs (fingerprints: ~30x less). That layer then agrees with the
 * dense path to float32 rounding (the sums run in another order), not bit for bit.
 *
 * Returns undefined for any other model: the trainer then uses `minimize`.
 */
export function denseChainStep(model: tf.LayersModel): DenseChainStep | undefined {
  const chain = denseChain(model);
  if (!chain) return undefined;
  return (x, y, lossGradient, dropoutSeed = 0) => {
    // Forward, keeping what the backward pass reads.
    const saved: Saved[] = [];
    let a: tf.Tensor2D | undefined;
    for (const [i, layer] of chain.entries()) {
      const step =
        i === 0 && !(x instanceof tf.Tensor)
          ? withDropout(sparseDenseForward(x, layer), layer, dropoutSeed)
          : forward(a ?? (x as tf.Tensor2D), layer, dropoutSeed);
      saved.push(step);
      a = step.out;
    }
    if (!a) throw new Error('denseChainStep: a chain has at least one layer');
    const { loss, grad } = lossGradient(y, a);
    // Backward, last layer first.
    const grads: tf.NamedTensorMap = {};
    let dy = grad;
    for (let i = chain.length - 1; i >= 0; i--) {
      const { dx, dKernel, dBias } = saved[i]!.sparse ? sparseBackward(dy, saved[i]!, chain[i]!) : backward(dy, saved[i]!, chain[i]!, i > 0);
      grads[chain[i]!.kernel.name] = dKernel;
      grads[chain[i]!.bias.name] = dBias;
      if (dx) dy = dx;
    }
    // Keys in the order the tape would give them: variables in layer order.
    const ordered: tf.NamedTensorMap = {};
    for (const layer of chain) {
      ordered[layer.kernel.name] = grads[layer.kernel.name]!;
      ordered[layer.bias.name] = grads[layer.bias.name]!;
    }
    return { loss, grads: ordered };
  };
}

/** A layer's input (dense, or sparse for a sparse first layer), pre-activation (relu only: its gradient reads it), activation, dropout multiplier and output. */
interface Saved {
  a?: tf.Tensor2D;
  sparse?: SparseRows;
  heapRows?: HeapRows;
  z?: tf.Tensor2D;
  y: tf.Tensor2D;
  multiplier?: tf.Tensor;
  out: tf.Tensor2D;
}

/**
 * The layer as tfjs-layers' Dense computes it while gradients are recorded: relu
 * unfused (matMul, add, relu), linear as one fused matMul with the bias, other
 * activations as a fused matMul, then the bias, then the activation.
 */
function forward(a: tf.Tensor2D, layer: ChainLayer, dropoutSeed: number): Saved {
  return withDropout(denseForward(a, layer), layer, dropoutSeed);
}

function withDropout(dense: Omit<Saved, 'out' | 'multiplier'>, layer: ChainLayer, dropoutSeed: number): Saved {
  if (!layer.dropout) return { ...dense, out: dense.y };
  // tf.dropout's own arithmetic, with the seed the tape path would give this layer.
  const keep = 1 - layer.dropout.rate;
  const multiplier = tf.div(tf.floor(tf.add(tf.randomUniform(dense.y.shape, 0, 1, 'float32', dropoutSeed + layer.dropout.index), keep)), keep);
  return { ...dense, multiplier, out: tf.mul<tf.Tensor2D>(dense.y, multiplier) };
}

function denseForward(a: tf.Tensor2D, layer: ChainLayer): { a: tf.Tensor2D; z?: tf.Tensor2D; y: tf.Tensor2D } {
  if (layer.activation === 'relu') {
    const z = tf.add<tf.Tensor2D>(tf.matMul(a, layer.kernel), layer.bias);
    return { a, z, y: tf.relu(z) };
  }
  if (layer.activation === 'linear') return { a, y: tf.fused.matMul({ a, b: layer.kernel, bias: layer.bias, activation: 'linear' }) as tf.Tensor2D };
  const z = tf.add<tf.Tensor2D>(tf.fused.matMul({ a, b: layer.kernel }), layer.bias);
  return { a, y: layer.activation === 'sigmoid' ? tf.sigmoid(z) : tf.tanh(z) };
}

/**
 * Inference through a plain Dense chain (dropout off, as `model.predict`) whose
 * first layer takes its inputs as their nonzero entries; undefined for any
 * other model. Agrees with `model.predict` to float32 rounding.
 */
export function sparseChainForward(model: tf.LayersModel): ((x: SparseRows) => tf.Tensor2D) | undefined {
  const chain = denseChain(model);
  if (!chain) return undefined;
  return (x) => {
    let a = sparseDenseForward(x, chain[0]!).y;
    for (const layer of chain.slice(1)) a = denseForward(a, layer).y;
    return a;
  };
}

/** A sparse batch's entries as tensors on the wasm heap, where the SIMD kernels read them. */
interface HeapRows {
  rowStart: tf.Tensor;
  columns: tf.Tensor;
  values: tf.Tensor;
}

/** The layer on a sparse batch: x · kernel gathered from the kernel rows of the nonzero columns, then the bias and the activation, as `denseForward`. */
function sparseDenseForward(x: SparseRows, layer: ChainLayer): Omit<Saved, 'out' | 'multiplier'> {
  const backend = hostMemoryBackend();
  if (!backend) throw new Error(`denseChainStep: a sparse batch needs the wasm or cpu backend, not ${tf.getBackend()}`);
  const [inputs, units] = layer.kernel.shape as [number, number];
  if (x.cols !== inputs) throw new Error(`denseChainStep: the sparse batch has ${x.cols} columns, the first layer ${inputs} inputs`);
  const simd = simdKernels();
  let product: tf.Tensor2D;
  let heapRows: HeapRows | undefined;
  if (simd) {
    heapRows = { rowStart: tf.tensor1d(x.rowStart, 'int32'), columns: tf.tensor1d(x.columns, 'int32'), values: tf.tensor1d(x.values, 'float32') };
    product = zerosOnHeap(backend, [x.rows, units]);
    const at = (t: tf.Tensor) => heapOffset(backend, t);
    simd.gatherRows(at(product), at(layer.kernel), at(heapRows.rowStart), at(heapRows.columns), at(heapRows.values), x.rows, units);
  } else {
    const values = new Float32Array(x.rows * units);
    sparseMatMul(x, hostValues(backend, layer.kernel), units, values);
    product = tf.tensor2d(values, [x.rows, units]);
  }
  const z = tf.add<tf.Tensor2D>(product, layer.bias);
  const sparse = { sparse: x, ...(heapRows ? { heapRows } : {}) };
  if (layer.activation === 'relu') return { ...sparse, z, y: tf.relu(z) };
  if (layer.activation === 'linear') return { ...sparse, y: z };
  return { ...sparse, y: layer.activation === 'sigmoid' ? tf.sigmoid(z) : tf.tanh(z) };
}

/** The sparse first layer's gradients: through the activation as `backward`, then the kernel's by scatter-adding into the rows of the nonzero columns. */
function sparseBackward(dOut: tf.Tensor2D, saved: Saved, layer: ChainLayer): { dx?: tf.Tensor2D; dKernel: tf.Tensor; dBias: tf.Tensor } {
  const { heapRows } = saved;
  const dz = preActivationGradient(dOut, saved, layer.activation);
  const dBias = tf.reshape(tf.sum(dz, [0]), layer.bias.shape);
  const [inputs, units] = layer.kernel.shape as [number, number];
  const backend = hostMemoryBackend()!;
  const simd = simdKernels();
  if (simd && heapRows) {
    const dKernel = zerosOnHeap(backend, [inputs, units]);
    const at = (t: tf.Tensor) => heapOffset(backend, t);
    simd.scatterRows(at(dKernel), at(dz), at(heapRows.rowStart), at(heapRows.columns), at(heapRows.values), saved.sparse!.rows, units);
    return { dKernel, dBias };
  }
  // A fresh array: the cpu backend keeps the array a tensor is made from.
  const dKernel = new Float32Array(inputs * units);
  sparseTransposedMatMul(saved.sparse!, hostValues(backend, dz), units, dKernel);
  return { dKernel: tf.tensor2d(dKernel, [inputs, units]), dBias };
}

/** A new float32 tensor of zeros on the wasm heap, cleared by a native fill (the backend's Fill kernel loops in JS: 1.4 ms for 1M values). */
function zerosOnHeap(backend: HostBackend, shape: [number, number]): tf.Tensor2D {
  const tensor = tf.engine().makeTensorFromTensorInfo(backend.makeOutput!(shape, 'float32')) as tf.Tensor2D;
  hostValues(backend, tensor).fill(0);
  return tensor;
}

/** The gradient functions tfjs-core 4.x registers for these ops, applied in the order its tape applies them. */
function backward(dOut: tf.Tensor2D, saved: Saved, layer: ChainLayer, needDx: boolean): { dx?: tf.Tensor2D; dKernel: tf.Tensor; dBias: tf.Tensor } {
  const a = saved.a!;
  const kernel = layer.kernel as tf.Tensor2D;
  const dz = preActivationGradient(dOut, saved, layer.activation);
  // Linear is one fused matMul with the bias: its own gradient gives dBias.
  if (layer.activation === 'linear') return fusedLinearBackward(dz, a, kernel, layer.bias, needDx);
  const dBias = tf.reshape(tf.sum(dz, [0]), layer.bias.shape);
  if (layer.activation === 'relu') {
    const dKernel = tf.matMul(a, dz, true, false);
    return { dKernel, dBias, dx: needDx ? tf.matMul<tf.Tensor2D>(dz, kernel, false, true) : undefined };
  }
  const { dx, dKernel } = fusedLinearBackward(dz, a, kernel, undefined, needDx);
  return { dx, dKernel, dBias };
}

/** The gradient with respect to a layer's pre-activation: back through dropout's multiplication (Multiply's gradient), then the activation's. */
function preActivationGradient(dOut: tf.Tensor2D, { z, y, multiplier }: Saved, activation: Activation): tf.Tensor2D {
  const dy = multiplier ? tf.mul<tf.Tensor2D>(dOut, tf.cast(multiplier, 'float32')) : dOut;
  if (activation === 'relu') return tf.mul<tf.Tensor2D>(dy, tf.cast(tf.step(z!), 'float32'));
  if (activation === 'linear') return dy;
  if (activation === 'sigmoid') return tf.mul<tf.Tensor2D>(dy, tf.mul(y, tf.sub(tf.scalar(1), y)));
  return tf.mul<tf.Tensor2D>(tf.sub(tf.scalar(1), tf.square(y)), dy);
}

/** Gradient of tfjs' fused matMul with 'linear' activation (its custom gradient, on 3-D views). */
function fusedLinearBackward(
  dy: tf.Tensor2D,
  a: tf.Tensor2D,
  kernel: tf.Tensor2D,
  bias: tf.Tensor | undefined,
  needDx: boolean,
): { dx?: tf.Tensor2D; dKernel: tf.Tensor; dBias: tf.Tensor } {
  const [rows, inner] = a.shape;
  const units = kernel.shape[1];
  const dy3 = tf.reshape(dy, [1, rows, units]);
  const a3 = tf.reshape(a, [1, rows, inner]);
  const kernel3 = tf.reshape(kernel, [1, inner, units]);
  const dKernel = tf.reshape(tf.matMul(a3, dy3, true, false), kernel.shape);
  const dx = needDx ? tf.reshape<tf.Rank.R2>(tf.matMul(dy3, kernel3, false, true), a.shape) : undefined;
  const dBias = bias ? tf.reshape(tf.sum(dy3, [0, 1]), bias.shape) : tf.zeros([units]);
  return { dx, dKernel, dBias };
}

/** The model's Dense layers when it is input -> Dense [-> Dropout] -> ... -> Dense and nothing else; otherwise undefined. */
export function denseChain(model: tf.LayersModel): ChainLayer[] | undefined {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return undefined;
  const [input, ...layers] = model.layers;
  if (!input || input.getClassName() !== 'InputLayer' || layers.length === 0) return undefined;
  const chain: ChainLayer[] = [];
  let previous: tf.layers.Layer = input;
  let dropouts = 0;
  for (const layer of layers) {
    const internals = layer as unknown as LayerInternals;
    if (
      internals.inboundNodes.length !== 1 ||
      internals.inboundNodes[0]!.inboundLayers.length !== 1 ||
      internals.inboundNodes[0]!.inboundLayers[0] !== previous
    )
      return undefined;
    previous = layer;
    if (layer.getClassName() === 'Dropout') {
      const last = chain.at(-1);
      const rate = internals.rate ?? 0;
      // Only right after a Dense layer, once, element-wise (no noise shape).
      if (!last || last.dropout || internals.noiseShape != null || !(rate >= 0 && rate < 1)) return undefined;
      if (rate > 0) last.dropout = { rate, index: dropouts };
      dropouts++;
      continue;
    }
    const activation = internals.activation?.getClassName() ?? '';
    if (layer.getClassName() !== 'Dense' || !ACTIVATIONS.includes(activation) || !internals.kernel || !internals.bias) return undefined;
    const kernel = internals.kernel.read();
    const bias = internals.bias.read();
    if (kernel.rank !== 2 || !kernel.trainable || !bias.trainable) return undefined;
    chain.push({ kernel, bias, activation: activation as Activation });
  }
  if (model.outputs[0] !== (previous.inboundNodes[0] as unknown as { outputTensors: tf.SymbolicTensor[] }).outputTensors[0]) return undefined;
  return chain;
}
