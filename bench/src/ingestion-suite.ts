import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '@mtl/core';
import type { ReportRow } from './report-row.js';
import { BENCH_ROOT, BENCH_TMP, firstMissing } from './repo-paths.js';
import { lastLines, timedNode } from './timed-process.js';

const TYPES = ['INTJ', 'INTP', 'ENTJ', 'ENTP', 'INFJ', 'INFP', 'ENFJ', 'ENFP', 'ISTJ', 'ISFJ', 'ESTJ', 'ESFJ', 'ISTP', 'ISFP', 'ESTP', 'ESFP'];
const WORDS =
  'i think that the really people would like about what know just feel when more time your this have been with some very they because also thing much love good well'.split(
    ' ',
  );
export const INGESTION_MB = 60;

/**
 * A Kaggle-format CSV (`type,posts`, 50 posts joined by |||, URLs and type
 * mentions included so cleaning has work) of at least `megabytes`; reused when present.
 */
async function generateCsv(path: string, megabytes: number): Promise<void> {
  if (existsSync(path) && statSync(path).size >= megabytes * 1e6) return;
  const rng = createRng(60);
  const out = createWriteStream(path);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('type,posts\n');
  let bytes = 0;
  while (bytes < megabytes * 1e6) {
    const posts: string[] = [];
    for (let p = 0; p < 50; p++) {
      const words = Array.from({ length: 5 + rng.int(40) }, () => WORDS[rng.int(WORDS.length)]!);
      if (rng.next() < 0.1) words.push('https://www.youtube.com/watch?v=abc123');
      if (rng.next() < 0.1) words.push(TYPES[rng.int(16)]!);
      posts.push(words.join(' '));
    }
    const line = `${TYPES[rng.int(16)]},"'${posts.join('|||').replaceAll('"', '""')}'"\n`;
    bytes += Buffer.byteLength(line);
    await write(line);
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** Peak RSS of reading + cleaning a 60 MB CSV with the mbti app's streaming reader (no embedding). */
export async function runIngestionSuite(): Promise<{ rows: ReportRow[]; json: unknown }> {
  const missing = firstMissing(['apps/mbti/dist/csv-reader.js', 'apps/mbti/dist/post-cleaning.js']);
  if (missing) {
    const reason = `${missing} not built (the mbti CSV reader/cleaning may not exist yet)`;
    process.stderr.write(`ingestion: skipped: ${reason}\n`);
    return { rows: [{ benchmark: 'ingestion (60 MB CSV)', variant: '', value: 'skipped', status: 'skipped', note: reason }], json: { skipped: reason } };
  }
  mkdirSync(BENCH_TMP, { recursive: true });
  const path = join(BENCH_TMP, `kaggle-${INGESTION_MB}mb.csv`);
  process.stderr.write(`ingestion: generating ${path}... `);
  await generateCsv(path, INGESTION_MB);
  const megabytes = statSync(path).size / 1e6;
  process.stderr.write(`${megabytes.toFixed(0)} MB; reading... `);
  const run = await timedNode(join(BENCH_ROOT, 'dist', 'ingestion-run.js'), [path]);
  const result = /RESULT (.*)/.exec(run.stdout)?.[1];
  if (run.code !== 0 || !result) {
    const reason = `ingestion run failed: ${lastLines(run.stderr)}`;
    return { rows: [{ benchmark: 'ingestion (60 MB CSV)', variant: '', value: 'skipped', status: 'skipped', note: reason }], json: { skipped: reason } };
  }
  const counts = JSON.parse(result) as { people: number; posts: number; seconds: number };
  process.stderr.write(`peak RSS ${run.peakRssMb?.toFixed(0)} MB\n`);
  const peak = run.peakRssMb ?? Number.NaN;
  return {
    rows: [
      {
        benchmark: `ingestion (${megabytes.toFixed(0)} MB CSV)`,
        variant: 'read + clean, streaming',
        value: `${peak.toFixed(0)} MB peak RSS`,
        note: `${counts.people} people, ${counts.posts} posts in ${counts.seconds.toFixed(1)} s = ${(megabytes / counts.seconds).toFixed(1)} MB/s`,
        target: '< 500 MB',
        status: peak < 500 ? 'met' : 'not met',
      },
    ],
    json: { file: path, megabytes, peakRssMb: peak, ...counts },
  };
}
