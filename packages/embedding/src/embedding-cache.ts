import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database, { type Database as SqliteDatabase } from 'better-sqlite3';
import { UserError } from '@mtl/core';
import { EMBEDDING_SIZE } from './sentence-encoder.js';

export const CACHE_FILE = 'embeddings.sqlite';
/** The format name written into new caches. */
export const CACHE_FORMAT = 'mtl-embedding-cache';
/** The same format under the name it had while the cache lived in the mbti app: such files open as they are. */
export const EARLIER_CACHE_FORMATS: readonly string[] = ['mbti-embedding-cache'];
export const CACHE_VERSION = 1;

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
}

/**
 * Text vectors on disk, keyed by (encoder id + preparation, sha256 of the
 * text). SQLite in WAL mode: every `put` is one transaction, so a process
 * killed at any moment leaves exactly the batches committed before it, and a
 * later run embeds only what is missing.
 */
export class EmbeddingCache {
  readonly path: string;
  /** The value of the key's first part: encoder id, then `/preparation` if any. */
  readonly model: string;
  private readonly db: SqliteDatabase;
  private readonly selectOne;
  private readonly insertMany: (rows: ReadonlyArray<[Buffer, Float32Array]>) => void;

  constructor(options: EmbeddingCacheOptions) {
    const { dir, flag = '--cache' } = options;
    this.path = join(resolve(dir), CACHE_FILE);
    this.model = options.preparation === undefined ? options.encoder : `${options.encoder}/${options.preparation}`;
    try {
      mkdirSync(resolve(dir), { recursive: true });
    } catch (error) {
      throw new UserError(
        `${flag} ${dir}: cannot create the cache directory (${(error as NodeJS.ErrnoException).code ?? String(error)}). Choose a directory you can write to.`,
      );
    }
    this.db = openDatabase(this.path, flag);
    const select = this.db.prepare<unknown[], { vector: Buffer }>('SELECT vector FROM embeddings WHERE model = ? AND hash = ?');
    this.selectOne = select;
    const insert = this.db.prepare('INSERT OR REPLACE INTO embeddings (model, hash, vector) VALUES (?, ?, ?)');
    this.insertMany = this.db.transaction((rows: ReadonlyArray<[Buffer, Float32Array]>) => {
      for (const [hash, vector] of rows) insert.run(this.model, hash, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
    });
  }

  /** The vector of a text (by `textHash`), or undefined when it was never stored (or stored damaged). */
  get(hash: Buffer): Float32Array | undefined {
    const row = this.selectOne.get(this.model, hash);
    if (!row || row.vector.byteLength !== EMBEDDING_SIZE * 4) return undefined;
    // Copy: the Buffer may share a pool and be unaligned for a Float32Array view.
    return new Float32Array(row.vector.buffer.slice(row.vector.byteOffset, row.vector.byteOffset + row.vector.byteLength));
  }

  has(hash: Buffer): boolean {
    return this.get(hash) !== undefined;
  }

  /** Stores a batch atomically: all of it or none of it. */
  put(rows: ReadonlyArray<[Buffer, Float32Array]>): void {
    this.insertMany(rows);
  }

  /** Entries for this model (for reports and tests). */
  size(): number {
    return this.db.prepare<unknown[], { n: number }>('SELECT COUNT(*) AS n FROM embeddings WHERE model = ?').get(this.model)?.n ?? 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function openDatabase(path: string, flag: string): SqliteDatabase {
  const damaged = (why: string) =>
    new UserError(`${path}: ${why}. It is not a usable embedding cache: delete it (vectors will be computed again) or pass another ${flag} directory.`);
  let db: SqliteDatabase;
  try {
    db = new Database(path, { timeout: 10_000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Check-and-create under the write lock (BEGIN IMMEDIATE): two runs opening a new cache at
    // the same moment must not both see it empty and both try to create the tables.
    const initialise = db.transaction((): string[] => {
      const existing = db
        .prepare<unknown[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((t) => t.name);
      if (existing.length > 0) return existing;
      db.exec(`
        CREATE TABLE cache_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE embeddings (model TEXT NOT NULL, hash BLOB NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, hash)) WITHOUT ROWID;
      `);
      db.prepare('INSERT INTO cache_meta (key, value) VALUES (?, ?), (?, ?)').run('format', CACHE_FORMAT, 'version', String(CACHE_VERSION));
      return ['cache_meta', 'embeddings'];
    });
    const tables = initialise.immediate();
    if (!tables.includes('cache_meta') || !tables.includes('embeddings')) {
      db.close();
      throw damaged('an SQLite database of some other program');
    }
    const meta = new Map(
      db
        .prepare<unknown[], { key: string; value: string }>('SELECT key, value FROM cache_meta')
        .all()
        .map((r) => [r.key, r.value]),
    );
    const format = meta.get('format') ?? '';
    if ((format !== CACHE_FORMAT && !EARLIER_CACHE_FORMATS.includes(format)) || meta.get('version') !== String(CACHE_VERSION)) {
      db.close();
      throw damaged(`cache format ${meta.get('format')} version ${meta.get('version')}, this program uses ${CACHE_FORMAT} version ${CACHE_VERSION}`);
    }
    return db;
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw damaged('the file is damaged or not an SQLite database');
    if (code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_READONLY') {
      throw new UserError(`${path}: cannot open the embedding cache (${code}). Pass a writable ${flag} directory.`);
    }
    if (code === 'SQLITE_BUSY')
      throw new UserError(`${path}: the embedding cache is locked by another run. Wait for it to finish or pass another ${flag} directory.`);
    throw error;
  }
}
