import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database, { type Database as SqliteDatabase } from 'better-sqlite3';
import { UserError } from '@mtl/core';
import { CLEANING_VERSION } from './post-cleaning.js';
import { EMBEDDING_SIZE } from './sentence-encoder.js';

export const CACHE_FILE = 'embeddings.sqlite';
export const CACHE_FORMAT = 'mbti-embedding-cache';
export const CACHE_VERSION = 1;

/** sha256 of a cleaned post: the part of the cache key that depends on the text. */
export function postHash(post: string): Buffer {
  return createHash('sha256').update(post, 'utf8').digest();
}

/**
 * Post vectors on disk, keyed by (model id + cleaning version, sha256 of the
 * cleaned post). SQLite in WAL mode: every `put` is one transaction, so a
 * process killed at any moment leaves exactly the batches committed before it,
 * and a later run embeds only what is missing.
 */
export class EmbeddingCache {
  readonly path: string;
  private readonly db: SqliteDatabase;
  private readonly model: string;
  private readonly selectOne;
  private readonly insertMany: (rows: ReadonlyArray<[Buffer, Float32Array]>) => void;

  constructor(dir: string, modelId: string, flag = '--cache') {
    this.path = join(resolve(dir), CACHE_FILE);
    this.model = `${modelId}/clean-${CLEANING_VERSION}`;
    try {
      mkdirSync(resolve(dir), { recursive: true });
    } catch (error) {
      throw new UserError(`${flag} ${dir}: cannot create the cache directory (${(error as NodeJS.ErrnoException).code ?? String(error)}). Choose a directory you can write to.`);
    }
    this.db = openDatabase(this.path, flag);
    const select = this.db.prepare<unknown[], { vector: Buffer }>('SELECT vector FROM embeddings WHERE model = ? AND hash = ?');
    this.selectOne = select;
    const insert = this.db.prepare('INSERT OR REPLACE INTO embeddings (model, hash, vector) VALUES (?, ?, ?)');
    this.insertMany = this.db.transaction((rows: ReadonlyArray<[Buffer, Float32Array]>) => {
      for (const [hash, vector] of rows) insert.run(this.model, hash, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
    });
  }

  /** The vector of a post, or undefined when it was never stored (or stored damaged). */
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
    return (this.db.prepare<unknown[], { n: number }>('SELECT COUNT(*) AS n FROM embeddings WHERE model = ?').get(this.model)?.n) ?? 0;
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
      const existing = db.prepare<unknown[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((t) => t.name);
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
    const meta = new Map(db.prepare<unknown[], { key: string; value: string }>('SELECT key, value FROM cache_meta').all().map((r) => [r.key, r.value]));
    if (meta.get('format') !== CACHE_FORMAT || meta.get('version') !== String(CACHE_VERSION)) {
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
    if (code === 'SQLITE_BUSY') throw new UserError(`${path}: the embedding cache is locked by another run. Wait for it to finish or pass another ${flag} directory.`);
    throw error;
  }
}
