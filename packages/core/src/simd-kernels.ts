import * as tf from '@tensorflow/tfjs';

/**
 * Three loops of a training step as WebAssembly SIMD, run on the wasm
 * backend's own heap (the module imports the backend's memory, so tensors are
 * read and written where they are, never copied):
 *
 * - `adam`: the fused Adam update of one variable (fused-adam.ts). f32x4
 *   add, mul, div and sqrt round each result to float32 exactly as the
 *   scalar float32 arithmetic they replace, in the same order, so the weights
 *   stay bit-for-bit those of tfjs' Adam.
 * - `gatherRows`: out[r] += v · kernel[c] for each nonzero (r, c, v) of a sparse
 *   batch: a sparse first layer's forward product.
 * - `scatterRows`: grad[c] += v · dz[r] for each nonzero: its kernel gradient.
 *
 * The module is written out below instruction by instruction (no toolchain,
 * nothing to rebuild): `simdModuleBytes()` is its source and its build.
 */
export interface SimdKernels {
  adam(p: {
    w: number;
    g: number;
    m: number;
    v: number;
    out: number;
    n: number;
    beta1: number;
    beta2: number;
    oneMinusBeta1: number;
    oneMinusBeta2: number;
    oneMinusAccBeta1: number;
    oneMinusAccBeta2: number;
    epsilon: number;
    minusRate: number;
  }): void;
  /** Pointers are byte offsets into the backend's heap; rowStart and columns hold int32, values float32. */
  gatherRows(out: number, kernel: number, rowStart: number, columns: number, values: number, rows: number, units: number): void;
  scatterRows(grad: number, dz: number, rowStart: number, columns: number, values: number, rows: number, units: number): void;
}

/** The parts of the wasm backend the kernels use (tfjs-backend-wasm 4.x). */
interface WasmModuleHolder {
  wasm?: { asm?: { memory?: unknown } };
}

/** The WebAssembly API as used here (the project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => { buffer: ArrayBufferLike };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let cached: { memory: object; kernels: SimdKernels } | undefined;

/**
 * The kernels bound to the active wasm backend's memory, or undefined when the
 * backend is not wasm, its memory is not reachable or shared, or this runtime
 * has no WebAssembly SIMD (callers then run their plain loops).
 */
