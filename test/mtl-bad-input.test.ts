import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ExperimentResults } from '@mtl/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, runCliProcess } from './cli-process.js';

/**
 * The bad-input table of apps/mtl/README.md, end to end through `mtl`. Errors come
 * before any training (a second or two each); an --out holding an earlier run's
 * results.json keeps it byte for byte. The 100 MB file is test/mtl-large-file.test.ts.
 */

const POINTS = resolve(__dirname, 'fixtures/mtl-points.csv');
const MOLECULES = resolve(__dirname, 'fixtures/mtl-molecules.csv');

const work = mkdtempSync(join(tmpdir(), 'mtl-bad-input-'));
const cache = join(work, 'cache');
const OLD_RESULTS = '{"old": "results of an earlier run"}\n';

const mtl = (args: readonly string[]) => runCliProcess('mtl', [...args, '--no-dashboard']);

function file(name: string, content: string | Buffer): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

/** An --out that already holds an earlier run's results.json: a failed run must leave it as it was. */
function outWithOldResults(name: string): string {
  const out = join(work, `out-${name.replace(/\W+/g, '-')}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), OLD_RESULTS);
  return out;
}

function expectCleanFailure(run: CliRun, message: RegExp, out?: string): void {
  expect(run.status, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  if (out === undefined) return;
  expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(OLD_RESULTS);
  expect(readdirSync(out)).toEqual(['results.json']);
}

function succeeded(run: CliRun): CliRun {
  expect(run.status, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toBe(0);
  return run;
}

const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ExperimentResults;

const pointsText = readFileSync(POINTS, 'utf8');

/** [case, train args, what stderr must say]. */
const trainErrors: Array<[string, () => string[], RegExp]> = [
  [
    'duplicate column names',
    () => ['--data', file('dup.csv', 'x,y,x\n0.5,1,2\n0.7,0,3\n')],
    /dup\.csv: line 1: the column name "x" appears twice \(columns 1 and 3\)\. Rename one of them/,
  ],
  [
    'a named task column that does not exist',
    () => ['--data', POINTS, '--tasks', 'y0,y9'],
    /--tasks y9: .*mtl-points\.csv has no column "y9" \(its columns: x0, x1, y0, y1, y2\)/,
  ],
  ['a named numeric column that does not exist', () => ['--data', POINTS, '--numeric', 'x0,x2'], /--numeric x2: .*mtl-points\.csv has no column "x2"/],
  [
    'a --smiles column that does not exist',
    () => ['--data', MOLECULES, '--smiles', 'SMILES'],
    /--smiles SMILES: .*mtl-molecules\.csv has no column "SMILES" \(its columns: id, smiles, has_nitrogen/,
  ],
  ['an --id column that does not exist', () => ['--data', POINTS, '--id', 'name'], /--id name: .*mtl-points\.csv has no column "name"/],
  [
    'a --tasks column that is all blank',
    () => ['--data', file('blank-task.csv', 'x,y0,y1\n0.1,1,\n0.2,0,NA\n0.3,1,\n'), '--tasks', 'y0,y1'],
    /--tasks y1: every cell of the column is blank in .*blank-task\.csv; a task needs some labels\. Leave it out of --tasks/,
  ],
  [
    'an inferred task column that is all blank',
    () => ['--data', file('blank-inferred.csv', 'x,y0,y1\n0.1,1,\n0.2,0,null\n0.3,1,\n')],
    /blank-inferred\.csv: column "y1" is blank in every row.*name the tasks with --tasks a,b,c and leave it out/,
  ],
  [
    'a label "maybe" in a --tasks column',
    () => ['--data', file('maybe-named.csv', 'x,y\n0.1,1\n0.2,0\n0.3,maybe\n'), '--tasks', 'y'],
    /maybe-named\.csv: row 3, column "y": "maybe" is not a label\. Labels are 0\/1, true\/false or yes\/no; a missing label is blank, NA, N\/A, NaN, null or -1/,
  ],
  [
    'a label "maybe" in an inferred task column',
    () => ['--data', file('maybe-inferred.csv', 'x,y0,y1\n0.1,1,yes\n0.2,0,no\n0.3,1,maybe\n0.4,0,YES\n')],
    /maybe-inferred\.csv: row 3, column "y1": "maybe" is not a label\..* If "y1" is not a task, name the tasks with --tasks a,b,c/,
  ],
  [
    'no feature column left',
    () => ['--data', file('no-features.csv', 'name,y0,y1\nfoo,1,0\nbar,0,1\n')],
    /no-features\.csv: no feature column left \(tasks: y0, y1\)\. Name features with --numeric/,
  ],
  ['no task column', () => ['--data', file('no-tasks.csv', 'x,z\n0.1,0.2\n0.3,0.4\n')], /no-tasks\.csv: no task column\. A task column holds 0\/1/],
  [
    'a feature cell that is not a number',
    () => ['--data', file('not-number.csv', 'x,y\n0.1,1\nten,0\n'), '--numeric', 'x'],
    /--numeric x: the column holds values that are not numbers/,
  ],
  ['a malformed row', () => ['--data', file('ragged.csv', `${pointsText}0.5,0.5,1\n`)], /ragged\.csv: line 402: malformed CSV/],
];

describe('mtl bad input: errors', () => {
  it.concurrent.each(trainErrors)('%s: a message naming it, exit 2, the old results.json untouched', async (name, args, message) => {
    const out = outWithOldResults(name);
    expectCleanFailure(await mtl(['train', ...args(), '--cache', cache, '--out', out, '--epochs', '1']), message, out);
  });
});

describe('mtl bad input: rows that cannot be featurised are skipped and counted', () => {
  it('an empty text cell: the row is skipped, counted in the warning and results.json', async () => {
    const texts = [
      'a warm and tasty soup',
      'a cold and bland stew',
      'fresh crunchy bread',
      'stale dry bread',
      '',
      'sweet ripe plums',
      '   ',
      'sour unripe plums',
    ];
    const data = file('texts.csv', `text,good\n${texts.map((t, i) => `${t},${i % 2 === 0 ? 1 : 0}`).join('\n')}\n`);
    const out = join(work, 'texts');
    const run = succeeded(
      await mtl(['--data', data, '--text', 'text', '--cache', cache, '--out', out, '--epochs', '2', '--workers', '1', '--min-class-labels', '1']),
    );
    expect(run.stdout).toMatch(/warning: .*texts\.csv: skipped 2 row\(s\) whose text is empty \(rows 5, 7\)\./);
    expect(results(out).appFacts).toMatchObject({ rows: { read: 8, used: 6 }, skipped: { emptyText: { count: 2, rows: [5, 7] } } });
    expect(results(out).data.rows).toBe(6);
  });

  // Regression: the CSV parser skipped empty lines, so in a one-column file the empty text was neither counted nor
  // given its line, and the rows after it took the numbers of the rows before them.
  it('an empty line in a one-column text file is an empty text: predict counts it and gives it blank probabilities', async () => {
    const data = file('one-column-texts.csv', 'text\nsweet ripe plums\n\nstale dry bread\n');
    const predictions = join(work, 'one-column-predictions.csv');
    const run = succeeded(
      await mtl(['predict', '--model', join(work, 'texts', 'model'), '--data', data, '--out', predictions, '--cache', cache, '--workers', '1']),
    );
    expect(run.stdout).toMatch(/warning: .*one-column-texts\.csv: skipped 1 row\(s\) whose text is empty \(rows 2\)\./);
    expect(run.stdout).toMatch(/predicted 2 of 3 rows/);
    const [header, ...rows] = readFileSync(predictions, 'utf8').trimEnd().split('\n');
    expect(header).toBe('row,good');
    expect(rows.map((row) => row.split(',')[0])).toEqual(['1', '2', '3']);
    expect(rows[1]).toBe('2,');
    expect(Number(rows[2]!.split(',')[1])).toBeGreaterThan(0);
  });

  it('unparsable SMILES: the rows are skipped, counted, the first ones named with RDKit’s reason', async () => {
    const [header, ...rows] = readFileSync(MOLECULES, 'utf8').trimEnd().split('\n');
    const broken = ['bad1,C1CC,1,0,0', 'bad2,not_a_smiles,0,0,0', 'bad3,c1cccc1,0,1,0', 'bad4,C(C)(C)(C)(C)C,0,0,0'];
    const data = file('broken-smiles.csv', [header, ...rows.slice(0, 10), ...broken, ...rows.slice(10)].join('\n') + '\n');
    const out = join(work, 'broken-smiles');
    const run = succeeded(await mtl(['--data', data, '--smiles', 'smiles', '--id', 'id', '--cache', cache, '--out', out, '--epochs', '2']));
    expect(run.stdout).toMatch(/featurizing: 49 molecules, .*invalid 4/);
    expect(run.stdout).toMatch(
      /warning: .*broken-smiles\.csv: skipped 4 row\(s\) whose SMILES RDKit cannot parse \(row 11: "C1CC" \(SMILES Parse Error: unclosed ring.*\); row 12: "not_a_smiles" \(.*\); row 13: "c1cccc1" \(.*\), …\)\./,
    );
    const res = results(out);
    expect(res.data.rows).toBe(45);
    expect(res.data.details['rows skipped']).toBe(4);
    expect(res.appFacts).toMatchObject({ rows: { read: 49, used: 45 }, skipped: { invalidSmiles: { count: 4, rows: [11, 12, 13, 14] } } });
  });
});

describe('mtl bad input: a BOM and CRLF line ends', () => {
  it('train exactly as the plain file does', async () => {
    const crlf = file('points-bom-crlf.csv', Buffer.from(`\ufeff${pointsText.replace(/\n/g, '\r\n')}`, 'utf8'));
    const common = ['--cache', cache, '--epochs', '5', '--seed', '1'];
    const [plain, windows] = await Promise.all([
      mtl(['--data', POINTS, ...common, '--out', join(work, 'plain')]),
      mtl(['--data', crlf, ...common, '--out', join(work, 'bom-crlf')]),
    ]);
    succeeded(plain);
    expect(succeeded(windows).stdout).toMatch(/inferred tasks .*: y0, y1, y2/);
    expect(results(join(work, 'bom-crlf')).data.tasks).toEqual(['y0', 'y1', 'y2']);
    expect(results(join(work, 'bom-crlf')).tasks).toEqual(results(join(work, 'plain')).tasks);
  });
});

describe('mtl bad input: a model used with a file that lacks its columns', () => {
  const model = join(work, 'points-model', 'model');

  beforeAll(async () => {
    succeeded(await mtl(['--data', POINTS, '--cache', cache, '--out', join(work, 'points-model'), '--epochs', '2']));
  });

  const lacking = () => file('lacking.csv', 'x1,y0,y1,y2\n0.5,1,0,1\n');

  it('predict names the missing feature columns and writes nothing', async () => {
    const out = join(work, 'predict-lacking', 'predictions.csv');
    const run = await mtl(['predict', '--model', model, '--data', lacking(), '--out', out, '--cache', cache]);
    expectCleanFailure(run, /lacking\.csv: no column "x0", needed for the model's features\. The file's columns: x1, y0, y1, y2\./);
    expect(readdirSync(join(work, 'predict-lacking'))).toEqual([]);
  });

  it('predict names every missing column at once', async () => {
    const run = await mtl(['predict', '--model', model, '--data', file('only-labels.csv', 'y0\n1\n'), '--out', join(work, 'p.csv'), '--cache', cache]);
    expectCleanFailure(run, /only-labels\.csv: no column "x0", "x1", needed for the model's features/);
  });

  it('evaluate names the missing feature and task columns, and leaves an earlier evaluation.json as it was', async () => {
    const out = join(work, 'evaluate-lacking');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'evaluation.json'), OLD_RESULTS);
    const run = await mtl(['evaluate', '--model', model, '--data', file('lacking-task.csv', 'x1,y0,y1\n0.5,1,0\n'), '--out', out, '--cache', cache]);
    expectCleanFailure(run, /lacking-task\.csv: no column "y2", "x0", needed for the model's features and tasks/);
    expect(readdirSync(out)).toEqual(['evaluation.json']);
    expect(readFileSync(join(out, 'evaluation.json'), 'utf8')).toBe(OLD_RESULTS);
  });

  it('evaluate on a file with a label outside the accepted values names the row and column', async () => {
    const data = file('eval-maybe.csv', 'x0,x1,y0,y1,y2\n0.1,0.2,1,0,1\n0.3,0.4,0,maybe,1\n');
    const run = await mtl(['evaluate', '--model', model, '--data', data, '--out', join(work, 'evaluate-maybe'), '--cache', cache]);
    expectCleanFailure(run, /eval-maybe\.csv: row 2, column "y1": "maybe" is not a label/);
  });
});
