import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ModelMeta } from '@mtl/core';
import type { ExperimentResults } from '@mtl/kit';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliRun as Run, MBTI_CLI as MBTI, readJson, runCliProcess as run, TOY_CLI as TOY } from './cli-process.js';

/**
 * The bad-input matrix of issue 6, end to end through both CLIs. Every case
 * must fail before the sentence encoder loads (a second or two each), except
 * the few that need a trained mbti model: those share one 6-person run.
 */

const TINY = resolve(__dirname, 'fixtures/mbti-tiny.csv');

const work = mkdtempSync(join(tmpdir(), 'bad-input-'));
const cache = join(work, 'cache');
const OLD_RESULTS = '{"old": "results of an earlier run"}\n';

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

function expectCleanFailure(result: Run, message: RegExp, out?: string): void {
  expect(result.status, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).not.toBe(0);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  if (out === undefined) return;
  expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(OLD_RESULTS);
  expect(readdirSync(out).sort()).toEqual(['results.json']);
}

const notWritable = (() => {
  const blocker = join(work, 'a-file');
  writeFileSync(blocker, 'x');
  return join(blocker, 'out');
})();

/** [case, mbti train args, what stderr must say]. Every message names the file, line/row or flag and what to do. */
const mbtiTrainCases: Array<[string, () => string[], RegExp]> = [
  ['missing file', () => ['--data', join(work, 'nope.csv')], /--data .*nope\.csv: no such file\. Check the path/],
  ['empty file', () => ['--data', file('empty.csv', '')], /empty\.csv: the file is empty\. Expected a CSV with the header "type,posts"/],
  ['header only', () => ['--data', file('header.csv', 'type,posts\n')], /header\.csv: only a header, no rows\. Add one row per person/],
  [
    'wrong header',
    () => ['--data', file('wrong-header.csv', 'name,text\nINTJ,hello\n')],
    /wrong-header\.csv: line 1: the header is "name,text", expected "type,posts"/,
  ],
  [
    'unterminated quote',
    () => ['--data', file('quote.csv', 'type,posts\nINTJ,"hello there\nENFP,more text\n')],
    /quote\.csv: line \d+: malformed CSV .*Fix or remove that row/,
  ],
  [
    'wrong column count',
    () => ['--data', file('columns.csv', 'type,posts\nINTJ,hello\nENFP,hi,extra\n')],
    /columns\.csv: line 3: malformed CSV .*expect 2, got 3.*exactly two columns/,
  ],
  [
    'binary garbage',
    () => ['--data', file('garbage.csv', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)))],
    /garbage\.csv: line \d+: contains a NUL byte, so it is a binary file/,
  ],
  [
    'a file of NUL bytes',
    () => ['--data', file('zeros.csv', Buffer.alloc(8192))],
    /zeros\.csv: line 1: contains a NUL byte, so it is a binary file \(or UTF-16 text\), not a UTF-8 CSV/,
  ],
  [
    'UTF-16 text',
    () => ['--data', file('utf16.csv', Buffer.from('\ufefftype,posts\nINTJ,hello there\n', 'utf16le'))],
    /utf16\.csv: line 1: contains a NUL byte.*Export the data as a UTF-8 CSV/,
  ],
  [
    'invalid UTF-8',
    () => ['--data', file('latin1.csv', Buffer.concat([Buffer.from('type,posts\nINTJ,caf'), Buffer.from([0xe9]), Buffer.from(' au lait\n')]))],
    /latin1\.csv: line 2: not valid UTF-8 text\. Save the file as UTF-8/,
  ],
  [
    'every type code invalid',
    () => ['--data', file('bad-types.csv', 'type,posts\nXXXX,hello there\nABCD,general kenobi\n')],
    /bad-types\.csv: none of its 2 row\(s\) is usable \(2 with an invalid type code.*Each row needs a code like INTJ/,
  ],
  [
    'every post empty after cleaning',
    () => ['--data', file('no-posts.csv', "type,posts\nINTJ,'https://example.com/a|||INTP'\nENFP,'ENFJ|||www.example.org'\n")],
    /no-posts\.csv: none of its 2 row\(s\) is usable \(0 with an invalid type code, 2 with no posts/,
  ],
  ['a flag of the wrong type', () => ['--data', TINY, '--epochs', 'ten'], /--epochs ten: expected a whole number of at least 1/],
  ['a flag out of range', () => ['--data', TINY, '--missing-rate', '1.5'], /--missing-rate 1\.5: expected a number in \[0, 1\)/],
  ['--learning-rate NaN', () => ['--data', TINY, '--learning-rate', 'NaN'], /--learning-rate NaN: expected a number greater than 0/],
  ['--missing-rate Infinity', () => ['--data', TINY, '--missing-rate', 'Infinity'], /--missing-rate Infinity: expected a number in \[0, 1\)/],
  ['--epochs 1e400', () => ['--data', TINY, '--epochs', '1e400'], /--epochs 1e400: expected a whole number of at least 1/],
  ['--batch-size -Infinity', () => ['--data', TINY, '--batch-size', '-Infinity'], /--batch-size -Infinity: expected a whole number of at least 1/],
  ['--workers 1.5', () => ['--data', TINY, '--workers', '1.5'], /--workers 1\.5: expected a whole number of at least 0/],
  [
    'corrupt cache file',
    () => {
      const dir = join(work, 'corrupt-cache');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'embeddings.sqlite'), 'not a database '.repeat(500));
      return ['--data', TINY, '--cache', dir];
    },
    /corrupt-cache\/embeddings\.sqlite: .*damaged or not an SQLite database.*delete it/,
  ],
  [
    'foreign cache file (an SQLite database of something else)',
    () => {
      const dir = join(work, 'foreign-cache');
      mkdirSync(dir, { recursive: true });
      const db = new Database(join(dir, 'embeddings.sqlite'));
      db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (9.5);');
      db.close();
      return ['--data', TINY, '--cache', dir];
    },
    /foreign-cache\/embeddings\.sqlite: .*It is not a usable embedding cache: delete it/,
  ],
  [
    'cache directory that cannot be created',
    () => ['--data', TINY, '--cache', join(work, 'a-file', 'cache')],
    /--cache .*a-file\/cache: cannot create the cache directory \(ENOTDIR\)/,
  ],
];

