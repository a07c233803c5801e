import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TaskMetrics } from '@mtl/core';
import type { ExperimentResults } from '@mtl/kit';
import { describe, expect, it } from 'vitest';
import { type CliRun, runCliProcess } from './cli-process.js';

/**
 * `mtl` end to end through its bin, on the three small committed tables: one per
 * feature kind (numeric, SMILES through real RDKit, text through the real USE-lite
 * encoder). Every run writes only under its own temporary directory.
 */

const POINTS = resolve(__dirname, 'fixtures/mtl-points.csv');
const MOLECULES = resolve(__dirname, 'fixtures/mtl-molecules.csv');
const REVIEWS = resolve(__dirname, 'fixtures/mtl-reviews.csv');
const MOLECULE_TASKS = ['has_nitrogen', 'aromatic', 'carboxylic_acid'];

const work = mkdtempSync(join(tmpdir(), 'mtl-cli-'));

const mtl = (args: readonly string[]) => runCliProcess('mtl', [...args, '--no-dashboard']);

function succeeded(run: CliRun): CliRun {
  expect(run.status, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toBe(0);
  return run;
}

const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ExperimentResults;

/** evaluation.json as `mtl evaluate` writes it (schema masked-mtl-evaluation, version 1). */
interface Evaluation {
  schema: string;
  version: number;
  app: string;
  rows: { read: number; scored: number };
  tasks: TaskMetrics[];
  files: Record<string, string>;
}

/** A CSV as rows of cells (the fixtures and predictions have no quoted commas). */
function cells(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => line.split(','));
}

function isPng(path: string): boolean {
  return readFileSync(path)
    .subarray(0, 8)
    .equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
}

function expectResultsSchema(res: ExperimentResults, out: string): void {
  expect(res).toMatchObject({ schema: 'masked-mtl-results', version: 1, app: 'mtl', backend: { name: 'wasm' } });
  expect(res.files).toMatchObject({ model: 'model/', results: 'results.json', learningCurves: 'learning-curves.png', taskMetrics: 'task-metrics.png' });
  for (const file of Object.values(res.files)) expect(existsSync(join(out, file)), file).toBe(true);
  expect(res.tasks.map((t) => t.name)).toEqual(res.data.tasks);
  for (const task of res.tasks) {
    expect(task).toHaveProperty('auc');
    expect(task).toHaveProperty('averagePrecision');
  }
}

describe('mtl: a numeric table with blank labels (the toy points as CSV)', () => {
  it('trains with no flags beyond --data: tasks and features inferred, results.json in the kit schema', async () => {
    const out = join(work, 'points');
    const run = succeeded(await mtl(['--data', POINTS, '--cache', join(work, 'cache-points'), '--out', out, '--epochs', '30']));
    expect(run.stdout).toMatch(/inferred tasks \(every value is 0\/1, true\/false or yes\/no, or missing\): y0, y1, y2/);
    expect(run.stdout).toMatch(/inferred numeric features: x0, x1/);
    const res = results(out);
    expectResultsSchema(res, out);
    expect(res.data.tasks).toEqual(['y0', 'y1', 'y2']);
    expect(res.data.rows).toBe(400);
    expect(res.data.details['features']).toBe('2 numeric: 2 inputs');
    // The blanks are the data's own: nothing dropped on purpose, about half of each task labelled.
    expect(Object.values(res.data.droppedLabels)).toEqual([0, 0, 0]);
    for (const task of res.data.tasks) expect(res.data.labelled[task]!.train / res.data.split.train).toBeLessThan(0.65);
    for (const task of res.tasks) {
      expect(task.auc).toBeGreaterThan(0.9);
      expect(task.averagePrecision).toBeGreaterThan(0.9);
    }
  });

  it('--compare trains the alternatives on the same split and writes comparison.png', async () => {
    const out = join(work, 'points-compare');
    const run = succeeded(await mtl(['--data', POINTS, '--cache', join(work, 'cache-points'), '--out', out, '--epochs', '10', '--compare']));
    expect(run.stdout).toMatch(/\| ROC-AUC \(test\) \| y0 \| y1 \| y2 \| mean \|/);
    const res = results(out);
    expect(res.variants?.map((v) => v.name)).toEqual(['masked', 'naive', 'complete-rows', 'single-task']);
    expect(res.files['comparison']).toBe('comparison.png');
    expect(isPng(join(out, 'comparison.png'))).toBe(true);
  });

  it('--resume: 4 epochs, then --resume to 9, ends where 9 straight epochs end', async () => {
    const common = ['--data', POINTS, '--cache', join(work, 'cache-points'), '--seed', '3'];
    const [first, straight] = await Promise.all([
      mtl([...common, '--out', join(work, 'resumed'), '--epochs', '4']),
      mtl([...common, '--out', join(work, 'straight'), '--epochs', '9']),
    ]);
    succeeded(first);
    succeeded(straight);
    const resumed = succeeded(await mtl([...common, '--out', join(work, 'resumed'), '--epochs', '9', '--resume']));
    expect(resumed.stdout).toMatch(/epochs 5\.\.9/);
    expect(results(join(work, 'resumed')).tasks).toEqual(results(join(work, 'straight')).tasks);
    expect(results(join(work, 'resumed')).history.map((h) => h.trainLoss)).toEqual(results(join(work, 'straight')).history.map((h) => h.trainLoss));
  });
});

