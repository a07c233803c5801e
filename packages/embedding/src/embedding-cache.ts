import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { UserError } from '@mtl/core';
import { openCacheDatabase } from './cache-database.js';
import { CACHE_FILE, EARLIER_CACHE_FILE, modelKey } from './cache-layout.js';
import { EMBEDDING_SIZE } from './sentence-encoder.js';

/** sha256 of a text as embedded: the part of the cache key that depends on the text. */
export function textHash(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export interface EmbeddingCacheOptions {
  /** Directory of the cache file, created when missing. */
  dir: string;
  /** `encoderId()` of the weights: vectors of other weights are never returned. */
  encoder: string;
  /**
   * How texts were prepared before hashing (mbti: 'clean-1'). Part of the key,
   * so a changed cleaning never reuses vectors of texts cleaned the old way.
   */
  preparation?: string;
  /** The flag that chose `dir`, named in errors; default '--cache'. */
  flag?: string;
  /** How long to wait for another run that holds the cache (a write, a conversion) before giving up; default 10 000 ms. */
  lockWaitMs?: number;
}

/**
 * Text vectors on disk, keyed by (encoder id + preparation, sha256 of the
 * text). SQLite in WAL mode: every `put` is one transaction, so a process
 * killed at any moment leaves exactly the batches committed before it, and a
 * later run embeds only what is missing. A cache of the earlier format
 * (EARLIER_CACHE_FILE) found alone in `dir` is converted when opened.
 */
export class EmbeddingCache {
  readonly path: string;
  /** The value of the key's first part: encoder id, then `/preparation` if any. */
  readonly model: string;
  private readonly db: SqliteDatabase;
  /** The model's integer key in this file; undefined until a vector of it is stored (by this run or another). */
  private modelId: number | undefined;
  private readonly selectModel;
  private readonly selectOne;
  private readonly insertMany: (rows: ReadonlyArray<[Buffer, Float32Array]>) => void;

  constructor(options: EmbeddingCacheOptions) {
    const { dir, flag = '--cache', lockWaitMs = 10_000 } = options;
    this.path = join(resolve(dir), CACHE_FILE);
    this.model = options.preparation === undefined ? options.encoder : `${options.encoder}/${options.preparation}`;
    try {
      mkdirSync(resolve(dir), { recursive: true });
    } catch (error) {
      throw new UserError(
        `${flag} ${dir}: cannot create the cache directory (${(error as NodeJS.ErrnoException).code ?? String(error)}). Choose a directory you can write to.`,
      );
    }
    this.db = openCacheDatabase({ path: this.path, earlierPath: join(resolve(dir), EARLIER_CACHE_FILE), flag, lockWaitMs, vectorBytes: EMBEDDING_SIZE * 4 });
    this.selectModel = this.db.prepare<unknown[], { id: number }>('SELECT id FROM models WHERE name = ?');
    this.selectOne = this.db.prepare<unknown[], { vector: Buffer }>('SELECT vector FROM embeddings WHERE model = ? AND hash = ?');
    const insert = this.db.prepare(
      'INSERT INTO embeddings (model, hash, vector) VALUES (?, ?, ?) ON CONFLICT (model, hash) DO UPDATE SET vector = excluded.vector',
    );
    this.insertMany = this.db.transaction((rows: ReadonlyArray<[Buffer, Float32Array]>) => {
      this.modelId ??= modelKey(this.db, this.model);
      for (const [hash, vector] of rows) insert.run(this.modelId, hash, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
    });
  }

  /** The vector of a text (by `textHash`), or undefined when it was never stored (or stored damaged). */
  get(hash: Buffer): Float32Array | undefined {
    const model = this.modelKey();
    if (model === undefined) return undefined;
    const row = this.selectOne.get(model, hash);
    if (!row || row.vector.byteLength !== EMBEDDING_SIZE * 4) return undefined;
    // Copy: the Buffer may share a pool and be unaligned for a Float32Array view.
    return new Float32Array(row.vector.buffer.slice(row.vector.byteOffset, row.vector.byteOffset + row.vector.byteLength));
  }

  has(hash: Buffer): boolean {
    return this.get(hash) !== undefined;
  }

  /** Stores a batch atomically: all of it or none of it. */
  put(rows: ReadonlyArray<[Buffer, Float32Array]>): void {
    try {
      this.insertMany(rows);
    } catch (error) {
      // A failed first put must not keep a key its rolled-back transaction created.
      this.modelId = undefined;
      throw error;
    }
  }

  /** Looked up until it exists: another run sharing the file may store this model's first vectors. */
  private modelKey(): number | undefined {
    return (this.modelId ??= this.selectModel.get(this.model)?.id);
  }

  /** Entries for this model (for reports and tests). */
  size(): number {
    const model = this.modelKey();
    if (model === undefined) return 0;
    return this.db.prepare<unknown[], { n: number }>('SELECT COUNT(*) AS n FROM embeddings WHERE model = ?').get(model)?.n ?? 0;
  }

  /** Closes the file, folding the WAL into it first (the last connection to close deletes the WAL). */
  close(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }
}
