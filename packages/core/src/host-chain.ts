import * as tf from '@tensorflow/tfjs';
import { type ChainLayer, denseChain } from './dense-chain-step.js';
import { DENSE_CHAIN_WASM } from './dense-chain-wasm.js';
import type { AdamInternals } from './fused-adam.js';
import type { MaskedLossOptions } from './masked-loss.js';
import { createMatrix, type Matrix } from './matrix.js';
import { ChainThread } from './host-chain-thread.js';
import { availableParallelism } from 'node:os';

/** Rows per block in the kernel (native/dense-chain.c `R`). */
const BLOCK_ROWS = 8;
const MAX_LAYERS = 8;
/** Widest layer the kernel takes: beyond it tfjs' packed GEMMs do better than the kernel's eight-row blocks. */
const MAX_WIDTH = 512;
/** Most features x rows copied into the kernel's memory (it keeps its own copy of the training rows). */
const MAX_VALUES = 64 * 1024 * 1024;
/** Multiply-adds per batch from which a second thread pays for its hand-over (~0.1 ms a step). */
const THREAD_WORK = 4_000_000;

/** The WebAssembly API as used here (the project's TypeScript libs do not declare it). */
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The exports of native/dense-chain.c; pointers are byte offsets in `memory`. */
interface ChainExports {
  memory: WasmMemory;
  __heap_base: { value: number };
  transpose(chain: number): void;
  labelled(chain: number, ids: number, n: number): number;
  gradient(chain: number, ids: number, n: number, scale: number, grad: number): number;
  add(a: number, b: number, n: number): void;
  clear(a: number, n: number): void;
  adam(chain: number, g: number, ...scalars: number[]): void;
  predict(chain: number, x: number, n: number, out: number): void;
}

let compiled: object | undefined;
const f32 = Math.fround;

/** Why a model or its data cannot take the host chain; undefined when it can. */
export function hostChainRefusal(model: tf.LayersModel, x: Matrix, loss: MaskedLossOptions | undefined): string | undefined {
  const chain = denseChain(model);
  if (!chain) return 'not a plain chain of Dense layers';
  if (chain.length > MAX_LAYERS) return `more than ${MAX_LAYERS} Dense layers`;
  if (chain.some((l) => l.dropout)) return 'dropout';
  if (chain.at(-1)!.activation !== 'sigmoid') return 'the output is not sigmoid';
  if (chain.slice(0, -1).some((l) => l.activation !== 'relu' && l.activation !== 'linear')) return 'a hidden activation other than relu or linear';
  if (chain.some((l) => l.kernel.shape[0] > MAX_WIDTH || l.kernel.shape[1]! > MAX_WIDTH)) return `a layer wider than ${MAX_WIDTH}`;
  if (x.rows * x.cols > MAX_VALUES) return 'more training values than the kernel copies';
  if (loss?.fromLogits) return 'a loss on logits';
  return undefined;
}

/**
 * Trains a plain Dense chain (relu or linear hidden layers, sigmoid output,
 * no dropout) under the masked binary cross-entropy with one WebAssembly call
 * per batch: forward, loss, backward and Adam (native/dense-chain.c). The
 * kernel keeps the training rows, the weights and Adam's moments in its own
 * memory; `pull` takes them from the model and the optimizer, `push` gives
 * them back (before anything reads the model: evaluation, checkpoints, the
 * end of training), so checkpoints and resume are tfjs' own.
 *
 * Adam's update is bit-for-bit tfjs'; the gradients agree with tfjs' to
 * float32 rounding (sums in another order: tested). A batch's gradient is the
 * sum of its two halves, each summed on its own: the same result whether one
 * thread or two compute them.
 */
export class HostChain {
  private readonly exports: ChainExports;
  private readonly layers: ChainLayer[];
  /** Floats (or int32s) from the start of memory, per region. */
  private readonly at: Record<
    'chain' | 'x' | 'y' | 'taskWeight' | 'positiveWeight' | 'weights' | 'transposed' | 'm' | 'v' | 'grad0' | 'grad1' | 'ids' | 'out',
    number
  >;
  private readonly params: number;
  private readonly shape: Array<{ in: number; out: number; outp: number; w: number; b: number }>;
  private readonly rows: number;
  private readonly tasks: number;
  private readonly bytes: number;
  private thread: ChainThread | undefined;
  private accBeta1 = 0;
  private accBeta2 = 0;
  private steps = 0;

