import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportRow } from './report-row.js';
import { BENCH_TMP, firstMissing, REPO_ROOT } from './repo-paths.js';
import { KAGGLE_PEOPLE, writeSyntheticMbti } from './synthetic-mbti.js';
import { lastLines, timedNode } from './timed-process.js';

const CLI = 'apps/mbti/dist/cli.js';
const SHARED_SAMPLE = '../shared/datasets/mbti/mbti_sample.csv';
/** Issue 11: an mbti run on a file the size of the full Kaggle file stays under 1 GB. */
const RSS_TARGET_MB = 1024;

interface EmbeddingFacts {
  posts: number;
  unique: number;
  embedded: number;
  cacheHits: number;
  seconds: number;
  postsPerSecond: number;
  where?: string;
}

/**
 * MBTI at full scale: a synthetic Kaggle-size file (8,675 people built from the
 * real sample, every post varied so the cache cannot answer for it), one cold
 * `mbti train` with an empty cache, then a warm re-run on that cache; peak RSS
 * of each process, the cold embedding rate, and the cache's size on disk. The
 * cold run embeds ~420k posts: most of an hour on 2 cores. Not part of the
 * default suites (`--only mbti-full`).
 */
export async function runMbtiFullSuite(people = KAGGLE_PEOPLE): Promise<{ rows: ReportRow[]; json: unknown }> {
  const missing = firstMissing([CLI]);
  if (missing) return skip(`${missing} not built (run npm run build)`);
  const sample = join(REPO_ROOT, SHARED_SAMPLE);
  if (!existsSync(sample)) return skip(`${SHARED_SAMPLE} is absent: the synthetic file is built from the real sample`);
  const dir = join(BENCH_TMP, 'mbti-full');
  mkdirSync(dir, { recursive: true });
  const data = join(dir, `mbti-synthetic-${people}.csv`);
  process.stderr.write(`mbti-full: writing ${people} synthetic people... `);
  const file = await writeSyntheticMbti({ sample, out: data, people });
  process.stderr.write(`${file.posts} posts, ${(file.bytes / 1e6).toFixed(0)} MB\n`);
  const cache = join(dir, 'cache');
  rmSync(cache, { recursive: true, force: true });
  const runs = [];
  for (const label of ['cold', 'warm']) {
    process.stderr.write(`mbti-full ${label} run:\n`);
    const out = join(dir, `out-${label}`);
    const run = await timedNode(
      join(REPO_ROOT, CLI),
      ['train', '--data', data, '--no-dashboard', '--out', out, '--cache', cache, '--backend', 'wasm'],
      {},
      { echo: true },
    );
    if (run.code !== 0) return skip(`${CLI} train (${label}) exited ${run.code}: ${lastLines(run.stderr || run.stdout)}`);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { appFacts?: { embedding?: EmbeddingFacts } };
    runs.push({ label, seconds: run.seconds, peakRssMb: run.peakRssMb, embedding: results.appFacts?.embedding });
  }
  const [cold, warm] = runs as [(typeof runs)[0], (typeof runs)[0]];
  const cacheMb = directoryBytes(cache) / 1e6;
  const embed = cold.embedding;
  const rssRow = (run: typeof cold): ReportRow => ({
    benchmark: 'MBTI peak RSS, full scale',
    variant: `${run.label} run (${run.label === 'cold' ? 'embedding + training' : 'cache hits + training'})`,
    value: run.peakRssMb ? `${run.peakRssMb.toFixed(0)} MB` : 'not reported',
    note: `${people} synthetic people, ${file.posts} posts; ${run.seconds.toFixed(0)} s end to end`,
    target: `< ${RSS_TARGET_MB} MB`,
    status: !run.peakRssMb ? 'skipped' : run.peakRssMb < RSS_TARGET_MB ? 'met' : 'not met',
    loadIndependent: true,
  });
  const rows: ReportRow[] = [
    rssRow(cold),
    rssRow(warm),
    {
      benchmark: 'MBTI embedding, full scale (cold cache)',
      variant: `USE-lite, wasm, ${embed?.where ?? ''}`.trim(),
      value: embed ? `${embed.postsPerSecond.toFixed(1)} posts/s` : 'not reported',
      note: embed
        ? `${embed.embedded} posts embedded of ${embed.unique} distinct, ${embed.cacheHits} cache hits; cache ${cacheMb.toFixed(0)} MB on disk`
        : undefined,
      status: 'info',
    },
  ];
  return { rows, json: { people, file, cacheBytes: Math.round(cacheMb * 1e6), runs } };
}

function directoryBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directoryBytes(path) : statSync(path).size;
  }
  return total;
}

function skip(reason: string): { rows: ReportRow[]; json: unknown } {
  process.stderr.write(`mbti-full: skipped: ${reason}\n`);
  return { rows: [{ benchmark: 'MBTI peak RSS, full scale', variant: '', value: 'skipped', status: 'skipped', note: reason }], json: { skipped: reason } };
}
