import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBackend, type RunEvent } from '@mtl/core';
import { createTextEmbedder, defaultModelDir, EMBEDDING_SIZE, EmbeddingCache, EmbeddingInterrupted, encoderId, type TextEmbedder } from '@mtl/embedding';
import { embedPeople } from './person-vectors.js';

const FIXTURE = 'test/fixtures/mbti-tiny.csv';

describe('embedPeople with the real encoder and an on-disk cache', () => {
  const modelDir = defaultModelDir();
  const id = encoderId(modelDir);
  let embedder: TextEmbedder;
  let loads = 0;
  const createEmbedder = async () => {
    loads++;
    return { ...embedder, close: async () => {} };
  };
  beforeAll(async () => {
    await loadBackend();
    embedder = await createTextEmbedder({ modelDir, workers: 0 });
  });
  afterAll(() => embedder.close());

  it('resumes an interrupted run and embeds nothing on the next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mbti-vectors-'));

    // Interrupted after the first batch: that batch is committed, nothing else.
    let cache = new EmbeddingCache({ dir, encoder: id });
    let batches = 0;
    await expect(embedPeople({ path: FIXTURE, cache, createEmbedder, batchSize: 4, shouldStop: () => batches++ >= 1 })).rejects.toBeInstanceOf(
      EmbeddingInterrupted,
    );
    expect(cache.size()).toBe(4);
    cache.close();

    // A new process: opens the cache again and embeds only the rest.
    cache = new EmbeddingCache({ dir, encoder: id });
    const events: RunEvent[] = [];
    const first = await embedPeople({ path: FIXTURE, cache, createEmbedder, batchSize: 4, onEvent: (e) => events.push(e) });
    expect(first.types).toEqual(['INTJ', 'ENFP', 'INFP', 'ESTJ', 'INTP', 'ESFP']);
    expect(first.stats).toMatchObject({ posts: 13, unique: 13, cacheHits: 4, embedded: 9 });
    expect(first.x.rows).toBe(6);
    expect(first.x.cols).toBe(EMBEDDING_SIZE);
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'stage', name: 'embedding', unit: 'posts', done: 13, total: 13, finished: true, counters: { 'cache hits': 4 } });
    // What `mbti train` and `mbti evaluate` report while embedding: the total from the start, cached posts done, a rate once a batch is in.
    const stages = events.filter((e) => e.type === 'stage');
    expect(stages[0]).toMatchObject({ done: 4, total: 13 });
    expect(stages.every((e) => e.total === 13)).toBe(true);
    for (const e of stages.slice(1)) expect(e.rate).toBeGreaterThan(0);

    // Fully cached: the model is not even loaded, and the vectors are the same.
    const loadsBefore = loads;
    const second = await embedPeople({ path: FIXTURE, cache, createEmbedder });
    expect(loads).toBe(loadsBefore);
    expect(second.stats).toMatchObject({ cacheHits: 13, embedded: 0, where: 'cache only' });
    expect(Array.from(second.x.data)).toEqual(Array.from(first.x.data));
    cache.close();
  });

  it('a person vector is the mean of their post vectors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mbti-vectors-'));
    const cache = new EmbeddingCache({ dir, encoder: id });
    const result = await embedPeople({ path: FIXTURE, cache, createEmbedder });
    // ENFP (second person) has two posts.
    const posts = await embedder.embed(['Just met the most amazing people at the festival!', 'Who wants to go on a spontaneous road trip this weekend?']);
    for (const j of [0, 100, 511]) {
      expect(result.x.data[EMBEDDING_SIZE + j]).toBeCloseTo((posts[j]! + posts[EMBEDDING_SIZE + j]!) / 2, 4);
    }
    cache.close();
  });
});
