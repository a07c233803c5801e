import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMatrix, type RunEvent } from '@mtl/core';
import { type CachedFeatures, FeatureCache, featureCacheKey } from './feature-cache.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'feature-cache-'));

function features(options: { rows: number; cols: number; density: number; seed: number }): CachedFeatures {
  const x = createMatrix(options.rows, options.cols);
  let state = options.seed;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (let i = 0; i < x.data.length; i++) if (next() < options.density) x.data[i] = next() * 10 - 5;
  const valid = Uint8Array.from({ length: options.rows }, (_, r) => (r % 7 === 3 ? 0 : 1));
  return { x, valid, info: { featureNames: ['a', 'b'], invalid: { count: 1, rows: [4] }, seed: options.seed } };
}

function expectSame(actual: CachedFeatures | undefined, expected: CachedFeatures): void {
  expect(actual).toBeDefined();
  expect(actual!.x.rows).toBe(expected.x.rows);
  expect(actual!.x.cols).toBe(expected.x.cols);
  expect(Buffer.from(actual!.x.data.buffer).equals(Buffer.from(expected.x.data.buffer))).toBe(true);
  expect(Array.from(actual!.valid)).toEqual(Array.from(expected.valid));
  expect(actual!.info).toEqual(expected.info);
}

const key = featureCacheKey({ producer: 'test/1', settings: { a: 1 }, inputs: ['CCO', 'c1ccccc1'] });

describe('featureCacheKey', () => {
  it('depends on producer, settings and every input in order, not on how settings keys are ordered', () => {
    const base = { producer: 'p/1', settings: { rdkit: '2026.09.1', recipe: { parts: [{ kind: 'morgan', radius: 2, bits: 2048 }] } }, inputs: ['CCO', 'CCN'] };
    const same = featureCacheKey(base);
    expect(same).toMatch(/^[0-9a-f]{64}$/);
    expect(featureCacheKey({ ...base, settings: { recipe: { parts: [{ bits: 2048, radius: 2, kind: 'morgan' }] }, rdkit: '2026.09.1' } })).toBe(same);
    expect(featureCacheKey({ ...base, inputs: ['CCN', 'CCO'] })).not.toBe(same);
    expect(featureCacheKey({ ...base, producer: 'p/2' })).not.toBe(same);
    expect(featureCacheKey({ ...base, settings: { ...base.settings, rdkit: '2025.03.4' } })).not.toBe(same);
    expect(featureCacheKey({ ...base, inputs: ['ab', 'c'] })).not.toBe(featureCacheKey({ ...base, inputs: ['a', 'bc'] }));
  });
});