describe('bad input matrix: mbti train', () => {
  it.concurrent.each(mbtiTrainCases)('%s: clear message, non-zero exit, no stack trace, old results untouched', async (name, args, message) => {
    const out = outWithOldResults(name);
    const argv = args();
    // A case that wrongly succeeded would train the default 100 epochs on a handful of people: seconds.
    const result = await run(MBTI, [
      'train',
      ...(argv.includes('--cache') ? [] : ['--cache', cache]),
      ...argv,
      '--out',
      out,
      '--no-dashboard',
      '--workers',
      '1',
    ]);
    expectCleanFailure(result, message, out);
  });

  it('--out not writable fails at once, before reading the data', async () => {
    const result = await run(MBTI, ['--data', TINY, '--out', notWritable, '--cache', cache, '--no-dashboard']);
    expectCleanFailure(result, /--out .*a-file\/out: cannot create the directory \(ENOTDIR\)\. Choose a directory you can write to/);
    expect(result.stdout).not.toMatch(/embedding/);
  });

  it('a single 10 MB field is refused, naming the row', async () => {
    const big = join(work, 'big-field.csv');
    writeFileSync(big, `type,posts\nINTJ,'short post'\nENFP,"${'word '.repeat(2 * 1024 * 1024)}"\n`);
    const out = outWithOldResults('big-field');
    const started = Date.now();
    const result = await run(MBTI, ['--data', big, '--out', out, '--cache', cache, '--epochs', '1', '--no-dashboard', '--workers', '1']);
    expectCleanFailure(result, /big-field\.csv: row 2 \(line 3\): longer than 1 MB .*Look for a quote opened and never closed/, out);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('bad input matrix: mbti predict and evaluate with a bad model directory', () => {
  const trainOut = join(work, 'tiny-run');
  let tiny: Run;
  let toyModel: string;

  beforeAll(async () => {
    // Must still run: 2 invalid type codes and 1 person with no posts left are skipped with a warning.
    [tiny] = await Promise.all([
      run(MBTI, ['--data', TINY, '--out', trainOut, '--cache', cache, '--epochs', '1', '--no-dashboard', '--workers', '1']),
      run(TOY, ['--epochs', '1', '--points', '4000', '--out', join(work, 'toy-run'), '--no-dashboard']).then((toy) => {
        expect(toy.status, toy.stderr).toBe(0);
        toyModel = join(work, 'toy-run', 'model');
      }),
    ]);
  });

  it('some invalid type codes and some all-empty people still run: the warning counts them and names the first rows', () => {
    expect(tiny.status, tiny.stderr).toBe(0);
    expect(tiny.stdout).toMatch(/warning: .*mbti-tiny\.csv: skipped 2 row\(s\) whose type is not one of the 16 MBTI codes \(rows 3, 8\)/);
    expect(tiny.stdout).toMatch(/warning: .*mbti-tiny\.csv: skipped 1 row\(s\) with no posts left after removing URLs and type mentions \(rows 4\)/);
    const results = readJson<ExperimentResults>(join(trainOut, 'results.json'));
    expect(results.appFacts.people).toMatchObject({ total: 6, skippedInvalidType: 2, skippedNoPosts: 1 });
  });

  /**
   * A copy of the trained model with one thing changed. A fresh copy per call: predict and
   * evaluate cases run concurrently, and one shared copy was rewritten while the other read it.
   */
  function damagedModel(name: string, damage: (dir: string) => void): string {
    const dir = join(mkdtempSync(join(work, 'copy-')), `model-${name}`);
    cpSync(join(trainOut, 'model'), dir, { recursive: true });
    damage(dir);
    return dir;
  }

  const modelCases: Array<[string, () => string, RegExp]> = [
    [
      'a model directory from the toy app',
      () => toyModel,
      /toy-run\/model: this model was trained by the "toy" app, not "mbti"\. Pass a model directory written by mbti/,
    ],
    [
      'a model of another format version',
      () =>
        damagedModel('version', (dir) => {
          const meta = readJson<ModelMeta>(join(dir, 'meta.json'));
          writeFileSync(join(dir, 'meta.json'), JSON.stringify({ ...meta, version: 99 }));
        }),
      /model-version: model format version 99, this program reads version 1\. Train again/,
    ],
    [
      'a tampered weights.bin',
      () =>
        damagedModel('tampered', (dir) => {
          const weights = readFileSync(join(dir, 'weights.bin'));
          weights[weights.length - 1]! ^= 0xff;
          writeFileSync(join(dir, 'weights.bin'), weights);
        }),
      /model-tampered\/weights\.bin does not match meta\.json \(interrupted save or edited file\)\. Train again/,
    ],
    [
      'a damaged meta.json',
      () => damagedModel('meta', (dir) => writeFileSync(join(dir, 'meta.json'), '{"format": "masked-mtl-mo')),
      /model-meta\/meta\.json: not valid JSON; the model directory is damaged/,
    ],
    [
      'a directory that is no model',
      () => mkdtempSync(join(work, 'empty-model-')),
      /empty-model-\w+: not a saved model \(no meta\.json\)\. Pass the --out directory of a finished training run/,
    ],
  ];

  it.concurrent.each(modelCases)('predict --model <%s> is refused', async (_name, model, message) => {
    expectCleanFailure(await run(MBTI, ['predict', 'I like quiet evenings with a book.', '--model', model()]), message);
  });

  it.concurrent.each(modelCases.slice(0, 3))('evaluate --model <%s> is refused, writing nothing', async (name, model, message) => {
    const out = outWithOldResults(`eval-${name}`);
    expectCleanFailure(
      await run(MBTI, ['evaluate', '--data', TINY, '--model', model(), '--out', out, '--cache', cache, '--no-dashboard', '--workers', '1']),
      message,
    );
    expect(readdirSync(out)).toEqual(['results.json']);
  });

  it('evaluate with an --out that is not writable fails before any work', async () => {
    expectCleanFailure(
      await run(MBTI, ['evaluate', '--data', TINY, '--model', join(trainOut, 'model'), '--out', notWritable, '--cache', cache, '--no-dashboard']),
      /--out .*a-file\/out: cannot create the directory \(ENOTDIR\)/,
    );
  });

  it('predict --file of a missing file names it', async () => {
    expectCleanFailure(
      await run(MBTI, ['predict', '--file', join(work, 'nope.txt'), '--model', join(trainOut, 'model')]),
      /--file .*nope\.txt: cannot read it \(ENOENT\)\. Check the path/,
    );
  });
});

/** [case, toy args, what stderr must say]: toy reads no data file, so only flags and --out apply. */
const toyCases: Array<[string, string[], RegExp]> = [
  ['--learning-rate NaN', ['--learning-rate', 'NaN'], /--learning-rate NaN: expected a number greater than 0/],
  ['--learning-rate Infinity', ['--learning-rate', 'Infinity'], /--learning-rate Infinity: expected a number greater than 0/],
  ['--missing-rate Infinity', ['--missing-rate', 'Infinity'], /--missing-rate Infinity: expected a number in \[0, 1\)/],
  ['--missing-rate NaN', ['--missing-rate', 'NaN'], /--missing-rate NaN: expected a number in \[0, 1\)/],
  ['--epochs 1e400', ['--epochs', '1e400'], /--epochs 1e400: expected a whole number of at least 1/],
  ['--seed -1', ['--seed', '-1'], /--seed -1: expected a whole number of at least 0/],
  ['--batch-size 0x10', ['--batch-size', '0x10'], /--batch-size 0x10: expected a whole number of at least 1/],
  ['--points Infinity', ['--points', 'Infinity'], /--points Infinity: expected a whole number/],
];

describe('bad input matrix: toy', () => {
  it.concurrent.each(toyCases)('%s: clear message naming the flag, old results untouched', async (name, args, message) => {
    const out = outWithOldResults(`toy-${name}`);
    expectCleanFailure(await run(TOY, [...args, '--out', out, '--no-dashboard']), message, out);
  });

  it('--resume on an --out without a checkpoint says so and writes nothing', async () => {
    const out = outWithOldResults('toy-resume-none');
    expectCleanFailure(await run(TOY, ['--resume', '--out', out, '--no-dashboard', '--epochs', '1']), /--resume: no checkpoint at .*checkpoint\.json/, out);
  });

  it('--resume from a damaged checkpoint says what to do and writes nothing', async () => {
    const out = outWithOldResults('toy-resume-damaged');
    writeFileSync(join(out, 'checkpoint.json'), '{"format": "masked-mtl-checkpoint", "version": 1, "epo');
    const result = await run(TOY, ['--resume', '--out', out, '--no-dashboard', '--epochs', '1']);
    expectCleanFailure(result, /checkpoint\.json: not a readable checkpoint \(invalid JSON\)\. Delete it and train without --resume/);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(OLD_RESULTS);
    expect(existsSync(join(out, 'model'))).toBe(false);
  });
});