  /**
   * The chain for this model and these rows, or undefined when it cannot take
   * them (`hostChainRefusal`). `threads`: 2 computes the second half of each
   * batch on a second thread; default 2 when the machine has two cores and a
   * batch is big enough to pay for the hand-over, else 1. Same results either way.
   */
  static create(
    model: tf.LayersModel,
    train: { x: Matrix; y: Matrix },
    options: { loss?: MaskedLossOptions; batchSize: number; threads?: 1 | 2 },
  ): HostChain | undefined {
    if (hostChainRefusal(model, train.x, options.loss)) return undefined;
    const chain = new HostChain(denseChain(model)!, train, options.loss ?? {});
    const work = options.batchSize * chain.shape.reduce((sum, s) => sum + 3 * s.in * s.out, 0);
    const threads = options.threads ?? (availableParallelism() >= 2 && work >= THREAD_WORK ? 2 : 1);
    if (threads === 2) chain.startThread();
    return chain;
  }

  /** Whether a second thread computes half of each batch. */
  get threads(): 1 | 2 {
    return this.thread ? 2 : 1;
  }

  /** Stops the second thread, if any. */
  dispose(): void {
    this.thread?.close();
    this.thread = undefined;
  }

  private startThread(): void {
    const at = this.at;
    const image = this.exports.memory.buffer.slice(0, this.bytes);
    this.thread = new ChainThread(compiled!, image, {
      chain: at.chain * 4,
      weights: at.weights * 4,
      grad: at.grad1 * 4,
      ids: at.ids * 4,
      params: this.params,
      rows: this.rows,
    });
  }

  private constructor(layers: ChainLayer[], train: { x: Matrix; y: Matrix }, loss: MaskedLossOptions) {
    compiled ??= new wasmApi.Module(Buffer.from(DENSE_CHAIN_WASM, 'base64'));
    this.exports = new wasmApi.Instance(compiled, {}).exports as ChainExports;
    this.layers = layers;
    this.rows = train.x.rows;
    this.tasks = train.y.cols;
    const pad = (n: number) => Math.ceil(n / 4) * 4;
    let params = 0;
    let transposed = 0;
    let scratch = 0;
    const shape = layers.map((l) => {
      const [inputs, outputs] = l.kernel.shape as [number, number];
      const outp = pad(outputs);
      const w = params;
      const b = w + inputs * outp;
      params = b + outp;
      return { in: inputs, out: outputs, outp, w, b };
    });
    this.shape = shape;
    this.params = params;
    const inp = shape.map((s) => pad(s.in));
    const wt = shape.map((s, l) => {
      const offset = transposed;
      transposed += s.out * inp[l]!;
      return offset;
    });
    const act = [0];
    scratch = BLOCK_ROWS * inp[0]!;
    for (const s of shape) {
      act.push(scratch);
      scratch += BLOCK_ROWS * s.outp;
    }
    const widest = Math.max(...inp, ...shape.map((s) => s.outp));
    const tp = shape.at(-1)!.outp;
    // Regions in floats, each 16-byte aligned.
    let next = Math.ceil(this.exports.__heap_base.value / 16) * 4;
    const region = (floats: number) => {
      const start = next;
      next += Math.ceil(floats / 4) * 4;
      return start;
    };
    const chainHeader = 1 + 9 * MAX_LAYERS + 1 + 4 + 11;
    this.at = {
      chain: region(chainHeader),
      x: region(train.x.data.length),
      y: region(train.y.data.length),
      taskWeight: region(tp),
      positiveWeight: region(tp),
      weights: region(params),
      transposed: region(transposed),
      m: region(params),
      v: region(params),
      grad0: region(params),
      grad1: region(params),
      ids: region(this.rows),
      out: region(0),
    };
    const scratchAt = region(scratch);
    const deltaAt = region(2 * BLOCK_ROWS * widest);
    const blockIdsAt = region(BLOCK_ROWS);
    this.bytes = next * 4;
    this.ensure(this.bytes);
    const ints = new Int32Array(this.exports.memory.buffer);
    const floats = new Float32Array(this.exports.memory.buffer);
    // The Chain struct, field by field in native/dense-chain.c's order.
    let p = this.at.chain;
    const put = (values: number[], length = values.length) => {
      for (let i = 0; i < length; i++) ints[p++] = values[i] ?? 0;
    };
    put([layers.length]);
    const relu = layers.map((l) => (l.activation === 'relu' ? 1 : 0));
    // in, out, inp, outp, relu, w, b, wt: one int per layer slot each.
    for (const field of [shape.map((s) => s.in), shape.map((s) => s.out), inp, shape.map((s) => s.outp), relu, shape.map((s) => s.w), shape.map((s) => s.b)])
      put(field, MAX_LAYERS);
    put(wt, MAX_LAYERS);
    put(act, MAX_LAYERS + 1);
    put([params, train.x.cols, this.tasks, BLOCK_ROWS * widest]);
    const at = this.at;
    put(
      [at.x, at.y, at.taskWeight, at.positiveWeight, at.weights, at.transposed, at.m, at.v, scratchAt, deltaAt, blockIdsAt].map((floatIndex) => floatIndex * 4),
    );
    floats.set(train.x.data, at.x);
    floats.set(train.y.data, at.y);
    for (let t = 0; t < this.tasks; t++) {
      floats[at.taskWeight + t] = loss.taskWeights?.[t] ?? 1;
      floats[at.positiveWeight + t] = loss.positiveWeights?.[t] ?? 1;
    }
  }

