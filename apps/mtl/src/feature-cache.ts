import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { createMatrix, type Matrix, type RunEventListener } from '@mtl/core';

/** A whole feature matrix as the cache stores it. */
export interface CachedFeatures {
  x: Matrix;
  /** One byte per row: 1 where the row has features, 0 where its input could not be used. */
  valid: Uint8Array;
  /**
   * Whatever else the producer needs to rebuild its result (feature names,
   * invalid rows, counts). Stored as JSON: values JSON cannot hold do not come back.
   */
  info: Record<string, unknown>;
}

export interface FeatureCacheOptions {
  /** Directory of the cache files (the app's default is `.cache/mtl`), created at the first write. */
  dir: string;
  /** Receives a 'notice' warning for a damaged file (then treated as a miss) or a failed write. */
  onEvent?: RunEventListener;
  /** The flag that chose `dir`, named in warnings; default '--cache'. */
  flag?: string;
}

export interface FeatureCacheKeyOptions {
  /** What made the features and its version, e.g. 'molecule-features/1': bump it when the output changes. */
  producer: string;
  /** Every setting that changes the output (library versions, recipe). Key order does not matter. */
  settings: unknown;
  /** Every input value, in row order. Numeric features pass their values as the text they were read from. */
  inputs: readonly string[];
}

/** File format name and version, written at the start of every file. */
export const FEATURE_CACHE_MAGIC = 'MTLFEATS';
export const FEATURE_CACHE_VERSION = 1;
export const FEATURE_CACHE_EXTENSION = '.features';

const HEADER_BYTES = 40;
const DENSE = 0;
const SPARSE = 1;
/** Writes go out in pieces this size, so that a write of hundreds of MB never blocks the event loop for long. */
const WRITE_CHUNK_BYTES = 1 << 20;

/**
 * The cache key of a feature matrix: sha256 over the producer, its settings
 * and every input in order. Each input is length-prefixed, so ['ab', 'c'] and
 * ['a', 'bc'] differ; settings are written with sorted keys, so the same recipe
 * typed in another order hits the same entry.
 */
export function featureCacheKey(options: FeatureCacheKeyOptions): string {
  const hash = createHash('sha256');
  hash.update(`${options.producer}\n${canonicalJson(options.settings)}\n${options.inputs.length}\n`);
  for (const input of options.inputs) {
    hash.update(`${Buffer.byteLength(input, 'utf8')}:`);
    hash.update(input, 'utf8');
  }
  return hash.digest('hex');
}

/**
 * Whole feature matrices on disk, one file per key. A file is written to a
 * uniquely named temporary sibling and renamed over, so readers (and runs
 * writing the same key at the same time) see a complete file or none. A
 * damaged file is a miss with a warning, never a crash: the features are
 * computed again and the file replaced.
 *
 * Format (little-endian): 40-byte header (magic, version, encoding, rows,
 * cols, info length, crc32 of header and body, body length), then the body: the valid
 * mask (one byte per row), the info JSON, padding to a multiple of 4, and the
 * matrix, dense float32 or, when that is smaller, sparse rows (non-zero count
 * per row, column indices, values). Fingerprints are mostly zeros: Tox21's
 * ECFP4 bits take 3 MB sparse instead of 51 MB dense.
 */
export class FeatureCache {
  readonly dir: string;
  private readonly options: FeatureCacheOptions;

  constructor(options: FeatureCacheOptions) {
    this.options = options;
    this.dir = resolve(options.dir);
  }

  /** The file that holds (or would hold) `key`. */
  pathOf(key: string): string {
    if (!/^[0-9a-f]{16,128}$/.test(key)) throw new Error(`feature cache key ${JSON.stringify(key)}: expected lowercase hex, as featureCacheKey returns`);
    return join(this.dir, `${key}${FEATURE_CACHE_EXTENSION}`);
  }

