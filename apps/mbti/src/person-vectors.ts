import { createMatrix, type Matrix } from '@mtl/core';
import { EMBEDDING_SIZE, EmbeddingStage, type EmbeddingStageOptions } from '@mtl/embedding';
import { readPeople, type ReadSummary } from './csv-reader.js';

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

/** The cache, the model and the progress and stop hooks go to the embedding stage as they are. */
export interface PersonVectorOptions extends Pick<EmbeddingStageOptions, 'cache' | 'createEmbedder' | 'onEvent' | 'shouldStop' | 'batchSize'> {
  path: string;
  /** Posts read before their misses are embedded: bounds memory on a big file. */
  chunkPosts?: number;
}

/**
 * Turns a CSV into one vector per person. Pass 1 streams the file to validate
 * it and count posts and cache hits (so progress has a total and a malformed
 * file fails before minutes of embedding). Pass 2 streams it again in chunks
 * of about `chunkPosts` posts: the embedding stage reads or embeds each
 * chunk's posts, and each person's mean is accumulated.
 */
export async function embedPeople(options: PersonVectorOptions): Promise<PersonVectors> {
  const { cache, createEmbedder, onEvent, shouldStop, batchSize } = options;
  const stage = new EmbeddingStage({ cache, createEmbedder, onEvent, shouldStop, batchSize, unit: 'posts' });
  try {
    const scan = readPeople(options.path);
    for await (const person of scan.people) for (const post of person.posts) stage.count(post);
    const { summary } = scan;
    const { x, types, rows } = await meanVectors(options, summary.people, stage);
    const stats = stage.finish();
    return {
      x,
      types,
      rows,
      summary,
      stats: {
        posts: summary.posts,
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

/** Pass 2: the people of the file again, their posts' vectors a chunk at a time, one mean per person. */
async function meanVectors(options: PersonVectorOptions, people: number, stage: EmbeddingStage): Promise<Pick<PersonVectors, 'x' | 'types' | 'rows'>> {
  const chunkPosts = options.chunkPosts ?? 4096;
  const x = createMatrix(people, EMBEDDING_SIZE);
  const types: string[] = [];
  const rows: number[] = [];
  let chunk: Array<{ index: number; posts: string[] }> = [];
  let chunkSize = 0;
  const flush = async () => {
    const vectors = await stage.vectors(chunk.flatMap((person) => person.posts));
    let first = 0;
    for (const person of chunk) {
      meanInto(x, person.index, vectors.subarray(first * EMBEDDING_SIZE, (first + person.posts.length) * EMBEDDING_SIZE));
      first += person.posts.length;
    }
    chunk = [];
    chunkSize = 0;
  };
  for await (const person of readPeople(options.path).people) {
    if (types.length >= people) break;
    chunk.push({ index: types.length, posts: person.posts });
    types.push(person.type);
    rows.push(person.row);
    chunkSize += person.posts.length;
    if (chunkSize >= chunkPosts) await flush();
  }
  if (chunk.length > 0) await flush();
  if (types.length !== people) throw new Error(`${options.path} changed while it was being read; run again`);
  return { x, types, rows };
}

/** Row `row` of x = the mean of consecutive 512-d vectors. */
function meanInto(x: Matrix, row: number, vectors: Float32Array): void {
  const target = x.data.subarray(row * EMBEDDING_SIZE, (row + 1) * EMBEDDING_SIZE);
  const count = vectors.length / EMBEDDING_SIZE;
  for (let k = 0; k < count; k++) for (let j = 0; j < EMBEDDING_SIZE; j++) target[j]! += vectors[k * EMBEDDING_SIZE + j]!;
  for (let j = 0; j < EMBEDDING_SIZE; j++) target[j]! /= count;
}
