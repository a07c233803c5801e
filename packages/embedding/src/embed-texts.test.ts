import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '@mtl/core';
import { embedTexts } from './embed-texts.js';
import { EmbeddingCache } from './embedding-cache.js';
import { EmbeddingInterrupted } from './embedding-interrupted.js';
import { EMBEDDING_SIZE } from './sentence-encoder.js';
import type { TextEmbedder } from './text-embedder.js';

/** Vector of a text = its first character code in every component; one token per word. */
function fakeEmbedder(log: { loads: number; batches: number[][]; closed: number }, parallelism = 1): () => Promise<TextEmbedder> {
  const vectorOf = (tokens: ArrayLike<number>) => new Float32Array(EMBEDDING_SIZE).fill(tokens[0] ?? 0);
  const embedTokens = async (encodings: ReadonlyArray<ArrayLike<number>>) => {
    log.batches.push(encodings.map((e) => e.length));
    const out = new Float32Array(encodings.length * EMBEDDING_SIZE);
    encodings.forEach((e, i) => out.set(vectorOf(e), i * EMBEDDING_SIZE));
    return out;
  };
  const tokenize = (text: string) => text.split(' ').map((word) => word.charCodeAt(0));
  return async () => {
    log.loads++;
    return {
      id: 'fake',
      parallelism,
      where: 'fake threads',
      tokenize,
      embedTokens,
      embed: (texts) => embedTokens(texts.map(tokenize)),
      close: async () => void log.closed++,
    };
  };
}

const newLog = () => ({ loads: 0, batches: [] as number[][], closed: 0 });
const newCache = () => new EmbeddingCache({ dir: mkdtempSync(join(tmpdir(), 'embed-texts-')), encoder: 'fake' });
const firstComponents = (x: { rows: number; data: Float32Array }) => Array.from({ length: x.rows }, (_, r) => x.data[r * EMBEDDING_SIZE]);

