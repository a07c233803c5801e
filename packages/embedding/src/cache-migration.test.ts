import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { CACHE_FILE, CACHE_FORMAT, CACHE_VERSION, EARLIER_CACHE_FILE } from './cache-layout.js';
import { EmbeddingCache, textHash } from './embedding-cache.js';
import { EMBEDDING_SIZE } from './sentence-encoder.js';

const vector = (seed: number) => Float32Array.from({ length: EMBEDDING_SIZE }, (_, i) => seed + i / 1000);
const newDir = () => mkdtempSync(join(tmpdir(), 'embedding-cache-'));
const bytes = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** Version 1's tables: the model string in every row, vectors in a WITHOUT ROWID table. */
const VERSION1_TABLES_SQL = `
  CREATE TABLE cache_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE embeddings (model TEXT NOT NULL, hash BLOB NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, hash)) WITHOUT ROWID;
`;

/** A cache as version 1 wrote it (WAL, WITHOUT ROWID, model string in every row), with n vectors of one model. */
function writeVersion1(dir: string, options: { format: string; n: number; model?: string }): void {
  const db = new Database(join(dir, EARLIER_CACHE_FILE));
  db.pragma('journal_mode = WAL');
  db.exec(VERSION1_TABLES_SQL);
  db.prepare('INSERT INTO cache_meta (key, value) VALUES (?, ?), (?, ?)').run('format', options.format, 'version', '1');
  const insert = db.prepare('INSERT INTO embeddings (model, hash, vector) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < options.n; i++) insert.run(options.model ?? 'use-lite-0123456789abcdef/clean-1', textHash(`post ${i}`), bytes(vector(i)));
    insert.run('another-encoder', textHash('post 0'), bytes(vector(-1)));
  })();
  db.close();
}

/** n converted vectors ('post 0' ...) and `added` stored since, all readable from the one new file. */
function expectConverted(dir: string, n: number, added = 0): void {
  const cache = new EmbeddingCache({ dir, encoder: 'use-lite-0123456789abcdef', preparation: 'clean-1' });
  expect(cache.size()).toBe(n + added);
  for (const i of [0, Math.floor(n / 2), n - 1]) expect(Array.from(cache.get(textHash(`post ${i}`))!)).toEqual(Array.from(vector(i)));
  cache.close();
  const other = new EmbeddingCache({ dir, encoder: 'another-encoder' });
  expect(other.get(textHash('post 0'))![0]).toBe(-1);
  other.close();
  expect(readdirSync(dir)).toEqual([CACHE_FILE]);
}