describe('mtl: a task with too few labels (untrained)', () => {
  // The points with a fourth task labelled on 12 rows, 2 of them positive: fewer than --min-class-labels 5.
  const [header, ...rows] = cells(POINTS);
  const data = join(work, 'points-rare.csv');
  writeFileSync(data, [[...header!, 'rare'], ...rows.map((row, i) => [...row, i < 2 ? '1' : i < 12 ? '0' : ''])].map((row) => row.join(',')).join('\n') + '\n');
  const out = join(work, 'points-rare');
  const common = ['--cache', join(work, 'cache-points')];

  it('train reports it untrained and the saved model records it', async () => {
    const run = succeeded(await mtl(['--data', data, ...common, '--out', out, '--epochs', '10']));
    expect(run.stdout).toMatch(/task rare has \d positive and \d+ negative training labels, fewer than 5 of a class/);
    expect(results(out).untrained).toEqual(['rare']);
    const meta = JSON.parse(readFileSync(join(out, 'model', 'meta.json'), 'utf8')) as { settings: Record<string, unknown> };
    expect(meta.settings['untrainedTasks']).toEqual(['rare']);
  });

  it('predict leaves its column blank and says why; the trained tasks get probabilities', async () => {
    const predictions = join(work, 'predictions', 'points-rare.csv');
    const run = succeeded(await mtl(['predict', '--model', join(out, 'model'), '--data', data, '--out', predictions, ...common]));
    expect(run.stdout).toMatch(/warning: the model never trained rare \(too few training labels of a class\): left blank in the predictions\./);
    const [predictedHeader, ...predicted] = cells(predictions);
    expect(predictedHeader).toEqual(['row', 'y0', 'y1', 'y2', 'rare']);
    expect(predicted).toHaveLength(400);
    expect(predicted.every((row) => row[4] === undefined || row[4] === '')).toBe(true);
    expect(predicted.every((row) => row.slice(1, 4).every((p) => p !== '' && Number(p) >= 0 && Number(p) <= 1))).toBe(true);
  });

  it('evaluate reports it untrained, with no scores, beside the scored tasks', async () => {
    const evaluation = join(work, 'evaluation-rare');
    const run = succeeded(await mtl(['evaluate', '--model', join(out, 'model'), '--data', data, '--out', evaluation, ...common]));
    expect(run.stdout).toMatch(/warning: the model never trained rare .*: reported untrained, not scored\./);
    expect(run.stdout).toMatch(/\| rare \| .*untrained/);
    const tasks = (JSON.parse(readFileSync(join(evaluation, 'evaluation.json'), 'utf8')) as Evaluation).tasks;
    expect(tasks.find((t) => t.name === 'rare')).toMatchObject({ untrained: true, auc: null, averagePrecision: null, labelled: 12 });
    for (const task of tasks.filter((t) => t.name !== 'rare')) expect(task.auc).toBeGreaterThan(0.5);
  });
});

