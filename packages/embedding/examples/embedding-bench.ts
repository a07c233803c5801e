#!/usr/bin/env node
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadBackend, UserError } from '@mtl/core';
import { createTextEmbedder, EmbeddingCache, embedTexts, encoderId } from '@mtl/embedding';
import { readCsvTexts } from './csv-texts.js';

const USAGE = `usage: npm run bench:embedding -w @mtl/embedding -- FILE.csv [--column text] [--split SEP] [--texts 512] [--batch-size 16]
  e.g. FILE.csv = ../shared/datasets/mbti/mbti_sample.csv --column posts --split '|||'`;

/**
 * Texts per second of the embedding stage alone, for 0 (main thread), 1 and 2
 * worker threads, through `embedTexts` as an app runs it (token-sorted
 * batches, tokenizing timed too) but on an empty cache each time, so every
 * text is embedded. Model loading and the first batch of each thread (it
 * compiles the graph) are not timed. Texts are embedded as the file has them:
 * no app's cleaning.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      column: { type: 'string', default: 'text' },
      split: { type: 'string' },
      texts: { type: 'string', default: '512' },
      'batch-size': { type: 'string', default: '16' },
    },
  });
  const file = positionals[0];
  const wanted = Number(values.texts);
  const batchSize = Number(values['batch-size']);
  if (!file || !(wanted >= 1) || !Number.isInteger(batchSize) || batchSize < 1) throw new UserError(USAGE);
  // npm runs workspace scripts in the package's folder: a relative path means where the user stood.
  const path = isAbsolute(file) ? file : resolve(process.env.INIT_CWD ?? process.cwd(), file);
  const texts = await readCsvTexts({ path, column: values.column, split: values.split, wanted });
  const backend = await loadBackend();
  process.stdout.write(`${texts.length} texts from ${path} (column ${values.column}), batches of ${batchSize}, backend ${backend.name}\n`);
  const encoder = encoderId();
  for (const workers of [0, 1, 2]) {
    const dir = mkdtempSync(join(tmpdir(), 'embedding-bench-'));
    const cache = new EmbeddingCache({ dir, encoder });
    try {
      const createEmbedder = async () => {
        const embedder = await createTextEmbedder({ workers });
        // One warm-up batch per thread, at once so that each thread gets one.
        await Promise.all(Array.from({ length: embedder.parallelism }, () => embedder.embed(texts.slice(0, batchSize))));
        return embedder;
      };
      const { stats } = await embedTexts({ texts, cache, createEmbedder, batchSize });
      process.stdout.write(`${stats.where.padEnd(16)} ${stats.textsPerSecond.toFixed(1)} texts/s\n`);
    } finally {
      cache.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

try {
  await main();
} catch (error) {
  if (!(error instanceof UserError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}