/** A thread that opens a file the way another run would (WAL, a read) and keeps it open for `holdMs`. */
async function holdOpen(path: string, holdMs: number): Promise<Worker> {
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const Database = require(workerData.module);
     const db = new Database(workerData.path);
     db.pragma('journal_mode = WAL');
     db.prepare('SELECT COUNT(*) FROM embeddings').get();
     parentPort.postMessage('open');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
     db.close();`,
    { eval: true, workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), path, holdMs } },
  );
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return worker;
}

describe('EmbeddingCache size on disk', () => {
  it('takes at most 2.2 KB a vector, WAL included, for a sample-sized cache filled batch by batch in random hash order', () => {
    // The mbti sample's 19,306 distinct posts, put in batches of 16 as an embedding run does.
    const dir = newDir();
    const cache = new EmbeddingCache({ dir, encoder: 'use-lite-0123456789abcdef', preparation: 'clean-1' });
    const n = 19_306;
    const v = vector(0);
    for (let start = 0; start < n; start += 16) {
      cache.put(Array.from({ length: Math.min(16, n - start) }, (): [Buffer, Float32Array] => [randomBytes(32), v]));
    }
    const whileOpen = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    cache.close();
    const files = readdirSync(dir);
    const closed = files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    expect(files).toEqual([CACHE_FILE]);
    expect(closed / n).toBeLessThanOrEqual(2200);
    // While it is open the WAL is at most ~8 MB on top (checkpointed and truncated every 128 pages).
    expect(whileOpen - closed).toBeLessThan(10_000_000);
  });
});

describe('EmbeddingCache conversion of an earlier cache', () => {
  for (const format of ['mtl-embedding-cache', 'mbti-embedding-cache']) {
    it(`converts a ${format} version 1 cache in place, every vector of every model kept, and deletes the old file`, () => {
      const dir = newDir();
      writeVersion1(dir, { format, n: 300 });
      expectConverted(dir, 300);
      const db = new Database(join(dir, CACHE_FILE), { readonly: true });
      expect(db.prepare("SELECT value FROM cache_meta WHERE key = 'version'").pluck().get()).toBe(String(CACHE_VERSION));
      expect(db.pragma('page_size', { simple: true })).toBe(65536);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
    });
  }

  it('converts the vectors that a killed version-1 run left in its WAL only', () => {
    // Copies of the files while a writer has them open: the database and a WAL holding the last commits.
    const live = newDir();
    const dir = newDir();
    const db = new Database(join(live, EARLIER_CACHE_FILE));
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec(VERSION1_TABLES_SQL);
    db.prepare('INSERT INTO cache_meta (key, value) VALUES (?, ?), (?, ?)').run('format', 'mtl-embedding-cache', 'version', '1');
    const insert = db.prepare('INSERT INTO embeddings (model, hash, vector) VALUES (?, ?, ?)');
    for (let i = 0; i < 30; i++) insert.run('use-lite-0123456789abcdef/clean-1', textHash(`post ${i}`), bytes(vector(i)));
    insert.run('another-encoder', textHash('post 0'), bytes(vector(-1)));
    expect(statSync(join(live, `${EARLIER_CACHE_FILE}-wal`)).size).toBeGreaterThan(30 * 2048);
    for (const suffix of ['', '-wal']) copyFileSync(join(live, EARLIER_CACHE_FILE + suffix), join(dir, EARLIER_CACHE_FILE + suffix));
    db.close();
    expectConverted(dir, 30);
  });

  it('converts a cache left by a killed conversion: the old file intact, a half-built new one beside it', () => {
    const dir = newDir();
    writeVersion1(dir, { format: 'mtl-embedding-cache', n: 50 });
    // What a run killed while building leaves: the old file switched out of WAL mode, a partial file named .converting.
    const old = new Database(join(dir, EARLIER_CACHE_FILE));
    old.pragma('journal_mode = DELETE');
    old.close();
    const partial = new Database(join(dir, `${CACHE_FILE}.converting`));
    partial.exec('CREATE TABLE half (x)');
    partial.close();
    writeFileSync(join(dir, `${CACHE_FILE}.converting-journal`), 'a torn journal');
    expectConverted(dir, 50);
  });

  it('leaves the old cache untouched, and says what to do, when the conversion fails', () => {
    const dir = newDir();
    writeVersion1(dir, { format: 'mtl-embedding-cache', n: 20 });
    // Something in the way of the file being built (a directory by that name) makes the conversion fail.
    mkdirSync(join(dir, `${CACHE_FILE}.converting`, 'in-the-way'), { recursive: true });
    expect(() => new EmbeddingCache({ dir, encoder: 'use-lite-0123456789abcdef', flag: '--embedding-cache' })).toThrow(
      new RegExp(
        `${EARLIER_CACHE_FILE}: converting this embedding cache \\(mtl-embedding-cache version 1\\) into .*${CACHE_FILE} failed .*the old cache is untouched.*another --embedding-cache directory`,
      ),
    );
    expect(existsSync(join(dir, CACHE_FILE))).toBe(false);
    rmSync(join(dir, `${CACHE_FILE}.converting`), { recursive: true });
    expectConverted(dir, 20);
  });

  it('waits for another run that has the old cache open, then converts it', async () => {
    const dir = newDir();
    writeVersion1(dir, { format: 'mtl-embedding-cache', n: 40 });
    const other = await holdOpen(join(dir, EARLIER_CACHE_FILE), 400);
    const exited = new Promise((resolve) => other.once('exit', resolve));
    const since = performance.now();
    const cache = new EmbeddingCache({ dir, encoder: 'use-lite-0123456789abcdef', preparation: 'clean-1', lockWaitMs: 20_000 });
    expect(performance.now() - since).toBeGreaterThan(200);
    expect(cache.size()).toBe(40);
    cache.close();
    await exited;
    expectConverted(dir, 40);
  });

  it('refuses, naming the file and what to do, when another run keeps the old cache open', async () => {
    const dir = newDir();
    writeVersion1(dir, { format: 'mtl-embedding-cache', n: 10 });
    const other = await holdOpen(join(dir, EARLIER_CACHE_FILE), 2000);
    const exited = new Promise((resolve) => other.once('exit', resolve));
    expect(() => new EmbeddingCache({ dir, encoder: 'model-a', flag: '--embedding-cache', lockWaitMs: 300 })).toThrow(
      new RegExp(
        `${EARLIER_CACHE_FILE}: this embedding cache is in an earlier format .* another run has it open\\. Let that run finish .*another --embedding-cache directory`,
      ),
    );
    await exited;
    expect(existsSync(join(dir, CACHE_FILE))).toBe(false);
    expectConverted(dir, 10);
  });

  it('refuses an earlier file that is not a cache, naming it', () => {
    const dir = newDir();
    const db = new Database(join(dir, EARLIER_CACHE_FILE));
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    expect(() => new EmbeddingCache({ dir, encoder: 'model-a' })).toThrow(
      new RegExp(`${EARLIER_CACHE_FILE}: an SQLite database of some other program\\. It is not a usable embedding cache: delete it`),
    );
    writeFileSync(join(dir, EARLIER_CACHE_FILE), 'not a database at all, but long enough to have a header'.repeat(20));
    expect(() => new EmbeddingCache({ dir, encoder: 'model-a' })).toThrow(/embeddings\.sqlite: the file is damaged or not an SQLite database/);
  });

  it('keeps using the new file when a copy of an earlier cache appears beside it', () => {
    const dir = newDir();
    const cache = new EmbeddingCache({ dir, encoder: 'model-a' });
    cache.put([[textHash('new'), vector(5)]]);
    cache.close();
    writeVersion1(dir, { format: 'mtl-embedding-cache', n: 5, model: 'model-a' });
    const again = new EmbeddingCache({ dir, encoder: 'model-a' });
    expect(again.size()).toBe(1);
    again.close();
    expect(CACHE_FORMAT).toBe('mtl-embedding-cache');
  });
});

/** The built package: other processes run it as another run of an app would. */
const BUILT = fileURLToPath(new URL('../dist/embedding-cache.js', import.meta.url));

/** A node process that opens the cache in `dir` (converting it if need be), stores one vector and prints the model's size. */
function otherRun(dir: string, text: string) {
  const script = `import { EmbeddingCache, textHash } from ${JSON.stringify(BUILT)};
    const cache = new EmbeddingCache({ dir: ${JSON.stringify(dir)}, encoder: 'use-lite-0123456789abcdef', preparation: 'clean-1', lockWaitMs: 30000 });
    cache.put([[textHash(${JSON.stringify(text)}), new Float32Array(${EMBEDDING_SIZE}).fill(7)]]);
    console.log(cache.size());
    cache.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, out })),
  );
  return { child, exited };
}