describe('mtl: molecules (SMILES through RDKit)', () => {
  const cache = join(work, 'cache-molecules');
  const model = join(work, 'molecules', 'model');
  // Columns named, nothing inferred.
  const train = (out: string) =>
    mtl(['--data', MOLECULES, '--tasks', MOLECULE_TASKS.join(','), '--smiles', 'smiles', '--id', 'id', '--cache', cache, '--out', out, '--epochs', '20']);

  it('trains on named columns; a second run takes the features from the cache', async () => {
    const first = succeeded(await train(join(work, 'molecules')));
    expect(first.stdout).not.toMatch(/inferred/);
    expect(first.stdout).toMatch(/featurizing: 45 molecules, [\d.]+ molecules\/s, invalid 0/);
    const res = results(join(work, 'molecules'));
    expectResultsSchema(res, join(work, 'molecules'));
    expect(res.data.tasks).toEqual(MOLECULE_TASKS);
    expect(res.data.details['features']).toBe('SMILES "smiles" (morgan): 2048 inputs');
    expect(res.appFacts['molecules']).toMatchObject({ width: 2048, invalid: 0, fromCache: false });

    const second = succeeded(await train(join(work, 'molecules-again')));
    expect(second.stdout).toMatch(/featurizing: 45 molecules, cached 45, invalid 0/);
    expect(results(join(work, 'molecules-again')).appFacts['molecules']).toMatchObject({ fromCache: true });
    // Same features, same seed: the same model.
    expect(results(join(work, 'molecules-again')).tasks).toEqual(res.tasks);
  });

  it('predict: rows with no labels at all get a probability per task beside their id; an unparsable SMILES gets blanks', async () => {
    const data = join(work, 'unlabelled-molecules.csv');
    writeFileSync(data, 'smiles,id\nCCCN,propylamine\nC1CC(,broken\nOC(=O)c1ccccc1C,toluic_acid\n');
    const out = join(work, 'predictions', 'molecules.csv');
    const run = succeeded(await mtl(['predict', '--model', model, '--data', data, '--out', out, '--cache', cache]));
    expect(run.stdout).toMatch(/warning: .*unlabelled-molecules\.csv: skipped 1 row\(s\) whose SMILES RDKit cannot parse \(row 2: "C1CC\("/);
    expect(run.stdout).toMatch(/predicted 2 of 3 rows \(backend wasm\)/);
    const [header, ...rows] = cells(out);
    expect(header).toEqual(['id', ...MOLECULE_TASKS]);
    expect(rows.map((row) => row[0])).toEqual(['propylamine', 'broken', 'toluic_acid']);
    expect(rows[1]).toEqual(['broken', '', '', '']);
    for (const row of [rows[0]!, rows[2]!]) {
      for (const p of row.slice(1).map(Number)) {
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
      }
    }
  });

  it('predict on a file without the id column numbers the rows', async () => {
    const data = join(work, 'smiles-only.csv');
    writeFileSync(data, 'smiles\nCCO\nc1ccccc1\n');
    const out = join(work, 'predictions', 'numbered.csv');
    succeeded(await mtl(['predict', '--model', model, '--data', data, '--out', out, '--cache', cache]));
    const [header, ...rows] = cells(out);
    expect(header).toEqual(['row', ...MOLECULE_TASKS]);
    expect(rows.map((row) => row[0])).toEqual(['1', '2']);
  });

  it('evaluate: evaluation.json with ROC-AUC, PR-AUC and balanced accuracy per task, and evaluation.png', async () => {
    const out = join(work, 'evaluation');
    const run = succeeded(await mtl(['evaluate', '--model', model, '--data', MOLECULES, '--out', out, '--cache', cache]));
    expect(run.stdout).toMatch(/per-task metrics on 45 rows of .*mtl-molecules\.csv \(backend wasm\)/);
    const evaluation = JSON.parse(readFileSync(join(out, 'evaluation.json'), 'utf8')) as Evaluation;
    expect(evaluation).toMatchObject({ schema: 'masked-mtl-evaluation', version: 1, app: 'mtl', rows: { read: 45, scored: 45 } });
    expect(evaluation.files).toEqual({ results: 'evaluation.json', chart: 'evaluation.png' });
    expect(evaluation.tasks.map((t) => t.name)).toEqual(MOLECULE_TASKS);
    // Every task has both classes in the file, and the labelled counts are the file's own.
    expect(evaluation.tasks.map((t) => t.labelled)).toEqual(
      MOLECULE_TASKS.map(
        (_, i) =>
          cells(MOLECULES)
            .slice(1)
            .filter((row) => row[2 + i] !== '').length,
      ),
    );
    for (const task of evaluation.tasks) {
      for (const metric of [task.auc, task.averagePrecision, task.balancedAccuracy]) {
        expect(metric).toBeGreaterThanOrEqual(0);
        expect(metric).toBeLessThanOrEqual(1);
      }
    }
    expect(isPng(join(out, 'evaluation.png'))).toBe(true);
  });
});

describe('mtl: text (the USE-lite sentence encoder)', () => {
  const cache = join(work, 'cache-reviews');
  const train = (out: string) => mtl(['--data', REVIEWS, '--text', 'review', '--id', 'id', '--cache', cache, '--out', out, '--epochs', '20', '--workers', '1']);

  it('trains on a text column: labels in any accepted spelling, the empty text skipped and counted, vectors cached', async () => {
    const first = succeeded(await train(join(work, 'reviews')));
    // yes/no, true/false, 1.0/0.0 in any case, with blank, NA, N/A, null, NaN and -1 for missing.
    expect(first.stdout).toMatch(/inferred tasks .*: positive, about_food/);
    expect(first.stdout).toMatch(/embedding: 40 rows, .*cache hits 0, embedded 40/);
    expect(first.stdout).toMatch(/warning: .*mtl-reviews\.csv: skipped 1 row\(s\) whose text is empty \(rows 8\)\./);
    const res = results(join(work, 'reviews'));
    expectResultsSchema(res, join(work, 'reviews'));
    expect(res.data.rows).toBe(39);
    expect(res.data.details).toMatchObject({ features: 'text "review" (USE-lite, 512): 512 inputs', 'rows skipped': 1 });
    expect(res.appFacts).toMatchObject({ rows: { read: 40, used: 39 }, skipped: { emptyText: { count: 1, rows: [8] } } });

    const second = succeeded(await train(join(work, 'reviews-again')));
    expect(second.stdout).toMatch(/embedding: 40 rows, .*cache hits 40, embedded 0/);
  });

  it('predict: an empty text gets blank probabilities, the others one per task', async () => {
    const data = join(work, 'new-reviews.csv');
    writeFileSync(data, 'id,review\nn1,The lasagne was rich and delicious\nn2,\nn3,The flight was delayed for hours\n');
    const out = join(work, 'predictions', 'reviews.csv');
    const run = succeeded(await mtl(['predict', '--model', join(work, 'reviews', 'model'), '--data', data, '--out', out, '--cache', cache, '--workers', '1']));
    expect(run.stdout).toMatch(/skipped 1 row\(s\) whose text is empty \(rows 2\)/);
    const [header, ...rows] = cells(out);
    expect(header).toEqual(['id', 'positive', 'about_food']);
    expect(rows[1]).toEqual(['n2', '', '']);
    expect(rows[0]!.slice(1).every((p) => p !== '' && Number(p) >= 0 && Number(p) <= 1)).toBe(true);
  });
});

describe('mtl: the three feature kinds in one table', () => {
  it('numeric, text and SMILES columns side by side: one input of 1 + 512 + 2048 columns; predict rebuilds it', async () => {
    const [header, ...rows] = cells(MOLECULES);
    const data = join(work, 'combined.csv');
    writeFileSync(
      data,
      [[...header!, 'length', 'note'], ...rows.map((row) => [...row, String(row[1]!.length), `a compound called ${row[0]!.replace(/_/g, ' ')}`])].join('\n'),
    );
    const cache = join(work, 'cache-combined');
    const out = join(work, 'combined');
    const args = ['--numeric', 'length', '--text', 'note', '--smiles', 'smiles', '--id', 'id'];
    const run = succeeded(await mtl(['--data', data, ...args, '--cache', cache, '--out', out, '--epochs', '3', '--workers', '1']));
    expect(run.stdout).toMatch(/features: 1 numeric, text "note" \(USE-lite, 512\), SMILES "smiles" \(morgan\): 2561 inputs/);
    expect(results(out).data.tasks).toEqual(MOLECULE_TASKS);
    const predictions = join(work, 'predictions', 'combined.csv');
    succeeded(await mtl(['predict', '--model', join(out, 'model'), '--data', data, '--out', predictions, '--cache', cache, '--workers', '1']));
    const [predictedHeader, ...predicted] = cells(predictions);
    expect(predictedHeader).toEqual(['id', ...MOLECULE_TASKS]);
    expect(predicted.map((row) => row[0])).toEqual(rows.map((row) => row[0]));
    expect(predicted.every((row) => row.slice(1).every((p) => p !== ''))).toBe(true);
  });
});
