import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Database as SqliteDatabase } from 'better-sqlite3';
import { UserError } from '@mtl/core';
import { CACHE_PAGE_SIZE, createCacheTables, EARLIER_CACHE_FORMATS, modelKey, readCacheMeta, unusableCache } from './cache-layout.js';

export interface CacheMigrationOptions {
  /** The version-1 file. */
  from: string;
  /** The version-2 file to create; the conversion is built next to it and renamed into place when complete. */
  to: string;
  /** Give up (UserError) when another run still holds the old file after this moment (performance.now()). */
  deadline: number;
  /** The flag that chose the directory, named in errors. */
  flag: string;
  /** Bytes of a valid vector: rows of another length were never returned, and are not copied. */
  vectorBytes: number;
}

/**
 * Converts a version-1 cache into a version-2 file and deletes the old one.
 * Returns once `to` exists (converted here or by another run) or `from` is gone.
 *
 * The old file is only read (its journal mode aside: out of WAL, which
 * earlier versions set again on open): the new one is built under another name and
 * renamed into place when complete, so a run killed at any moment leaves the
 * old cache as it was (and maybe a stray `.converting` file, replaced next
 * time). It is a different file name, not a rename over the old one: a run
 * that opened the old file just before would otherwise share the WAL and
 * shared-memory files (named after the path) with the new database.
 *
 * Exclusive access first: switching the old file out of WAL mode succeeds
 * only when no other connection has it open, and the exclusive lock then
 * keeps new readers out until the conversion is done. Two runs that convert
 * at once back off at random until one wins; the other finds `to` and opens it.
 */
export function migrateEarlierCache(options: CacheMigrationOptions): void {
  const { from, to, deadline, flag } = options;
  for (;;) {
    if (existsSync(to) || !existsSync(from)) return;
    const old = openExisting(from, flag);
    if (!old) continue;
    try {
      if (takeExclusive(old, from, flag)) {
        if (existsSync(to)) return;
        const format = requireEarlierFormat(old, from, flag);
        convert(old, { ...options, format });
        return;
      }
    } finally {
      if (old.inTransaction) old.exec('ROLLBACK');
      old.close();
    }
    if (performance.now() > deadline) {
      throw new UserError(
        `${from}: this embedding cache is in an earlier format and must be converted (into ${to}), but another run has it open. Let that run finish and start again, or pass another ${flag} directory.`,
      );
    }
    sleep(50 + Math.random() * 150);
  }
}

/** The old file, or undefined when it disappeared (another run converted it) since it was seen. */
function openExisting(path: string, flag: string): SqliteDatabase | undefined {
  try {
    return new Database(path, { fileMustExist: true, timeout: 200 });
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_CANTOPEN') && !existsSync(path)) return undefined;
    throw new UserError(
      `${path}: cannot open the earlier embedding cache (${code || String(error)}). Delete it (vectors will be computed again) or pass another ${flag} directory.`,
    );
  }
}

/** True when this connection alone has the file, in rollback mode and under an exclusive lock; false while another run has it open. */
function takeExclusive(db: SqliteDatabase, path: string, flag: string): boolean {
  try {
    if (db.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') return false;
    db.exec('BEGIN EXCLUSIVE');
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY')) return false;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw unusableCache(path, 'the file is damaged or not an SQLite database', flag);
    throw error;
  }
}

function requireEarlierFormat(db: SqliteDatabase, path: string, flag: string): string {
  const refused = (why: string) => unusableCache(path, why, flag);
  const meta = readCacheMeta(db);
  if (!meta) throw refused('an SQLite database of some other program');
  const format = meta.get('format');
  const version = Number(meta.get('version'));
  if (!EARLIER_CACHE_FORMATS.some((f) => f.format === format && f.version === version)) {
    const known = EARLIER_CACHE_FORMATS.map((f) => `${f.format} version ${f.version}`).join(', ');
    throw refused(`cache format ${format} version ${meta.get('version')}, this program converts only ${known}`);
  }
  return `${format} version ${version}`;
}

function convert(old: SqliteDatabase, options: CacheMigrationOptions & { format: string }): void {
  const { from, to, flag, vectorBytes } = options;
  const building = `${to}.converting`;
  try {
    // A stray one is what a killed conversion left; nobody else builds while this run holds the old file.
    removeDatabaseFiles(building);
    const out = new Database(building);
    try {
      out.pragma(`page_size = ${CACHE_PAGE_SIZE}`);
      const copy = out.transaction(() => {
        createCacheTables(out);
        const keys = new Map<string, number>();
        const insert = out.prepare('INSERT INTO embeddings (model, hash, vector) VALUES (?, ?, ?)');
        // Primary-key order (model, hash): the new index is written in order, its pages full.
        for (const row of old.prepare<unknown[], { model: string; hash: Buffer; vector: Buffer }>('SELECT model, hash, vector FROM embeddings').iterate()) {
          if (row.vector.byteLength !== vectorBytes) continue;
          let key = keys.get(row.model);
          if (key === undefined) keys.set(row.model, (key = modelKey(out, row.model)));
          insert.run(key, row.hash, row.vector);
        }
      });
      copy();
      out.pragma('journal_mode = WAL');
    } finally {
      out.close();
    }
    syncFile(building);
    // Nobody else creates `to` while `from` exists (see openCacheDatabase) and this run holds `from`.
    // A WAL left by a deleted file of that name would be replayed into this one: none may stay.
    for (const suffix of ['-journal', '-wal', '-shm']) rmSync(`${to}${suffix}`, { force: true });
    renameSync(building, to);
  } catch (error) {
    try {
      removeDatabaseFiles(building);
    } catch {
      // The error below says what went wrong; a stray file is replaced next time.
    }
    throw new UserError(
      `${from}: converting this embedding cache (${options.format}) into ${to} failed (${(error as Error).message}); the old cache is untouched. Free some disk space and run again, or pass another ${flag} directory.`,
    );
  }
  unlinkSync(from);
  try {
    syncFile(dirname(to));
  } catch {
    // Not every platform can sync a directory; the files themselves are synced.
  }
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
