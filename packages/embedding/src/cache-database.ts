import { existsSync } from 'node:fs';
import Database, { type Database as SqliteDatabase } from 'better-sqlite3';
import { UserError } from '@mtl/core';
import { CACHE_FORMAT, CACHE_PAGE_SIZE, CACHE_VERSION, createCacheTables, readCacheMeta, tableNames, unusableCache } from './cache-layout.js';
import { migrateEarlierCache } from './cache-migration.js';

export interface CacheDatabaseOptions {
  /** The cache file (CACHE_FILE in the cache directory). */
  path: string;
  /** A cache of the earlier format in the same directory, converted when `path` does not exist yet. */
  earlierPath: string;
  /** The flag that chose the directory, named in errors. */
  flag: string;
  /** How long to wait for another run's lock. */
  lockWaitMs: number;
  /** Bytes of a valid vector. */
  vectorBytes: number;
}

/**
 * The cache database, in WAL mode: created with this format's tables when
 * new, converted from the earlier file when only that one exists, refused
 * (UserError saying what to do) when damaged, foreign or of an unknown format.
 */
export function openCacheDatabase(options: CacheDatabaseOptions): SqliteDatabase {
  const { path, earlierPath, flag, lockWaitMs } = options;
  const damaged = (why: string) => unusableCache(path, why, flag);
  // The earlier file is deleted only after this one exists: seeing neither means there is nothing to convert.
  if (!existsSync(path) && existsSync(earlierPath)) {
    migrateEarlierCache({ from: earlierPath, to: path, deadline: performance.now() + lockWaitMs, flag, vectorBytes: options.vectorBytes });
  }
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(path, { timeout: lockWaitMs });
    // Takes effect only while the file is empty: pages must hold whole 2 KB rows (CACHE_PAGE_SIZE).
    db.pragma(`page_size = ${CACHE_PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // A few MB of WAL between checkpoints, truncated after them: the WAL counts towards the cache's size on disk.
    db.pragma('wal_autocheckpoint = 128');
    db.pragma(`journal_size_limit = ${8 * 1024 * 1024}`);
    // Room for the vectors of a sample-sized data set (19k posts, 42 MB) between reads.
    db.pragma('cache_size = -65536');
    const connection = db;
    // Check-and-create under the write lock (BEGIN IMMEDIATE): two runs opening a new cache at
    // the same moment must not both see it empty and both try to create the tables.
    const initialise = connection.transaction((): Map<string, string> | undefined => {
      if (tableNames(connection).length === 0) createCacheTables(connection);
      return readCacheMeta(connection);
    });
    const meta = initialise.immediate();
    if (!meta) throw damaged('an SQLite database of some other program');
    if (meta.get('format') !== CACHE_FORMAT || meta.get('version') !== String(CACHE_VERSION)) {
      throw damaged(`cache format ${meta.get('format')} version ${meta.get('version')}, this program uses ${CACHE_FORMAT} version ${CACHE_VERSION}`);
    }
    return db;
  } catch (error) {
    db?.close();
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
