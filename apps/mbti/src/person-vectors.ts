import { createMatrix, type Matrix } from '@mtl/core';
import { EMBEDDING_SIZE, EmbeddingStage, type EmbeddingStageOptions } from '@mtl/embedding';
import { type Person, readPeople, type ReadSummary } from './csv-reader.js';

/** How a person's post vectors become one vector: their mean, and optionally their element-wise maximum or standard deviation beside it. */
export const POOLINGS = ['mean', 'max', 'sd'] as const;
export type Pooling = (typeof POOLINGS)[number];

export interface PersonVectors {
  /** people x (512 per pooling): each person's post vectors pooled, one 512-d block per entry of `pooling` (default: the mean). */
  x: Matrix;
  /** Type code of each person, in file order. */
  types: string[];
  /** Data row of each person in the file. */
  rows: number[];
  summary: ReadSummary;
  stats: EmbeddingStats;
}

export interface EmbeddingStats {
  /** Posts to embed: every post, or with `maxPosts` the first ones of each person. */
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

/** The cache, the model and the progress and stop hooks go to the embedding stage as they are. */
export interface PersonVectorOptions extends Pick<EmbeddingStageOptions, 'cache' | 'createEmbedder' | 'onEvent' | 'shouldStop' | 'batchSize'> {
  path: string;
  /** Posts read before their misses are embedded: bounds memory on a big file. */
  chunkPosts?: number;
  /** Blocks of each person's vector, in order (default ['mean']). */
  pooling?: readonly Pooling[];
  /** Embed at most this many posts of each person, the first ones in the file (default: all). */
  maxPosts?: number;
  /** Called with every person read in pass 2, in file order, with all their posts (not only those embedded). */
  onPerson?: (person: Person, index: number) => void;
}

/**
 * Turns a CSV into one vector per person. Pass 1 streams the file to validate
 * it and count posts and cache hits (so progress has a total and a malformed
 * file fails before minutes of embedding). Pass 2 streams it again in chunks
 * of about `chunkPosts` posts: the embedding stage reads or embeds each
 * chunk's posts, and each person's vectors are pooled (`pooling`). With
 * `maxPosts`, only the first posts of each person are embedded.
 */
export async function embedPeople(options: PersonVectorOptions): Promise<PersonVectors> {
  const { cache, createEmbedder, onEvent, shouldStop, batchSize } = options;
  const stage = new EmbeddingStage({ cache, createEmbedder, onEvent, shouldStop, batchSize, unit: 'posts' });
  try {
    const scan = readPeople(options.path);
    let posts = 0;
    for await (const person of scan.people) {
      const embedded = embeddedPosts(person.posts, options.maxPosts);
      posts += embedded.length;
      for (const post of embedded) stage.count(post);
    }
    const { summary } = scan;
    const { x, types, rows } = await pooledVectors(options, summary.people, stage);
    const stats = stage.finish();
    return {
      x,
      types,
      rows,
      summary,
      stats: {
        posts,
        unique: stats.unique,
        cacheHits: stats.cacheHits,
        embedded: stats.embedded,
        seconds: stats.seconds,
        postsPerSecond: stats.textsPerSecond,
        where: stats.where,
      },
    };
  } finally {
    await stage.close();
  }
}

/** The posts of a person that are embedded: the first `maxPosts`, or all. */
export function embeddedPosts(posts: readonly string[], maxPosts: number | undefined): readonly string[] {
  return maxPosts === undefined || posts.length <= maxPosts ? posts : posts.slice(0, maxPosts);
}

/** Pass 2: the people of the file again, their posts' vectors a chunk at a time, one pooled vector per person. */
async function pooledVectors(options: PersonVectorOptions, people: number, stage: EmbeddingStage): Promise<Pick<PersonVectors, 'x' | 'types' | 'rows'>> {
  const chunkPosts = options.chunkPosts ?? 4096;
  const pooling = options.pooling ?? ['mean'];
  const x = createMatrix(people, EMBEDDING_SIZE * pooling.length);
  const types: string[] = [];
  const rows: number[] = [];
  let chunk: Array<{ index: number; posts: readonly string[] }> = [];
  let chunkSize = 0;
  const flush = async () => {
    const vectors = await stage.vectors(chunk.flatMap((person) => person.posts));
    let first = 0;
    for (const person of chunk) {
      poolInto(x, person.index, vectors.subarray(first * EMBEDDING_SIZE, (first + person.posts.length) * EMBEDDING_SIZE), pooling);
      first += person.posts.length;
    }
    chunk = [];
    chunkSize = 0;
  };
  for await (const person of readPeople(options.path).people) {
    if (types.length >= people) break;
    options.onPerson?.(person, types.length);
    const posts = embeddedPosts(person.posts, options.maxPosts);
    chunk.push({ index: types.length, posts });
    types.push(person.type);
    rows.push(person.row);
    chunkSize += posts.length;
    if (chunkSize >= chunkPosts) await flush();
  }
  if (chunk.length > 0) await flush();
  if (types.length !== people) throw new Error(`${options.path} changed while it was being read; run again`);
  return { x, types, rows };
}

/**
 * Row `row` of x from consecutive 512-d post vectors: one block per pooling,
 * the mean, the element-wise maximum, or the (population) standard deviation,
 * which is 0 for a person with one post.
 */
export function poolInto(x: Matrix, row: number, vectors: Float32Array, pooling: readonly Pooling[]): void {
  const count = vectors.length / EMBEDDING_SIZE;
  const mean = new Float64Array(EMBEDDING_SIZE);
  for (let k = 0; k < count; k++) for (let j = 0; j < EMBEDDING_SIZE; j++) mean[j]! += vectors[k * EMBEDDING_SIZE + j]!;
  for (let j = 0; j < EMBEDDING_SIZE; j++) mean[j]! /= count;
  pooling.forEach((kind, block) => {
    const target = x.data.subarray((row * pooling.length + block) * EMBEDDING_SIZE, (row * pooling.length + block + 1) * EMBEDDING_SIZE);
    if (kind === 'mean') target.set(mean);
    else if (kind === 'max') {
      target.fill(-Infinity);
      for (let k = 0; k < count; k++) for (let j = 0; j < EMBEDDING_SIZE; j++) target[j] = Math.max(target[j]!, vectors[k * EMBEDDING_SIZE + j]!);
    } else {
      const squares = new Float64Array(EMBEDDING_SIZE);
      for (let k = 0; k < count; k++) for (let j = 0; j < EMBEDDING_SIZE; j++) squares[j]! += (vectors[k * EMBEDDING_SIZE + j]! - mean[j]!) ** 2;
      for (let j = 0; j < EMBEDDING_SIZE; j++) target[j] = Math.sqrt(squares[j]! / count);
    }
  });
}