  /** Takes the model's weights and Adam's state (moments, powers of beta) into the kernel. */
  pull(optimizer: tf.AdamOptimizer): void {
    const adam = optimizer as unknown as AdamInternals;
    const floats = this.floats();
    for (const [l, layer] of this.layers.entries()) {
      const s = this.shape[l]!;
      const variables = [layer.kernel, layer.bias];
      for (const [k, variable] of variables.entries()) {
        const slot = 2 * l + k;
        const place = (values: ArrayLike<number>, base: number) => this.place(floats, values, base + (k === 0 ? s.w : s.b), k === 0 ? s.in : 1, s.out, s.outp);
        place(variable.dataSync(), this.at.weights);
        const m = adam.accumulatedFirstMoment[slot]?.variable;
        const v = adam.accumulatedSecondMoment[slot]?.variable;
        place(m ? m.dataSync() : new Float32Array(variable.size), this.at.m);
        place(v ? v.dataSync() : new Float32Array(variable.size), this.at.v);
      }
    }
    this.accBeta1 = adam.accBeta1.dataSync()[0]!;
    this.accBeta2 = adam.accBeta2.dataSync()[0]!;
    this.steps = 0;
    this.exports.transpose(this.at.chain * 4);
  }

  /** The order of the training rows for the coming steps (an epoch's permutation). */
  order(permutation: Int32Array): void {
    if (permutation.length !== this.rows) throw new Error(`a permutation of ${permutation.length} rows for ${this.rows} training rows`);
    new Int32Array(this.exports.memory.buffer).set(permutation, this.at.ids);
    if (this.thread && !this.thread.usable()) this.thread = undefined;
    this.thread?.order(permutation);
  }

  /** One Adam step on the rows [start, end) of the order; returns the batch's mean masked loss. */
  step(start: number, end: number, optimizer: tf.AdamOptimizer): number {
    const adam = optimizer as unknown as AdamInternals;
    const e = this.exports;
    const ids = (this.at.ids + start) * 4;
    const n = end - start;
    const count = e.labelled(this.at.chain * 4, ids, n);
    const scale = 1 / Math.max(count, 1);
    // Two halves, each summed on its own (see the class comment); the first a whole number of blocks.
    const half = Math.ceil(n / 2 / BLOCK_ROWS) * BLOCK_ROWS;
    const g0 = this.at.grad0 * 4;
    const g1 = this.at.grad1 * 4;
    const thread = n > half ? this.thread : undefined;
    thread?.start(start + half, n - half, scale, this.floats().subarray(this.at.weights, this.at.weights + this.params));
    e.clear(g0, this.params);
    let loss = e.gradient(this.at.chain * 4, ids, Math.min(half, n), scale, g0);
    if (thread) {
      loss += thread.finish();
      this.floats().set(thread.gradient, this.at.grad1);
      e.add(g0, g1, this.params);
    } else if (n > half) {
      e.clear(g1, this.params);
      loss += e.gradient(this.at.chain * 4, ids + half * 4, n - half, scale, g1);
      e.add(g0, g1, this.params);
    }
    e.adam(
      this.at.chain * 4,
      g0,
      f32(adam.beta1),
      f32(adam.beta2),
      f32(1 - adam.beta1),
      f32(1 - adam.beta2),
      f32(1 - this.accBeta1),
      f32(1 - this.accBeta2),
      f32(adam.epsilon),
      f32(-adam.learningRate),
    );
    this.accBeta1 = f32(this.accBeta1 * f32(adam.beta1));
    this.accBeta2 = f32(this.accBeta2 * f32(adam.beta2));
    this.steps++;
    e.transpose(this.at.chain * 4);
    return loss / Math.max(count, 1);
  }

