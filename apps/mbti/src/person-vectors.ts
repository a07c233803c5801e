import { createMatrix, type Matrix, type RunEventListener } from '@mtl/core';
import { readPeople, type ReadSummary } from './csv-reader.js';
import { EmbeddingCache, postHash } from './embedding-cache.js';
import type { PostEmbedder } from './post-embedder.js';
import { EMBEDDING_SIZE } from './sentence-encoder.js';

export interface PersonVectors {
  /** people x 512: the mean of each person's post vectors. */
  x: Matrix;
  /** Type code of each person, in file order. */
  types: string[];
  /** Data row of each person in the file. */
  rows: number[];
  summary: ReadSummary;
  stats: EmbeddingStats;
}

export interface EmbeddingStats {
  posts: number;
  /** Distinct cleaned posts. */
  unique: number;
  cacheHits: number;
  embedded: number;
  seconds: number;
  /** Posts embedded per second of embedding work (cache hits excluded). */
  postsPerSecond: number;
  where: string;
}

export interface PersonVectorOptions {
  path: string;
  cache: EmbeddingCache;
  /** Called only when some post is not cached: a fully cached run never loads the model. */
  createEmbedder: () => Promise<PostEmbedder>;
  onEvent?: RunEventListener;
  /** Checked between batches; true stops after the batches in flight are cached. */
  shouldStop?: () => boolean;
  /** Posts per model call. Small batches are faster on wasm: the graph pads to the longest post. */
  batchSize?: number;
  /** Posts read before their misses are embedded: bounds memory on a big file. */
  chunkPosts?: number;
}

export class EmbeddingInterrupted extends Error {
  constructor(readonly embedded: number) {
    super(`embedding stopped after ${embedded} new post vectors (all saved in the cache)`);
    this.name = 'EmbeddingInterrupted';
  }
}

/**
 * Turns a CSV into one vector per person. Pass 1 streams the file to validate
 * it and count posts and cache hits (so progress has a total and a malformed
 * file fails before minutes of embedding). Pass 2 streams it again in chunks:
 * cached vectors are read, missing ones embedded in token-count-sorted batches and
 * committed batch by batch, and each person's mean is accumulated.
 */
export async function embedPeople(options: PersonVectorOptions): Promise<PersonVectors> {
  const emit = options.onEvent ?? (() => {});
  const { cache } = options;
  const scan = readPeople(options.path);
  const seen = new Set<string>();
  let scanHits = 0;
  for await (const person of scan.people) {
    for (const post of person.posts) {
      const key = postHash(post).toString('base64');
      if (seen.has(key)) continue;
      seen.add(key);
      if (cache.has(Buffer.from(key, 'base64'))) scanHits++;
    }
  }
  const unique = seen.size;
  seen.clear();
  const total = scan.summary.people;
  const embedder = total > 0 && scanHits < unique ? await options.createEmbedder() : undefined;
  try {
    return await embedPass(options, scan.summary, { unique, scanHits, embedder, emit });
  } finally {
    await embedder?.close();
  }
}

