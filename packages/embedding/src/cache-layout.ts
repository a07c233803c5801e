import type { Database as SqliteDatabase } from 'better-sqlite3';
import { UserError } from '@mtl/core';

/** The cache file of this format (version 2), in the cache directory: another name than version 1's, see `migrateEarlierCache`. */
export const CACHE_FILE = 'text-embeddings.sqlite';
/** The file of format version 1: converted into CACHE_FILE when found alone, then deleted. */
export const EARLIER_CACHE_FILE = 'embeddings.sqlite';
/** The format name written into new caches. */
export const CACHE_FORMAT = 'mtl-embedding-cache';
export const CACHE_VERSION = 2;
/**
 * Formats of EARLIER_CACHE_FILE that are converted: the version-1 layout, under
 * its name in this package and under the one it had while the cache lived in
 * the mbti app.
 */
export const EARLIER_CACHE_FORMATS: ReadonlyArray<{ format: string; version: number }> = [
  { format: 'mtl-embedding-cache', version: 1 },
  { format: 'mbti-embedding-cache', version: 1 },
];

/**
 * A 2048-byte vector needs a page that holds whole rows: at the default 4 KB
 * a page holds one row and wastes half of it (version 1 spilled rows into
 * overflow pages, 4.7 KB a vector). A 64 KB leaf holds 31 rows of 2.1 KB.
 * Fixed when the file is created; a file created with another size still works.
 */
export const CACHE_PAGE_SIZE = 65536;

/**
 * Vectors live in a rowid table, appended in rowid order so that leaf pages
 * fill up; the model name is a small integer (`models`) instead of a string
 * repeated in every row, and (model, hash) is a unique index.
 */
export const CACHE_TABLES_SQL = `
  CREATE TABLE cache_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE models (name TEXT PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE embeddings (id INTEGER PRIMARY KEY, model INTEGER NOT NULL, hash BLOB NOT NULL, vector BLOB NOT NULL);
  CREATE UNIQUE INDEX embeddings_key ON embeddings (model, hash);
`;

/** Creates the tables of this format in an empty database (inside the caller's transaction). */
export function createCacheTables(db: SqliteDatabase): void {
  db.exec(CACHE_TABLES_SQL);
  db.prepare('INSERT INTO cache_meta (key, value) VALUES (?, ?), (?, ?)').run('format', CACHE_FORMAT, 'version', String(CACHE_VERSION));
}

/** Names of the tables in a database: none in a new file. */
export function tableNames(db: SqliteDatabase): string[] {
  return db
    .prepare<unknown[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
    .all()
    .map((t) => t.name);
}

/** The cache_meta table of a database, or undefined when it is not a cache of any format. */
export function readCacheMeta(db: SqliteDatabase): Map<string, string> | undefined {
  const tables = tableNames(db);
  if (!tables.includes('cache_meta') || !tables.includes('embeddings')) return undefined;
  return new Map(
    db
      .prepare<unknown[], { key: string; value: string }>('SELECT key, value FROM cache_meta')
      .all()
      .map((r) => [r.key, r.value]),
  );
}

/** The model's integer key, created when missing (inside the caller's write transaction). */
export function modelKey(db: SqliteDatabase, name: string): number {
  db.prepare('INSERT OR IGNORE INTO models (name, id) VALUES (?, (SELECT COALESCE(MAX(id), 0) + 1 FROM models))').run(name);
  return db.prepare<unknown[], { id: number }>('SELECT id FROM models WHERE name = ?').get(name)!.id;
}

/** A file in the cache directory that cannot be used as a cache, and what to do about it. */
export function unusableCache(path: string, why: string, flag: string): UserError {
  return new UserError(`${path}: ${why}. It is not a usable embedding cache: delete it (vectors will be computed again) or pass another ${flag} directory.`);
}