// Needs `npm run build` (as `npm test` does): the other runs are real processes.
describe.skipIf(!existsSync(BUILT))('EmbeddingCache conversion across processes', () => {
  it('three runs opening the same earlier cache at once: one converts, all use the result, nothing is lost', async () => {
    const dir = newDir();
    writeVersion1(dir, { format: 'mbti-embedding-cache', n: 3000 });
    const runs = ['first', 'second', 'third'].map((text) => otherRun(dir, text));
    const results = await Promise.all(runs.map((run) => run.exited));
    for (const result of results) expect(result).toMatchObject({ code: 0 });
    for (const result of results) expect(Number(result.out)).toBeGreaterThan(3000);
    expectConverted(dir, 3000, 3);
  });

  it('a run killed (SIGKILL) while converting leaves the old cache whole; the next run converts it', async () => {
    const dir = newDir();
    const n = 20_000;
    writeVersion1(dir, { format: 'mtl-embedding-cache', n });
    const building = join(dir, `${CACHE_FILE}.converting`);
    let killedMidway = false;
    for (let attempt = 0; attempt < 3 && !killedMidway; attempt++) {
      const run = otherRun(dir, 'killed');
      while (!existsSync(building) && run.child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 2));
      await new Promise((resolve) => setTimeout(resolve, 20));
      run.child.kill('SIGKILL');
      const result = await run.exited;
      killedMidway = result.signal === 'SIGKILL' && !existsSync(join(dir, CACHE_FILE));
    }
    expect(killedMidway).toBe(true);
    const old = new Database(join(dir, EARLIER_CACHE_FILE), { readonly: true });
    expect(old.prepare('SELECT COUNT(*) FROM embeddings').pluck().get()).toBe(n + 1);
    old.close();
    expectConverted(dir, n);
  });
});
