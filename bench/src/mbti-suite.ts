import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { ReportRow } from './report-row.js';
import { BENCH_TMP, firstMissing, REPO_ROOT } from './repo-paths.js';
import { median } from './stats.js';
import { lastLines, timedNode } from './timed-process.js';

const CLI = 'apps/mbti/dist/cli.js';
const FULL_DATA = 'datasets/mbti/mbti_1.csv';
const FALLBACK = 'test/fixtures/mbti-sample-24.csv';
/** The real 412-row sample shipped beside the project (see ../shared/datasets/mbti/README.md). */
const SHARED_SAMPLE = '../shared/datasets/mbti/mbti_sample.csv';
export const SAMPLE_ROWS = 412;

/** Issue 11's embedding goal, and its fallback: 80 % of the 184 posts/s that USE-lite's GEMMs allow 2 workers on wasm (the profile in packages/embedding/README.md). */
const EMBEDDING_TARGET = 240;
const CEILING_SHARE_TARGET = Math.round(0.8 * 184);

/** What the suite reads of results.json (the kit's schema): mbti's embedding facts and the per-epoch times. */
interface MbtiResults {
  appFacts?: { embedding?: { posts: number; embedded: number; cacheHits: number; seconds: number; postsPerSecond: number; where?: string } };
  history?: Array<{ epoch: number; seconds: number }>;
}

/** The shared 412-row sample, else the first SAMPLE_ROWS people of the Kaggle file, else the committed 24-row fixture. */
async function sampleFile(): Promise<{ path: string; note: string }> {
  const shared = join(REPO_ROOT, SHARED_SAMPLE);
  if (existsSync(shared)) return { path: shared, note: `the ${SAMPLE_ROWS}-row sample ${SHARED_SAMPLE}` };
  const full = join(REPO_ROOT, FULL_DATA);
  if (!existsSync(full)) return { path: join(REPO_ROOT, FALLBACK), note: `${FULL_DATA} is absent (user-supplied): ran on the 24-row fixture ${FALLBACK}` };
  const path = join(BENCH_TMP, `mbti-${SAMPLE_ROWS}.csv`);
  const lines: string[] = [];
  // Kaggle rows are one physical line each (posts never hold a newline).
  for await (const line of createInterface({ input: createReadStream(full) })) {
    lines.push(line);
    if (lines.length > SAMPLE_ROWS) break;
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, note: `first ${SAMPLE_ROWS} rows of ${FULL_DATA}` };
}

/**
 * MBTI: a cold run (empty embedding cache), then a warm re-run on the same
 * cache. Posts/s of the cold embedding, the warm run's embedding time as a share
 * of the cold one, training s/epoch and peak RSS, all from one process per run.
 */
export async function runMbtiSuite(epochs: number): Promise<{ rows: ReportRow[]; json: unknown }> {
  const missing = firstMissing([CLI, 'apps/mbti/dist/csv-reader.js', 'apps/mbti/dist/post-cleaning.js']);
  if (missing) return skip(`${missing} not built (run npm run build; the mbti app may not exist yet)`);
  mkdirSync(BENCH_TMP, { recursive: true });
  const { path, note } = await sampleFile();
  const cache = join(BENCH_TMP, 'mbti-cache');
  rmSync(cache, { recursive: true, force: true });
  const runs = [];
  for (const label of ['cold', 'warm']) {
    process.stderr.write(`mbti ${label} run... `);
    const out = join(BENCH_TMP, `mbti-out-${label}`);
    const run = await timedNode(join(REPO_ROOT, CLI), [
      'train',
      '--data',
      path,
      '--epochs',
      String(epochs),
      '--no-dashboard',
      '--out',
      out,
      '--cache',
      cache,
      '--backend',
      'wasm',
    ]);
    if (run.code !== 0) return skip(`${CLI} train exited ${run.code}: ${lastLines(run.stderr || run.stdout)}`);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as MbtiResults;
    process.stderr.write(`${run.seconds.toFixed(1)} s\n`);
    // results.json keeps every epoch's time at full precision; the log thins long runs and rounds to 10 ms.
    const epochSeconds = results.history?.map((h) => h.seconds) ?? [];
    runs.push({ label, seconds: run.seconds, peakRssMb: run.peakRssMb, epochSeconds, embedding: results.appFacts?.embedding });
  }
  const [cold, warm] = runs as [(typeof runs)[0], (typeof runs)[0]];
  const coldEmbed = cold.embedding;
  const warmEmbed = warm.embedding;
  const epochSeconds = [...cold.epochSeconds.slice(1), ...warm.epochSeconds.slice(1)];
  const warmShare = coldEmbed && warmEmbed ? warmEmbed.seconds / coldEmbed.seconds : undefined;
  const rows: ReportRow[] = [
    {
      benchmark: 'MBTI embedding (cold cache)',
      variant: `USE-lite, wasm, ${coldEmbed?.where ?? ''}`.trim(),
      value: coldEmbed ? `${coldEmbed.postsPerSecond.toFixed(1)} posts/s` : 'not reported',
      note: `${coldEmbed?.embedded ?? '?'} posts; ${note}`,
      target: `>= ${EMBEDDING_TARGET} posts/s, or >= ${CEILING_SHARE_TARGET} (80 % of the wasm ceiling, packages/embedding/README.md)`,
      status: !coldEmbed ? 'skipped' : coldEmbed.postsPerSecond >= CEILING_SHARE_TARGET ? 'met' : 'not met',
    },
    {
      benchmark: 'MBTI warm re-run',
      variant: 'same cache',
      value: `${warm.seconds.toFixed(1)} s end to end (cold ${cold.seconds.toFixed(1)} s)`,
      comparison: warmShare === undefined ? undefined : `embedding ${(warmShare * 100).toFixed(2)} % of cold`,
      target: '< 2 % of cold embedding time',
      status: warmShare === undefined ? 'skipped' : warmShare < 0.02 ? 'met' : 'not met',
    },
    {
      benchmark: 'MBTI training',
      variant: 'wasm, batch 32',
      value: epochSeconds.length ? `${median(epochSeconds).toFixed(3)} s/epoch` : 'not reported',
      note: `median of epochs 2..${epochs} of both runs`,
      status: 'info',
    },
    { benchmark: 'MBTI peak RSS', variant: 'cold run', value: cold.peakRssMb ? `${cold.peakRssMb.toFixed(0)} MB` : 'not reported', status: 'info' },
  ];
  return { rows, json: { sample: note, epochs, runs } };
}

function skip(reason: string): { rows: ReportRow[]; json: unknown } {
  process.stderr.write(`mbti: skipped: ${reason}\n`);
  return {
    rows: [{ benchmark: 'MBTI (embedding, warm re-run, training, RSS)', variant: '', value: 'skipped', status: 'skipped', note: reason }],
    json: { skipped: reason },
  };
}
