import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CACHE_FILE, EmbeddingCache, postHash } from './embedding-cache.js';
import { EMBEDDING_SIZE } from './sentence-encoder.js';

const vector = (seed: number) => Float32Array.from({ length: EMBEDDING_SIZE }, (_, i) => seed + i / 1000);

describe('EmbeddingCache', () => {
  it('keeps committed vectors across reopening, per model id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mbti-cache-'));
    const cache = new EmbeddingCache(dir, 'model-a');
    cache.put([[postHash('hello'), vector(1)], [postHash('world'), vector(2)]]);
    cache.close();

    const again = new EmbeddingCache(dir, 'model-a');
    expect(again.size()).toBe(2);
    expect(Array.from(again.get(postHash('world'))!.subarray(0, 2))).toEqual([2, 2.0009999275207520]);
    expect(again.has(postHash('unseen'))).toBe(false);
    again.close();

    const otherModel = new EmbeddingCache(dir, 'model-b');
    expect(otherModel.has(postHash('hello'))).toBe(false);
    otherModel.close();
  });

  it('refuses a file that is not an SQLite database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mbti-cache-'));
    writeFileSync(join(dir, CACHE_FILE), 'this is not a database, just some text that is long enough to have a header'.repeat(20));
    expect(() => new EmbeddingCache(dir, 'model-a')).toThrow(/embeddings\.sqlite: the file is damaged or not an SQLite database\. .*delete it/);
  });

  it('refuses an SQLite database of another program', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mbti-cache-'));
    const db = new Database(join(dir, CACHE_FILE));
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    expect(() => new EmbeddingCache(dir, 'model-a')).toThrow(/an SQLite database of some other program/);
  });
});