  /** Gives the weights and Adam's state back to the model and the optimizer (creating the moments on a first push). */
  push(optimizer: tf.AdamOptimizer): void {
    const adam = optimizer as unknown as AdamInternals;
    const floats = this.floats();
    for (const [l, layer] of this.layers.entries()) {
      const s = this.shape[l]!;
      for (const [k, variable] of [layer.kernel, layer.bias].entries()) {
        const slot = 2 * l + k;
        const take = (base: number) => this.take(floats, base + (k === 0 ? s.w : s.b), k === 0 ? s.in : 1, s.out, s.outp);
        assign(variable, take(this.at.weights));
        adam.accumulatedFirstMoment[slot] ??= { originalName: `${variable.name}/m`, variable: tf.tidy(() => tf.zerosLike(variable).variable(false)) };
        adam.accumulatedSecondMoment[slot] ??= { originalName: `${variable.name}/v`, variable: tf.tidy(() => tf.zerosLike(variable).variable(false)) };
        assign(adam.accumulatedFirstMoment[slot].variable, take(this.at.m));
        assign(adam.accumulatedSecondMoment[slot].variable, take(this.at.v));
      }
    }
    assign(adam.accBeta1, new Float32Array([this.accBeta1]));
    assign(adam.accBeta2, new Float32Array([this.accBeta2]));
    for (; this.steps > 0; this.steps--) adam.incrementIterations();
  }

  /**
   * The model's outputs for the rows of `x` with the kernel's weights (those of
   * the model after `push`): what `model.predict` gives, to float32 rounding,
   * without a trip through tfjs. Rows go through in chunks above the kernel's own data.
   */
  predict(x: Matrix, chunkRows = 8192): Matrix {
    const inputs = this.layers[0]!.kernel.shape[0];
    if (x.cols !== inputs) throw new Error(`${x.cols} features, but the model takes ${inputs}`);
    const out = createMatrix(x.rows, this.tasks);
    const rows = Math.min(chunkRows, x.rows);
    const inputAt = this.bytes;
    const outputAt = inputAt + rows * x.cols * 4;
    this.ensure(outputAt + rows * this.tasks * 4);
    for (let start = 0; start < x.rows; start += rows) {
      const n = Math.min(rows, x.rows - start);
      const floats = this.floats();
      floats.set(x.data.subarray(start * x.cols, (start + n) * x.cols), inputAt / 4);
      this.exports.predict(this.at.chain * 4, inputAt, n, outputAt);
      out.data.set(floats.subarray(outputAt / 4, outputAt / 4 + n * this.tasks), start * this.tasks);
    }
    return out;
  }

  /** The memory as floats (a fresh view: growing the memory detaches the old one). */
  private floats(): Float32Array {
    return new Float32Array(this.exports.memory.buffer);
  }

  private ensure(bytes: number): void {
    const memory = this.exports.memory;
    const missing = bytes - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
  }

  /** rows x cols values into padded rows of `stride` floats at `base`. */
  private place(floats: Float32Array, values: ArrayLike<number>, base: number, rows: number, cols: number, stride: number): void {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) floats[base + r * stride + c] = values[r * cols + c]!;
  }

  private take(floats: Float32Array, base: number, rows: number, cols: number, stride: number): Float32Array {
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) out.set(floats.subarray(base + r * stride, base + r * stride + cols), r * cols);
    return out;
  }
}

function assign(variable: tf.Variable, values: Float32Array): void {
  const fresh = tf.tensor(values, variable.shape, 'float32');
  variable.assign(fresh);
  fresh.dispose();
}
