import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CvResults, ExperimentResults, SweepResults } from '@mtl/kit';
import { describe, expect, it } from 'vitest';
import { CLI_ENV, readJson } from './cli-process.js';

// What adding a data set costs: test/fixtures/tiny-app.mjs is a whole app on the kit in one short file.
// A fixture with no bin (the README documents no command for it), so it runs as `node tiny-app.mjs`.
const APP = resolve(__dirname, 'fixtures/tiny-app.mjs');

function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [APP, '--no-dashboard', ...args], { encoding: 'utf8', env: CLI_ENV, timeout: 120_000 }, (error, stdout, stderr) => {
      done({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const results = (dir: string) => readJson<ExperimentResults>(join(dir, 'results.json'));

describe('a third app on the kit (test/fixtures/tiny-app.mjs)', () => {
  it('is under 40 lines', () => {
    expect(readFileSync(APP, 'utf8').trimEnd().split('\n').length).toBeLessThan(40);
  });

  it('trains with --compare: results.json in the shared schema, the model, the charts', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tiny-compare-'));
    const r = await run(['--epochs', '15', '--compare', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/tiny: backend wasm/);
    expect(r.stdout).toMatch(/\| naive \|/);
    const res = results(out);
    expect(res).toMatchObject({ schema: 'masked-mtl-results', version: 1, app: 'tiny', epochsTrained: 15, stopped: null });
    expect(res.data.tasks).toEqual(['left', 'high', 'diagonal']);
    // The labels were missing in the data itself, not dropped by --missing-rate.
    expect(Object.values(res.data.droppedLabels)).toEqual([0, 0, 0]);
    for (const task of res.data.tasks) expect(res.data.labelled[task]!.train / res.data.split.train).toBeLessThan(0.75);
    expect(res.variants?.map((v) => v.name)).toEqual(['masked', 'naive', 'complete-rows', 'single-task']);
    for (const task of res.tasks) expect(task.auc).toBeGreaterThan(0.9);
    // Paths are relative to --out and every one of them exists.
    for (const file of Object.values(res.files)) {
      expect(file.startsWith('/')).toBe(false);
      expect(readdirSync(out)).toContain(file.replace(/\/$/, ''));
    }
  });

  it('resumes exactly: 4 epochs then --resume to 8 equals 8 straight', async () => {
    const resumed = mkdtempSync(join(tmpdir(), 'tiny-resume-'));
    const straight = mkdtempSync(join(tmpdir(), 'tiny-straight-'));
    const [first, whole] = await Promise.all([run(['--epochs', '4', '--out', resumed]), run(['--epochs', '8', '--out', straight])]);
    expect(first.status, first.stderr).toBe(0);
    expect(whole.status, whole.stderr).toBe(0);
    const second = await run(['--epochs', '8', '--resume', '--out', resumed]);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/epochs 5\.\.8/);
    expect(results(resumed).tasks).toEqual(results(straight).tasks);
    expect(results(resumed).history.map((h) => h.trainLoss)).toEqual(results(straight).history.map((h) => h.trainLoss));
  });

  it('cross-validates with --cv: folds on the training rows, mean ± sd per task, resumable cv.json', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tiny-cv-'));
    const r = await run(['--epochs', '5', '--cv', '3', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| task \(3-fold CV\) \| ROC-AUC \| PR-AUC \| balanced acc\. \| accuracy \|/);
    expect(r.stdout).toMatch(/\| mean \| 0\.\d{3} ± 0\.\d{3} \|/);
    const cv = readJson<CvResults>(join(out, 'cv.json'));
    expect(cv).toMatchObject({ folds: 3, complete: true });
    expect(cv.results).toHaveLength(3);
    expect(cv.summary.map((row) => row.task)).toEqual(['left', 'high', 'diagonal', 'mean']);
    expect(results(out)).toMatchObject({ cv: 'cv.json', files: { cv: 'cv.json', cvChart: 'cv.png' } });
    expect(cv.rows + results(out).data.split.test).toBe(2000);
    // The folds partition the non-test rows: a peer can rebuild them from cv.json.
    const heldOut = cv.heldOut.flat().sort((x, y) => x - y);
    expect(cv.heldOut).toHaveLength(3);
    expect(heldOut).toHaveLength(cv.rows);
    expect(new Set(heldOut).size).toBe(cv.rows);
    expect(readJson<{ test: number[] }>(join(out, 'split.json')).test.filter((row) => heldOut.includes(row))).toEqual([]);
  });

  it('sweeps with --sweep: every variant at each rate, sweep.json and sweep.png', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tiny-sweep-'));
    const r = await run(['--epochs', '4', '--sweep', '0,0.6', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| missing rate: mean ROC-AUC \| masked \| naive \| complete-rows \| single-task \|/);
    const sweep = readJson<SweepResults>(join(out, 'sweep.json'));
    expect(sweep.complete).toBe(true);
    expect(sweep.points.map((p) => `${p.missingRate} ${p.variant}`)).toEqual([
      '0 masked',
      '0 naive',
      '0 complete-rows',
      '0 single-task',
      '0.6 masked',
      '0.6 naive',
      '0.6 complete-rows',
      '0.6 single-task',
    ]);
    expect(readdirSync(out)).toContain('sweep.png');
  });

  it('--cv and --sweep together is refused, naming both flags', async () => {
    const r = await run(['--cv', '3', '--sweep', '0,0.5', '--out', mkdtempSync(join(tmpdir(), 'tiny-both-'))]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--cv and --sweep: choose one/);
  });
});
