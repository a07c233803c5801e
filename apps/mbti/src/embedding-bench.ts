#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { loadBackend } from '@mtl/core';
import { readPeople } from './csv-reader.js';
import { DEFAULT_DATA, resolveUserPath, SAMPLE_DATA_HINT } from './data-location.js';
import { createPostEmbedder } from './post-embedder.js';
import { defaultModelDir } from './sentence-encoder.js';

/**
 * Posts per second of the embedding stage alone (no cache), for 0 (main
 * thread), 1 and 2 worker threads, on the same real posts in batches of 16
 * sorted by token count, as the pipeline does (tokenizing is timed too):
 * `npm run bench:embedding -w mbti -- [CSV] [POSTS]` (default: the real 412-row sample beside the project).
 */
async function main(): Promise<void> {
  const path = resolveUserPath(process.argv[2] ?? (existsSync(resolveUserPath(SAMPLE_DATA_HINT)) ? SAMPLE_DATA_HINT : DEFAULT_DATA));
  const wanted = Number(process.argv[3] ?? 512);
  const backend = await loadBackend();
  const posts: string[] = [];
  for await (const person of readPeople(path).people) {
    posts.push(...person.posts);
    if (posts.length >= wanted) break;
  }
  posts.length = Math.min(posts.length, wanted);
  process.stdout.write(`${posts.length} posts from ${path}, backend ${backend.name}\n`);
  for (const workers of [0, 1, 2]) {
    const embedder = await createPostEmbedder({ modelDir: defaultModelDir(), backend: backend.name, workers });
    await embedder.embed(posts.slice(0, 16)); // the first call compiles the graph
    const started = performance.now();
    const encodings = posts.map((post) => embedder.tokenize(post)).sort((a, b) => a.length - b.length);
    const batches: number[][][] = [];
    for (let i = 0; i < encodings.length; i += 16) batches.push(encodings.slice(i, i + 16));
    let next = 0;
    const lane = async () => {
      while (next < batches.length) await embedder.embedTokens(batches[next++]!);
    };
    await Promise.all(Array.from({ length: embedder.parallelism }, lane));
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`${embedder.where.padEnd(16)} ${(posts.length / seconds).toFixed(1)} posts/s\n`);
    await embedder.close();
  }
}

await main();