async function embedPass(
  options: PersonVectorOptions,
  summary: ReadSummary,
  { unique, scanHits, embedder, emit }: { unique: number; scanHits: number; embedder: PostEmbedder | undefined; emit: RunEventListener },
): Promise<PersonVectors> {
  const { cache } = options;
  const batchSize = options.batchSize ?? 16;
  const chunkPosts = options.chunkPosts ?? 4096;
  const total = summary.people;

  const x = createMatrix(total, EMBEDDING_SIZE);
  const types: string[] = [];
  const rows: number[] = [];
  const started = performance.now();
  let embedSeconds = 0;
  let embedded = 0;
  let doneUnique = 0;
  let embeddingSince: number | undefined;
  const progress = (finished = false) => {
    const busy = embedSeconds + (embeddingSince === undefined ? 0 : (performance.now() - embeddingSince) / 1000);
    emit({
      type: 'stage', name: 'embedding', unit: 'posts', done: doneUnique, total: unique,
      rate: busy > 0 ? embedded / busy : undefined, counters: { 'cache hits': scanHits, embedded }, finished,
    });
  };
  progress();

  /** Distinct posts whose vector is known (for progress), and those already queued in this chunk. */
  const counted = new Set<string>();
  const queued = new Set<string>();
  let chunk: Array<{ index: number; posts: string[] }> = [];
  let chunkSize = 0;
  const flush = async () => {
    const vectors = new Map<string, Float32Array>();
    const missing: Array<{ key: string; text: string }> = [];
    for (const person of chunk) {
      for (const post of person.posts) {
        const hash = postHash(post);
        const key = hash.toString('base64');
        if (vectors.has(key)) continue;
        const cached = cache.get(hash);
        if (cached) {
          vectors.set(key, cached);
          if (!counted.has(key)) {
            counted.add(key);
            doneUnique++;
          }
        } else if (!queued.has(key)) {
          queued.add(key);
          missing.push({ key, text: post });
        }
      }
    }
    if (missing.length > 0) {
      if (!embedder) throw new Error(`${options.path} changed while it was being read; run again`);
      embeddingSince = performance.now();
      await embedMissing(missing, vectors);
      embedSeconds += (performance.now() - embeddingSince) / 1000;
      embeddingSince = undefined;
    }
    for (const person of chunk) meanInto(x, person.index, person.posts.map((p) => vectors.get(postHash(p).toString('base64'))!));
    chunk = [];
    chunkSize = 0;
    queued.clear();
  };

  const embedMissing = async (missing: Array<{ key: string; text: string }>, vectors: Map<string, Float32Array>) => {
    const batches = tokenSortedBatches(missing.map((m) => ({ ...m, tokens: embedder!.tokenize(m.text) })), batchSize);
    let next = 0;
    const runLane = async () => {
      while (next < batches.length) {
        if (options.shouldStop?.()) return;
        const batch = batches[next++]!;
        const out = await embedder!.embedTokens(batch.map((m) => m.tokens));
        const entries: Array<[Buffer, Float32Array]> = batch.map((m, i) => [Buffer.from(m.key, 'base64'), out.slice(i * EMBEDDING_SIZE, (i + 1) * EMBEDDING_SIZE)]);
        cache.put(entries);
        for (const [i, m] of batch.entries()) {
          vectors.set(m.key, entries[i]![1]);
          if (!counted.has(m.key)) {
            counted.add(m.key);
            doneUnique++;
          }
        }
        embedded += batch.length;
        progress();
      }
    };
    await Promise.all(Array.from({ length: embedder!.parallelism }, runLane));
    if (options.shouldStop?.()) throw new EmbeddingInterrupted(embedded);
  };

  const pass = readPeople(options.path);
  for await (const person of pass.people) {
    if (types.length >= total) break;
    chunk.push({ index: types.length, posts: person.posts });
    types.push(person.type);
    rows.push(person.row);
    chunkSize += person.posts.length;
    if (chunkSize >= chunkPosts) await flush();
  }
  if (chunk.length > 0) await flush();
  if (types.length !== total) throw new Error(`${options.path} changed while it was being read; run again`);

  const seconds = (performance.now() - started) / 1000;
  progress(true);
  return {
    x, types, rows, summary,
    stats: { posts: summary.posts, unique, cacheHits: scanHits, embedded, seconds, postsPerSecond: embedSeconds > 0 ? embedded / embedSeconds : 0, where: embedder?.where ?? 'cache only' },
  };
}

/**
 * Posts with the same number of tokens go together: the graph pads every post
 * of a batch to the longest one. Sorting by characters left 26 % padding on
 * the sample (URLs and odd words split into many tokens); by tokens, 0.1 %.
 */
function tokenSortedBatches<T extends { tokens: number[] }>(items: T[], size: number): T[][] {
  const sorted = [...items].sort((a, b) => a.tokens.length - b.tokens.length);
  const batches: T[][] = [];
  for (let i = 0; i < sorted.length; i += size) batches.push(sorted.slice(i, i + size));
  return batches;
}

function meanInto(x: Matrix, row: number, vectors: Float32Array[]): void {
  const target = x.data.subarray(row * EMBEDDING_SIZE, (row + 1) * EMBEDDING_SIZE);
  for (const v of vectors) for (let j = 0; j < EMBEDDING_SIZE; j++) target[j]! += v[j]!;
  for (let j = 0; j < EMBEDDING_SIZE; j++) target[j]! /= vectors.length;
}
