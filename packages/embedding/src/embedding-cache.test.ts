import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { CACHE_FILE, CACHE_FORMAT, CACHE_PAGE_SIZE, CACHE_TABLES_SQL, CACHE_VERSION } from './cache-layout.js';
import { EmbeddingCache, textHash } from './embedding-cache.js';
import { EMBEDDING_SIZE } from './sentence-encoder.js';

const vector = (seed: number) => Float32Array.from({ length: EMBEDDING_SIZE }, (_, i) => seed + i / 1000);

describe('EmbeddingCache', () => {
  it('keeps committed vectors across reopening, per model id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'embedding-cache-'));
    const cache = new EmbeddingCache({ dir, encoder: 'model-a' });
    cache.put([
      [textHash('hello'), vector(1)],
      [textHash('world'), vector(2)],
    ]);
    cache.close();

    const again = new EmbeddingCache({ dir, encoder: 'model-a' });
    expect(again.size()).toBe(2);
    expect(Array.from(again.get(textHash('world'))!.subarray(0, 2))).toEqual([2, 2.000999927520752]);
    expect(again.has(textHash('unseen'))).toBe(false);
    again.close();

    const otherModel = new EmbeddingCache({ dir, encoder: 'model-b' });
    expect(otherModel.has(textHash('hello'))).toBe(false);
    otherModel.close();
  });

  it('sees vectors that another run sharing the file stores for a model it had not seen yet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'embedding-cache-'));
    const reader = new EmbeddingCache({ dir, encoder: 'model-a' });
    expect(reader.has(textHash('hello'))).toBe(false);
    const writer = new EmbeddingCache({ dir, encoder: 'model-a' });
    writer.put([[textHash('hello'), vector(1)]]);
    expect(reader.get(textHash('hello'))![0]).toBe(1);
    expect(reader.size()).toBe(1);
    writer.close();
    reader.close();
  });

  it('keeps the vectors of each preparation apart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'embedding-cache-'));
    const cleaned = new EmbeddingCache({ dir, encoder: 'model-a', preparation: 'clean-1' });
    cleaned.put([[textHash('hello'), vector(1)]]);
    expect(cleaned.model).toBe('model-a/clean-1');
    cleaned.close();
    const recleaned = new EmbeddingCache({ dir, encoder: 'model-a', preparation: 'clean-2' });
    expect(recleaned.has(textHash('hello'))).toBe(false);
    recleaned.close();
  });

  it('refuses a cache of a format it does not know, naming both formats', () => {
    const dir = mkdtempSync(join(tmpdir(), 'embedding-cache-'));
    const db = new Database(join(dir, CACHE_FILE));
    db.exec('CREATE TABLE cache_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); CREATE TABLE embeddings (model TEXT, hash BLOB, vector BLOB)');
    db.prepare('INSERT INTO cache_meta (key, value) VALUES (?, ?), (?, ?)').run('format', CACHE_FORMAT, 'version', '99');
    db.close();
    expect(() => new EmbeddingCache({ dir, encoder: 'model-a', flag: '--embedding-cache' })).toThrow(
      new RegExp(`cache format ${CACHE_FORMAT} version 99, this program uses ${CACHE_FORMAT} version ${CACHE_VERSION}.*another --embedding-cache directory`),
    );
  });

  it('refuses a file that is not an SQLite database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'embedding-cache-'));
    writeFileSync(join(dir, CACHE_FILE), 'this is not a database, just some text that is long enough to have a header'.repeat(20));
    expect(() => new EmbeddingCache({ dir, encoder: 'model-a' })).toThrow(
      /text-embeddings\.sqlite: the file is damaged or not an SQLite database\. .*delete it/,
    );
  });

  it('refuses an SQLite database of another program', () => {
    const dir = mkdtempSync(join(tmpdir(), 'embedding-cache-'));
    const db = new Database(join(dir, CACHE_FILE));
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    expect(() => new EmbeddingCache({ dir, encoder: 'model-a' })).toThrow(/an SQLite database of some other program/);
  });

  it('opens a new cache that another run is creating at the same moment', async () => {
    // Another process holds the write lock half-way through creating the tables; this run must
    // wait for it and then use its tables, not find the file empty and try to create them too.
    const dir = mkdtempSync(join(tmpdir(), 'embedding-cache-'));
    const creator = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const Database = require(workerData.module);
       const db = new Database(workerData.path);
       db.pragma('page_size = ' + workerData.pageSize);
       db.pragma('journal_mode = WAL');
       db.exec('BEGIN IMMEDIATE');
       db.exec(workerData.tables);
       db.prepare('INSERT INTO cache_meta (key, value) VALUES (?, ?), (?, ?)').run('format', workerData.format, 'version', workerData.version);
       parentPort.postMessage('locked');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
       db.exec('COMMIT');
       db.close();`,
      {
        eval: true,
        workerData: {
          module: createRequire(import.meta.url).resolve('better-sqlite3'),
          path: join(dir, CACHE_FILE),
          format: CACHE_FORMAT,
          version: String(CACHE_VERSION),
          pageSize: CACHE_PAGE_SIZE,
          tables: CACHE_TABLES_SQL,
        },
      },
    );
    await new Promise((resolve, reject) => {
      creator.once('message', resolve);
      creator.once('error', reject);
    });
    const cache = new EmbeddingCache({ dir, encoder: 'model-a' });
    cache.put([[textHash('hello'), vector(1)]]);
    expect(cache.size()).toBe(1);
    cache.close();
    await new Promise((resolve) => creator.once('exit', resolve));
  });
});