  /** The features stored under `key`, or undefined when there are none (or only a damaged file, which is removed). */
  async get(key: string): Promise<CachedFeatures | undefined> {
    const path = this.pathOf(key);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') this.warn(`${path}: cannot read the feature cache file (${code ?? String(error)}); computing the features again.`);
      return undefined;
    }
    try {
      return decode(bytes);
    } catch (error) {
      if (!(error instanceof DamagedCacheFile)) throw error;
      this.warn(`${path}: damaged feature cache file (${error.message}); computing the features again and replacing it.`);
      await rm(path, { force: true }).catch(() => undefined);
      return undefined;
    }
  }

  /**
   * Stores `value` under `key`, replacing any earlier file whole. A failed
   * write (disk full, no permission) is a warning, not an error: the caller
   * has its features, only the next run will compute them again. Resolves to
   * whether the file was written.
   */
  async put(key: string, value: CachedFeatures): Promise<boolean> {
    const path = this.pathOf(key);
    const chunks = encode(value);
    // pid + random: two runs, or two puts in one run, never share a temporary file.
    const tmp = join(this.dir, `.${key}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await mkdir(this.dir, { recursive: true });
      const file = await open(tmp, 'wx');
      try {
        for (const chunk of chunks) {
          for (let at = 0; at < chunk.byteLength; at += WRITE_CHUNK_BYTES) {
            const piece = chunk.subarray(at, Math.min(chunk.byteLength, at + WRITE_CHUNK_BYTES));
            let written = 0;
            while (written < piece.byteLength) written += (await file.write(piece, written, piece.byteLength - written)).bytesWritten;
          }
        }
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, path);
      return true;
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => undefined);
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      this.warn(
        `${path}: cannot write the feature cache (${code}); these features will be computed again next run. ` +
          `Free some disk space or pass another ${this.options.flag ?? '--cache'} directory.`,
      );
      return false;
    }
  }

  private warn(message: string): void {
    this.options.onEvent?.({ type: 'notice', level: 'warning', message });
  }
}

/** Why a cache file cannot be read back; its message is the reason alone. */
class DamagedCacheFile extends Error {}

function encode(value: CachedFeatures): Uint8Array[] {
  const { x, valid } = value;
  if (valid.length !== x.rows) throw new Error(`feature cache put: valid mask has ${valid.length} entries for ${x.rows} rows`);
  const info = Buffer.from(JSON.stringify(value.info), 'utf8');
  const beforeMatrix = HEADER_BYTES + valid.length + info.length;
  const padding = new Uint8Array((4 - (beforeMatrix % 4)) % 4);
  const matrix = encodeMatrix(x);
  const body = [new Uint8Array(valid.buffer, valid.byteOffset, valid.byteLength), info, padding, ...matrix.chunks];
  let crc = 0;
  let bodyBytes = 0;
  for (const part of body) {
    crc = crc32(part, crc);
    bodyBytes += part.byteLength;
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(FEATURE_CACHE_MAGIC, 0, 'latin1');
  header.writeUInt32LE(FEATURE_CACHE_VERSION, 8);
  header.writeUInt32LE(matrix.encoding, 12);
  header.writeUInt32LE(x.rows, 16);
  header.writeUInt32LE(x.cols, 20);
  header.writeUInt32LE(info.length, 24);
  header.writeBigUInt64LE(BigInt(bodyBytes), 32);
  header.writeUInt32LE(headerCrc(header, crc), 28);
  return [header, ...body];
}

function encodeMatrix(x: Matrix): { encoding: number; chunks: Uint8Array[] } {
  let nonZero = 0;
  for (let i = 0; i < x.data.length; i++) if (x.data[i] !== 0) nonZero++;
  const denseBytes = x.data.byteLength;
  const sparseBytes = 4 * x.rows + 8 * nonZero;
  if (denseBytes <= sparseBytes) return { encoding: DENSE, chunks: [bytesOf(x.data)] };
  const perRow = new Uint32Array(x.rows);
  const columns = new Uint32Array(nonZero);
  const values = new Float32Array(nonZero);
  let at = 0;
  for (let r = 0; r < x.rows; r++) {
    const start = r * x.cols;
    for (let c = 0; c < x.cols; c++) {
      const v = x.data[start + c]!;
      if (v === 0) continue;
      columns[at] = c;
      values[at] = v;
      at++;
      perRow[r]!++;
    }
  }
  return { encoding: SPARSE, chunks: [bytesOf(perRow), bytesOf(columns), bytesOf(values)] };
}

function decode(bytes: Buffer): CachedFeatures {
  if (bytes.length < HEADER_BYTES) throw new DamagedCacheFile(`${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  const magic = bytes.toString('latin1', 0, 8);
  if (magic !== FEATURE_CACHE_MAGIC) throw new DamagedCacheFile(`it does not start with ${FEATURE_CACHE_MAGIC}`);
  const version = bytes.readUInt32LE(8);
  if (version !== FEATURE_CACHE_VERSION) throw new DamagedCacheFile(`format version ${version}, this program reads version ${FEATURE_CACHE_VERSION}`);
  const encoding = bytes.readUInt32LE(12);
  const rows = bytes.readUInt32LE(16);
  const cols = bytes.readUInt32LE(20);
  const infoBytes = bytes.readUInt32LE(24);
  const crc = bytes.readUInt32LE(28);
  const bodyBytes = Number(bytes.readBigUInt64LE(32));
  if (bytes.length !== HEADER_BYTES + bodyBytes)
    throw new DamagedCacheFile(`${bytes.length} bytes where the header announces ${HEADER_BYTES + bodyBytes}: truncated or extended`);
  if (headerCrc(bytes, crc32(bytes.subarray(HEADER_BYTES))) !== crc) throw new DamagedCacheFile('its checksum does not match its content');
  const body = bytes.subarray(HEADER_BYTES);

  const valid = new Uint8Array(body.subarray(0, rows));
  let at = HEADER_BYTES + rows;
  let info: Record<string, unknown>;
  try {
    info = JSON.parse(bytes.toString('utf8', at, at + infoBytes)) as Record<string, unknown>;
  } catch {
    throw new DamagedCacheFile('its info is not JSON');
  }
  at += infoBytes;
  at += (4 - (at % 4)) % 4;
  const x = createMatrix(rows, cols);
  if (encoding === DENSE) {
    if (bytes.length - at !== rows * cols * 4) throw new DamagedCacheFile(`dense matrix of ${bytes.length - at} bytes for ${rows} x ${cols} values`);
    bytesOf(x.data).set(bytes.subarray(at));
  } else if (encoding === SPARSE) {
    const perRow = new Uint32Array(copyOf(bytes, at, rows * 4).buffer);
    at += rows * 4;
    let nonZero = 0;
    for (const n of perRow) nonZero += n;
    if (bytes.length - at !== nonZero * 8) throw new DamagedCacheFile(`sparse matrix of ${bytes.length - at} bytes for ${nonZero} non-zero values`);
    const columns = new Uint32Array(copyOf(bytes, at, nonZero * 4).buffer);
    const values = new Float32Array(copyOf(bytes, at + nonZero * 4, nonZero * 4).buffer);
    let k = 0;
    for (let r = 0; r < rows; r++) {
      for (let end = k + perRow[r]!; k < end; k++) {
        const c = columns[k]!;
        if (c >= cols) throw new DamagedCacheFile(`column ${c} in a matrix of ${cols} columns`);
        x.data[r * cols + c] = values[k]!;
      }
    }
  } else {
    throw new DamagedCacheFile(`unknown matrix encoding ${encoding}`);
  }
  return { x, valid, info };
}

/** The checksum covers the header too (all of it but the checksum itself): a damaged row count must not pass. */
function headerCrc(header: Buffer, bodyCrc: number): number {
  return crc32(header.subarray(32, HEADER_BYTES), crc32(header.subarray(0, 28), bodyCrc));
}

/** The bytes of a typed array, in host order: little-endian on every platform Node runs on. */
function bytesOf(array: Float32Array | Uint32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** A fresh, aligned copy: a Buffer's own offset need not be a multiple of 4. */
function copyOf(bytes: Buffer, start: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(bytes.subarray(start, start + length));
  return out;
}

/** JSON with object keys sorted at every level, so equal settings always hash the same. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
