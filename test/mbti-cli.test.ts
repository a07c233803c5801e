import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ModelMeta, TaskMetrics } from '@mtl/core';
import type { ExperimentResults } from '@mtl/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliRun as Run, MBTI_CLI, readJson, runCliProcess } from './cli-process.js';

const SAMPLE_24 = resolve(__dirname, 'fixtures/mbti-sample-24.csv');
const TINY = resolve(__dirname, 'fixtures/mbti-tiny.csv');

/** `npx --no-install mbti ...` from the repository root, as the README runs it. */
const runMbti = (args: readonly string[]) => runCliProcess(MBTI_CLI, args);

/** What `mbti predict --json` prints and `mbti evaluate` writes (evaluation.json): the fields read here. */
interface Prediction {
  type: string;
  probabilities: Record<string, number>;
}
interface Evaluation {
  embedding: { cacheHits: number; embedded: number };
  tasks: TaskMetrics[];
}

/** A failed run: non-zero exit, the expected message, no stack trace. */
function expectUserError(run: Run, message: RegExp): void {
  expect(run.status, run.stdout).not.toBe(0);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('mbti CLI end to end (24 real people, 6 posts each)', () => {
  const work = mkdtempSync(join(tmpdir(), 'mbti-e2e-'));
  const out = join(work, 'out');
  const cache = join(work, 'cache');
  let first: Run;

  beforeAll(async () => {
    first = await runMbti(['train', '--data', SAMPLE_24, '--out', out, '--cache', cache, '--epochs', '3', '--seed', '1', '--no-dashboard', '--workers', '2']);
  });

  it('embeds, trains, prints the per-axis table and writes results.json, the chart and the model', async () => {
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/backend wasm/);
    expect(first.stdout).toMatch(/\| task \| labelled \(test\) \| positives \| accuracy \| balanced acc\. \| ROC-AUC \| PR-AUC \| majority baseline \|/);
    expect(first.stdout).toMatch(/embedding: 136 posts \(135 distinct\), 0 from the cache, 135 embedded at [\d.]+ posts\/s \(2 worker threads\)/);
    const results = readJson<ExperimentResults>(join(out, 'results.json'));
    expect(results).toMatchObject({ schema: 'masked-mtl-results', version: 1, app: 'mbti' });
    expect(results.backend.name).toBe('wasm');
    expect(results.tasks.map((t) => t.name)).toEqual(['IE', 'NS', 'TF', 'JP']);
    for (const task of results.tasks) expect(task).toHaveProperty('majorityBaseline');
    expect(results.appFacts.people).toMatchObject({ total: 24 });
    expect(results.files).toMatchObject({ model: 'model/', results: 'results.json', taskMetrics: 'task-metrics.png' });
    expect(results.settings.missingRate).toBe(0.3);
    expect(readFileSync(join(out, 'task-metrics.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(readJson<ModelMeta>(join(out, 'model', 'meta.json'))).toMatchObject({ app: 'mbti', taskNames: ['IE', 'NS', 'TF', 'JP'] });
  });

  it('a second run takes every vector from the cache', async () => {
    const run = await runMbti(['--data', SAMPLE_24, '--out', join(work, 'out2'), '--cache', cache, '--epochs', '2', '--no-dashboard']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/embedding: 136 posts \(135 distinct\), 135 from the cache, 0 embedded/);
  });

  it('predict prints the four axes and a type; --json gives the same as JSON', async () => {
    const text = await runMbti([
      'predict',
      'I love long walks alone and reading about physics.|||Planning ahead keeps me calm.',
      '--model',
      join(out, 'model'),
    ]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^type: [IE][NS][TF][JP] {2}\(2 posts, backend wasm\)/);
    expect(text.stdout).toMatch(/ {2}TF: T +\d+\.\d % {2}F +\d+\.\d %/);
    const json = await runMbti(['predict', '--json', '--file', TINY, '--model', join(out, 'model')]);
    expect(json.status, json.stderr).toBe(0);
    const prediction = JSON.parse(json.stdout) as Prediction;
    expect(prediction.type).toMatch(/^[IE][NS][TF][JP]$/);
    expect(Object.keys(prediction.probabilities)).toEqual(['IE', 'NS', 'TF', 'JP']);
  });

  it('evaluate scores the saved model on another file through the cache', async () => {
    const evalOut = join(work, 'eval');
    const run = await runMbti(['evaluate', '--model', join(out, 'model'), '--data', SAMPLE_24, '--cache', cache, '--out', evalOut, '--no-dashboard']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/per-axis metrics on 24 people/);
    expect(run.stdout).toMatch(/\| IE \| 24 \|/);
    const results = readJson<Evaluation>(join(evalOut, 'evaluation.json'));
    expect(results.embedding).toMatchObject({ cacheHits: 135, embedded: 0 });
    expect(results.tasks.every((t) => t.labelled === 24)).toBe(true);
  });

  it('predict refuses a model directory written by another app', async () => {
    const toyModel = join(work, 'toy-model');
    mkdirSync(toyModel);
    writeFileSync(join(toyModel, 'meta.json'), JSON.stringify({ format: 'masked-mtl-model', version: 1, app: 'toy', taskNames: ['y0'], settings: {} }));
    expectUserError(await runMbti(['predict', 'hello there', '--model', toyModel]), /toy-model: this model was trained by the "toy" app, not "mbti"/);
  });

  it('a corrupt cache file is a clear error', async () => {
    const badCache = join(work, 'bad-cache');
    mkdirSync(badCache);
    writeFileSync(join(badCache, 'embeddings.sqlite'), 'garbage '.repeat(1000));
    const badOut = join(work, 'bad-cache-out');
    expectUserError(
      await runMbti(['--data', TINY, '--cache', badCache, '--out', badOut, '--no-dashboard']),
      /embeddings\.sqlite: the file is damaged or not an SQLite database.*delete it/,
    );
    expect(existsSync(join(badOut, 'results.json'))).toBe(false);
  });
});

describe('mbti CLI bad input', () => {
  const work = mkdtempSync(join(tmpdir(), 'mbti-bad-'));
  const file = (name: string, content: string) => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };

  it.each([
    ['a missing --data file', ['--data', join(work, 'nope.csv')], /--data .*nope\.csv: no such file/],
    ['no valid rows', ['--data', file('none.csv', 'type,posts\nABCD,hello\nXXXX,there\n')], /none\.csv: none of its 2 row\(s\) is usable/],
    ['an unknown flag', ['--frobnicate'], /unknown option '--frobnicate'/],
    ['a bad --missing-rate', ['--missing-rate', '1.5'], /--missing-rate 1\.5: expected a number in \[0, 1\)/],
  ])('%s ends with a clear message and a non-zero exit', async (_name, args, message) => {
    const out = join(work, `out-${_name.replace(/\W+/g, '-')}`);
    const run = await runMbti([...args, '--out', out, '--cache', join(work, 'cache'), '--no-dashboard']);
    expectUserError(run, message);
    expect(existsSync(join(out, 'results.json'))).toBe(false);
  });

  it('invalid type codes are skipped with a warning naming the rows', async () => {
    const out = join(work, 'tiny-out');
    const run = await runMbti(['--data', TINY, '--out', out, '--cache', join(work, 'cache'), '--epochs', '1', '--no-dashboard']);
    // 6 people cannot fill a test split for every type; the warnings come first either way.
    expect(run.stdout).toMatch(/warning: .*mbti-tiny\.csv: skipped 2 row\(s\) whose type is not one of the 16 MBTI codes \(rows 3, 8\)/);
    expect(run.stdout).toMatch(/warning: .*skipped 1 row\(s\) with no posts left after removing URLs and type mentions \(rows 4\)/);
  });

  it('without --data and without the default file, says where to download it and how to try the sample', async () => {
    const run = await runMbti(['--out', join(work, 'default-out'), '--no-dashboard']);
    if (existsSync(resolve(__dirname, '../datasets/mbti/mbti_1.csv'))) return; // a developer who downloaded it
    expectUserError(
      run,
      /datasets\/mbti\/mbti_1\.csv does not exist[\s\S]*\(MBTI\) Myers-Briggs Personality Type Dataset[\s\S]*--data \.\.\/shared\/datasets\/mbti\/mbti_sample\.csv/,
    );
  });
});
