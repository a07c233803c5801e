#!/usr/bin/env node
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '@mtl/core';
import { CACHE_FILE, EmbeddingCache } from '@mtl/embedding';

const USAGE = `usage: node packages/embedding/dist/examples/cache-size.js DIR
  Opens the embedding cache in DIR (converting an earlier one, so use a copy), closes it and prints its bytes per vector on disk.`;

/** Bytes on disk per stored vector, every file of the directory (WAL included) counted. */
function main(): void {
  const dir = process.argv[2];
  if (!dir) throw new UserError(USAGE);
  const since = performance.now();
  new EmbeddingCache({ dir, encoder: 'cache-size' }).close();
  const openSeconds = (performance.now() - since) / 1000;
  // Not read-only: closing the last read-write connection removes the WAL and shared-memory files, as `close()` did.
  const db = new Database(join(dir, CACHE_FILE), { fileMustExist: true });
  const vectors = db.prepare('SELECT COUNT(*) FROM embeddings').pluck().get() as number;
  db.close();
  const files = readdirSync(dir).map((name) => ({ name, bytes: statSync(join(dir, name)).size }));
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  for (const f of files) process.stdout.write(`${f.name.padEnd(28)} ${f.bytes.toLocaleString('en')} bytes\n`);
  process.stdout.write(
    `${vectors.toLocaleString('en')} vectors, ${(total / Math.max(vectors, 1)).toFixed(1)} bytes a vector (opened in ${openSeconds.toFixed(2)} s)\n`,
  );
}

try {
  main();
} catch (error) {
  if (!(error instanceof UserError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}