describe('FeatureCache', () => {
  it('gives back what was put, dense (many non-zeros) and sparse (mostly zeros), and nothing for an unknown key', async () => {
    const dir = tempDir();
    const events: RunEvent[] = [];
    const cache = new FeatureCache({ dir, onEvent: (e) => events.push(e) });
    const dense = features({ rows: 30, cols: 50, density: 0.9, seed: 1 });
    const sparse = features({ rows: 300, cols: 2048, density: 0.03, seed: 2 });
    const sparseKey = featureCacheKey({ producer: 'test/1', settings: {}, inputs: ['x'] });
    expect(await cache.put(key, dense)).toBe(true);
    expect(await cache.put(sparseKey, sparse)).toBe(true);

    const again = new FeatureCache({ dir });
    expectSame(await again.get(key), dense);
    expectSame(await again.get(sparseKey), sparse);
    // Sparse storage: 3 % of 300 x 2048 float32 is about 150 kB instead of 2.4 MB.
    expect(statSync(cache.pathOf(sparseKey)).size).toBeLessThan(300 * 2048 * 4 * 0.1);
    expect(await again.get(featureCacheKey({ producer: 'test/1', settings: {}, inputs: ['never stored'] }))).toBeUndefined();
    expect(events).toEqual([]);
  });

  it('treats a truncated file as a miss with a warning, removes it, and a later put replaces it', async () => {
    const dir = tempDir();
    const events: RunEvent[] = [];
    const cache = new FeatureCache({ dir, onEvent: (e) => events.push(e) });
    const value = features({ rows: 20, cols: 16, density: 0.5, seed: 3 });
    await cache.put(key, value);
    const path = cache.pathOf(key);
    const whole = readFileSync(path);
    writeFileSync(path, whole.subarray(0, whole.length - 100));

    expect(await cache.get(key)).toBeUndefined();
    expect(events).toEqual([
      {
        type: 'notice',
        level: 'warning',
        message: expect.stringMatching(
          /\.features: damaged feature cache file \(\d+ bytes where the header announces \d+: truncated or extended\); computing the features again and replacing it\./,
        ) as string,
      },
    ]);
    expect(readdirSync(dir)).toEqual([]);

    await cache.put(key, value);
    expectSame(await cache.get(key), value);
  });

  it('treats a flipped byte, a foreign file and a short file as misses, never as errors', async () => {
    const dir = tempDir();
    const events: RunEvent[] = [];
    const cache = new FeatureCache({ dir, onEvent: (e) => events.push(e) });
    const value = features({ rows: 20, cols: 16, density: 0.5, seed: 4 });
    const path = cache.pathOf(key);

    await cache.put(key, value);
    const flipped = readFileSync(path);
    flipped[flipped.length - 5]! ^= 0x40;
    writeFileSync(path, flipped);
    expect(await cache.get(key)).toBeUndefined();

    await cache.put(key, value);
    const rows = readFileSync(path);
    rows.writeUInt32LE(21, 16); // a damaged row count in the header
    writeFileSync(path, rows);
    expect(await cache.get(key)).toBeUndefined();

    writeFileSync(path, 'smiles,NR-AR\nCCO,1\n'.repeat(10));
    expect(await cache.get(key)).toBeUndefined();
    writeFileSync(path, 'MTL');
    expect(await cache.get(key)).toBeUndefined();

    const reasons = events.map((e) => (e.type === 'notice' ? e.message.replace(/^.*damaged feature cache file \((.*)\);.*$/, '$1') : ''));
    expect(reasons).toEqual([
      'its checksum does not match its content',
      'its checksum does not match its content',
      'it does not start with MTLFEATS',
      '3 bytes, shorter than the 40-byte header',
    ]);
  });

  it('keeps one whole file when two writers put the same key at once (each writes its own temporary file)', async () => {
    const dir = tempDir();
    const cache = new FeatureCache({ dir });
    const other = new FeatureCache({ dir });
    // Dense and several MB each, so that both writes are in flight, chunk by chunk, at the same time.
    const first = features({ rows: 400, cols: 3000, density: 0.9, seed: 5 });
    const second = features({ rows: 400, cols: 3000, density: 0.9, seed: 6 });
    const written = await Promise.all([cache.put(key, first), other.put(key, second), cache.put(key, second), other.put(key, first)]);
    expect(written).toEqual([true, true, true, true]);

    expect(readdirSync(dir)).toEqual([`${key}.features`]);
    const read = await cache.get(key);
    const winner = read?.info.seed === 5 ? first : second;
    expectSame(read, winner);
  });

  it('warns and goes on when it cannot write (the cache directory is a file)', async () => {
    const dir = tempDir();
    const blocked = join(dir, 'not-a-dir');
    writeFileSync(blocked, 'x');
    const events: RunEvent[] = [];
    const cache = new FeatureCache({ dir: blocked, onEvent: (e) => events.push(e), flag: '--cache-dir' });
    expect(await cache.put(key, features({ rows: 2, cols: 2, density: 1, seed: 7 }))).toBe(false);
    expect(events).toEqual([
      {
        type: 'notice',
        level: 'warning',
        message: expect.stringMatching(/cannot write the feature cache \((EEXIST|ENOTDIR)\); .*pass another --cache-dir directory\./) as string,
      },
    ]);
  });

  it('refuses a key that is not hex, so that no key can name a path outside the directory', () => {
    const cache = new FeatureCache({ dir: tempDir() });
    expect(() => cache.pathOf('../../etc/passwd')).toThrow(/expected lowercase hex/);
  });
});