describe('embedTexts', () => {
  it('gives one row per text, in order, embedding each distinct text once; a second run reads them all from the cache', async () => {
    const cache = newCache();
    const log = newLog();
    const texts = ['apple pie', 'banana', 'apple pie', 'cherry'];
    const first = await embedTexts({ texts, cache, createEmbedder: fakeEmbedder(log) });
    expect(first.x.rows).toBe(4);
    expect(first.x.cols).toBe(EMBEDDING_SIZE);
    expect(firstComponents(first.x)).toEqual([97, 98, 97, 99]);
    expect(first.stats).toMatchObject({ texts: 4, unique: 3, cacheHits: 0, embedded: 3, where: 'fake threads' });
    expect(log).toMatchObject({ loads: 1, closed: 1 });

    const second = await embedTexts({ texts, cache, createEmbedder: fakeEmbedder(log) });
    expect(log.loads).toBe(1);
    expect(second.stats).toMatchObject({ unique: 3, cacheHits: 3, embedded: 0, textsPerSecond: 0, where: 'cache only' });
    expect(Array.from(second.x.data)).toEqual(Array.from(first.x.data));
    cache.close();
  });

  it('reports stage progress with the total known from the first event: cache hits are done from the start', async () => {
    const cache = newCache();
    await embedTexts({ texts: ['k1', 'k2'], cache, createEmbedder: fakeEmbedder(newLog()) });
    const events: RunEvent[] = [];
    const texts = ['k1', 'k2', ...Array.from({ length: 10 }, (_, i) => `t${i}`), 'k1'];
    await embedTexts({ texts, cache, createEmbedder: fakeEmbedder(newLog()), batchSize: 4, onEvent: (e) => events.push(e), unit: 'rows' });
    const stages = events.filter((e) => e.type === 'stage');
    expect(stages.length).toBe(1 + 3 + 1); // start, 3 batches of at most 4, finished
    expect(stages.every((e) => e.total === 12 && e.name === 'embedding' && e.unit === 'rows')).toBe(true);
    expect(stages.map((e) => e.done)).toEqual([2, 6, 10, 12, 12]);
    expect(stages[0]!.rate).toBeUndefined();
    for (const e of stages.slice(1)) expect(e.rate).toBeGreaterThan(0);
    expect(stages.at(-1)).toMatchObject({ finished: true, counters: { 'cache hits': 2, embedded: 10 } });
    cache.close();
  });

  it('embeds in batches of texts with equal token counts, longest first', async () => {
    const log = newLog();
    const texts = ['a b c', 'a', 'a b', 'b', 'a b c', 'c c', 'x y z', 'd'];
    await embedTexts({ texts, cache: newCache(), createEmbedder: fakeEmbedder(log), batchSize: 3 });
    expect(log.batches).toEqual([[3, 3, 2], [2, 1, 1], [1]]);
  });

  it('starts the model on a lead of texts while the rest are tokenized, then sorts the rest: every text embedded once', async () => {
    const log = newLog();
    // 4 batches of 2 (the lead), then the other 92 texts, sorted among themselves.
    const texts = Array.from({ length: 100 }, (_, i) => Array.from({ length: 1 + ((i * 7) % 13) }, () => 'w').join(' ') + ` ${i}`);
    const { x } = await embedTexts({ texts, cache: newCache(), createEmbedder: fakeEmbedder(log), batchSize: 2 });
    expect(x.rows).toBe(100);
    expect(log.batches.flat().length).toBe(100);
    const lengths = (batches: number[][]) => batches.flat();
    const lead = lengths(log.batches.slice(0, 4));
    const rest = lengths(log.batches.slice(4));
    expect(lead).toEqual([...lead].sort((a, b) => b - a));
    expect(rest).toEqual([...rest].sort((a, b) => b - a));
    expect(lead.length).toBe(8);
    // The lead is the first 8 texts (tokens: words + 1), not the 8 longest of all: one sort of everything would fail here.
    expect(lead).toEqual([12, 11, 10, 9, 5, 4, 3, 2]);
  });

  it('stops between batches when asked: what was embedded is cached, and the next run embeds only the rest', async () => {
    const cache = newCache();
    const texts = Array.from({ length: 10 }, (_, i) => `text ${i}`);
    let batches = 0;
    const log = newLog();
    const stopped = embedTexts({ texts, cache, createEmbedder: fakeEmbedder(log), batchSize: 4, onEvent: () => batches++, shouldStop: () => batches >= 2 });
    await expect(stopped).rejects.toThrow(EmbeddingInterrupted);
    await expect(stopped).rejects.toMatchObject({
      embedded: 4,
      cachePath: cache.path,
      message: `embedding stopped after 4 new vectors, all saved in ${cache.path}`,
    });
    expect(cache.size()).toBe(4);
    expect(log.closed).toBe(1);

    const rest = await embedTexts({ texts, cache, createEmbedder: fakeEmbedder(newLog()), batchSize: 4 });
    expect(rest.stats).toMatchObject({ cacheHits: 4, embedded: 6 });
    cache.close();
  });

  it('stops while the texts after the lead are still being tokenized: the lead batches are kept, nothing else is embedded', async () => {
    const cache = newCache();
    const texts = Array.from({ length: 200 }, (_, i) => `text ${i}`);
    let events = 0;
    const log = newLog();
    let tokenized = 0;
    const createEmbedder = async () => {
      const embedder = await fakeEmbedder(log)();
      return { ...embedder, tokenize: (text: string) => (tokenized++, embedder.tokenize(text)) };
    };
    // Stop at the first batch's event: the rest (192 texts after a lead of 4 batches of 2) is being tokenized then.
    const stopped = embedTexts({ texts, cache, createEmbedder, batchSize: 2, onEvent: () => events++, shouldStop: () => events >= 2 });
    await expect(stopped).rejects.toThrow(EmbeddingInterrupted);
    // Tokenizing the rest stopped too (the lanes alone would stop embedding even if it had not).
    expect(tokenized).toBeLessThan(texts.length);
    expect(cache.size()).toBe(log.batches.flat().length);
    expect(cache.size()).toBeLessThanOrEqual(8);
    const rest = await embedTexts({ texts, cache, createEmbedder: fakeEmbedder(newLog()), batchSize: 2 });
    expect(rest.stats.embedded + rest.stats.cacheHits).toBe(200);
    cache.close();
  });

  it('gives the same rows whatever the chunk size, with two batches in flight at once', async () => {
    const texts = Array.from({ length: 50 }, (_, i) => `${String.fromCharCode(65 + (i % 26))} ${'w '.repeat(i % 5)}`.trim());
    const whole = await embedTexts({ texts, cache: newCache(), createEmbedder: fakeEmbedder(newLog(), 2), batchSize: 4 });
    const chunked = await embedTexts({ texts, cache: newCache(), createEmbedder: fakeEmbedder(newLog(), 2), batchSize: 4, chunkSize: 7 });
    expect(firstComponents(whole.x)).toEqual(texts.map((t) => t.charCodeAt(0)));
    expect(Array.from(chunked.x.data)).toEqual(Array.from(whole.x.data));
  });

  it('closes the embedder when the encoder fails, and says how many vectors it got', async () => {
    const log = newLog();
    const create = fakeEmbedder(log);
    const broken = async () => ({ ...(await create()), embedTokens: async () => new Float32Array(EMBEDDING_SIZE) });
    await expect(embedTexts({ texts: ['one', 'two'], cache: newCache(), createEmbedder: broken })).rejects.toThrow(
      'the encoder returned 1 vectors for a batch of 2 texts',
    );
    expect(log.closed).toBe(1);
  });
});
