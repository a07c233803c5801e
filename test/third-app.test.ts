import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// What adding a data set costs: test/fixtures/tiny-app.mjs is a whole app on the kit in one short file.
const APP = resolve(__dirname, 'fixtures/tiny-app.mjs');

function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [APP, '--no-dashboard', ...args], { encoding: 'utf8', env: { ...process.env, MTL_BACKEND: 'wasm' }, timeout: 120_000 }, (error, stdout, stderr) => {
      done({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));

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
    for (const task of res.data.tasks) expect(res.data.labelled[task].train / res.data.split.train).toBeLessThan(0.75);
    expect(res.variants.map((v: { name: string }) => v.name)).toEqual(['masked', 'naive', 'complete-rows', 'single-task']);
    for (const task of res.tasks) expect(task.auc).toBeGreaterThan(0.9);
    // Paths are relative to --out and every one of them exists.
    for (const file of Object.values(res.files) as string[]) {
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
    expect(results(resumed).history.map((h: { trainLoss: number }) => h.trainLoss)).toEqual(results(straight).history.map((h: { trainLoss: number }) => h.trainLoss));
  });
});