export function simdKernels(): SimdKernels | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const memory = (tf.backend() as unknown as WasmModuleHolder).wasm?.asm?.memory;
  if (!(memory instanceof wasmApi.Memory)) return undefined;
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) return undefined;
  if (cached && cached.memory === memory) return cached.kernels;
  try {
    const instance = new wasmApi.Instance(new wasmApi.Module(simdModuleBytes()), { env: { memory } });
    const e = instance.exports as Record<string, (...args: number[]) => void>;
    const kernels: SimdKernels = {
      adam: (p) =>
        e.adam!(
          p.w,
          p.g,
          p.m,
          p.v,
          p.out,
          p.n,
          p.beta1,
          p.beta2,
          p.oneMinusBeta1,
          p.oneMinusBeta2,
          p.oneMinusAccBeta1,
          p.oneMinusAccBeta2,
          p.epsilon,
          p.minusRate,
        ),
      gatherRows: (...args) => e.gatherRows!(...args),
      scatterRows: (...args) => e.scatterRows!(...args),
    };
    cached = { memory, kernels };
    return kernels;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// The module, in WebAssembly's binary format.

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(byte & 0x40)) || (v === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (text: string): number[] => [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

const get = (local: number) => [0x20, ...uleb(local)];
const set = (local: number) => [0x21, ...uleb(local)];
const i32Const = (value: number) => [0x41, ...sleb(value)];
const i32Add = [0x6a];
const i32Mul = [0x6c];
const i32And = [0x71];
const i32Shl = [0x74];
const i32GeU = [0x4f];
/** memarg: 4-byte alignment hint, then the offset. */
const mem = (offset = 0) => [2, ...uleb(offset)];
const i32Load = (offset = 0) => [0x28, ...mem(offset)];
const f32Load = [0x2a, ...mem()];
const f32Store = [0x38, ...mem()];
const f32Add = [0x92];
const f32Mul = [0x94];
const f32Div = [0x95];
const f32Sqrt = [0x91];
const simd = (op: number) => [0xfd, ...uleb(op)];
const v128Load = [...simd(0x00), ...mem()];
const v128Store = [...simd(0x0b), ...mem()];
const f32x4Splat = simd(0x13);
const f32x4Sqrt = simd(0xe3);
const f32x4Add = simd(0xe4);
const f32x4Mul = simd(0xe6);
const f32x4Div = simd(0xe7);

/** while (local < limit) { body; local += step } — unsigned comparison. */
function whileBelow(local: number, limit: number[], step: number, body: number[]): number[] {
  return [
    0x02,
    0x40,
    0x03,
    0x40,
    ...get(local),
    ...limit,
    ...i32GeU,
    0x0d,
    1,
    ...body,
    ...get(local),
    ...i32Const(step),
    ...i32Add,
    ...set(local),
    0x0c,
    0,
    0x0b,
    0x0b,
  ];
}

/** A function body: locals as [count, type] groups, then the instructions. */
const body = (locals: Array<[number, number]>, code: number[]): number[] => {
  const bytes = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...code, 0x0b];
  return [...uleb(bytes.length), ...bytes];
};

/**
 * dst[row] += v · src[row'] over the nonzeros of a sparse matrix. Parameters:
 * 0 out, 1 src, 2 rowStart, 3 columns, 4 values, 5 rows, 6 units. Gathering,
 * dst is the output row r and src the kernel row c; scattering, dst is the
 * gradient row c and src the dz row r.
 */
function rowsAxpyBody(kind: 'gather' | 'scatter'): number[] {
  const [out, src, rowStart, columns, values, rows, units] = [0, 1, 2, 3, 4, 5, 6];
  const [r, k, kEnd, dst, from, j, vecEnd, rowBytes, c] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  const [scale, scales] = [16, 17];
  const rowAt = (base: number, index: number) => [...get(base), ...get(index), ...get(rowBytes), ...i32Mul, ...i32Add];
  const atJ = (base: number) => [...get(base), ...get(j), ...i32Add];
  /** Address of element `index` of the 4-byte array at `base`. */
  const elementAt = (base: number, index: number) => [...get(base), ...get(index), ...i32Const(2), ...i32Shl, ...i32Add];
  const [dstRow, srcRow] = kind === 'gather' ? [r, c] : [c, r];
  const entry = [
    ...elementAt(columns, k),
    ...i32Load(),
    ...set(c),
    ...elementAt(values, k),
    ...f32Load,
    ...set(scale),
    ...get(scale),
    ...f32x4Splat,
    ...set(scales),
    ...rowAt(out, dstRow),
    ...set(dst),
    ...rowAt(src, srcRow),
    ...set(from),
    ...i32Const(0),
    ...set(j),
    ...whileBelow(j, get(vecEnd), 16, [
      ...atJ(dst),
      ...atJ(dst),
      ...v128Load,
      ...get(scales),
      ...atJ(from),
      ...v128Load,
      ...f32x4Mul,
      ...f32x4Add,
      ...v128Store,
    ]),
    ...whileBelow(j, get(rowBytes), 4, [...atJ(dst), ...atJ(dst), ...f32Load, ...get(scale), ...atJ(from), ...f32Load, ...f32Mul, ...f32Add, ...f32Store]),
  ];
  const row = [
    ...elementAt(rowStart, r),
    ...i32Load(),
    ...set(k),
    ...elementAt(rowStart, r),
    ...i32Load(4),
    ...set(kEnd),
    ...whileBelow(k, get(kEnd), 1, entry),
  ];
  return body(
    [
      [9, I32],
      [1, F32],
      [1, V128],
    ],
    [
      ...get(units),
      ...i32Const(2),
      ...i32Shl,
      ...set(rowBytes),
      ...get(units),
      ...i32Const(-4),
      ...i32And,
      ...i32Const(2),
      ...i32Shl,
      ...set(vecEnd),
      ...i32Const(0),
      ...set(r),
      ...whileBelow(r, get(rows), 1, row),
    ],
  );
}

/**
 * Adam on n float32 values: parameters 0 w, 1 g, 2 m, 3 v, 4 out (pointers),
 * 5 n, then the float32 scalars 6 beta1, 7 beta2, 8 1-beta1, 9 1-beta2,
 * 10 1-beta1^t, 11 1-beta2^t, 12 epsilon, 13 -learningRate. m and v are
 * updated in place, the new weights go to out:
 * m' = m·b1 + g·(1-b1); v' = v·b2 + (g·g)·(1-b2);
 * out = ((m'/(1-b1^t)) / (sqrt(v'/(1-b2^t)) + eps)) · (-lr) + w.
 */
function adamBody(): number[] {
  const [w, g, m, v, out, n] = [0, 1, 2, 3, 4, 5];
  const scalars = [6, 7, 8, 9, 10, 11, 12, 13] as const;
  const [i, vecEnd, end] = [14, 15, 16];
  const [gj, mj, vj] = [17, 18, 19];
  // Splatted scalars: local 20 + k holds scalar parameter 6 + k.
  const splat = (parameter: number) => 20 + parameter - 6;
  const [beta1, beta2, omb1, omb2, omab1, omab2, eps, rate] = scalars;
  const [sgj, smj, svj] = [28, 29, 30];
  const at = (base: number) => [...get(base), ...get(i), ...i32Add];
  const step = (lane: {
    load: number[];
    store: number[];
    add: number[];
    mul: number[];
    div: number[];
    sqrt: number[];
    g: number;
    m: number;
    v: number;
    k: (p: number) => number;
  }) => [
    ...at(g),
    ...lane.load,
    ...set(lane.g),
    // m' = m·b1 + g·(1-b1)
    ...at(m),
    ...at(m),
    ...lane.load,
    ...get(lane.k(beta1)),
    ...lane.mul,
    ...get(lane.g),
    ...get(lane.k(omb1)),
    ...lane.mul,
    ...lane.add,
    0x22,
    ...uleb(lane.m),
    ...lane.store,
    // v' = v·b2 + (g·g)·(1-b2)
    ...at(v),
    ...at(v),
    ...lane.load,
    ...get(lane.k(beta2)),
    ...lane.mul,
    ...get(lane.g),
    ...get(lane.g),
    ...lane.mul,
    ...get(lane.k(omb2)),
    ...lane.mul,
    ...lane.add,
    0x22,
    ...uleb(lane.v),
    ...lane.store,
    // out = ((m'/(1-b1^t)) / (sqrt(v'/(1-b2^t)) + eps)) · (-lr) + w
    ...at(out),
    ...get(lane.m),
    ...get(lane.k(omab1)),
    ...lane.div,
    ...get(lane.v),
    ...get(lane.k(omab2)),
    ...lane.div,
    ...lane.sqrt,
    ...get(lane.k(eps)),
    ...lane.add,
    ...lane.div,
    ...get(lane.k(rate)),
    ...lane.mul,
    ...at(w),
    ...lane.load,
    ...lane.add,
    ...lane.store,
  ];
  const vector = step({ load: v128Load, store: v128Store, add: f32x4Add, mul: f32x4Mul, div: f32x4Div, sqrt: f32x4Sqrt, g: gj, m: mj, v: vj, k: splat });
  const scalar = step({ load: f32Load, store: f32Store, add: f32Add, mul: f32Mul, div: f32Div, sqrt: f32Sqrt, g: sgj, m: smj, v: svj, k: (p) => p });
  return body(
    [
      [3, I32],
      [11, V128],
      [3, F32],
    ],
    [
      ...scalars.flatMap((p) => [...get(p), ...f32x4Splat, ...set(splat(p))]),
      ...get(n),
      ...i32Const(2),
      ...i32Shl,
      ...set(end),
      ...get(n),
      ...i32Const(-4),
      ...i32And,
      ...i32Const(2),
      ...i32Shl,
      ...set(vecEnd),
      ...i32Const(0),
      ...set(i),
      ...whileBelow(i, get(vecEnd), 16, vector),
      ...whileBelow(i, get(end), 4, scalar),
    ],
  );
}

/** The module's bytes: three functions on an imported memory `env.memory`. */
export function simdModuleBytes(): Uint8Array {
  const adamType = [0x60, ...vec([...Array<number[]>(6).fill([I32]), ...Array<number[]>(8).fill([F32])]), 0];
  const rowsType = [0x60, ...vec(Array<number[]>(7).fill([I32])), 0];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([adamType, rowsType])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])),
    ...section(3, vec([[0], [1], [1]])),
    ...section(
      7,
      vec([
        [...name('adam'), 0x00, 0],
        [...name('gatherRows'), 0x00, 1],
        [...name('scatterRows'), 0x00, 2],
      ]),
    ),
    ...section(10, vec([adamBody(), rowsAxpyBody('gather'), rowsAxpyBody('scatter')])),
  ];
  return Uint8Array.from(bytes);
}
