import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExperimentResults } from '@mtl/kit';
import { describe, expect, it } from 'vitest';
import { readJson, runCliProcess, TOY_CLI } from './cli-process.js';

/** `npx --no-install toy ...` from the repository root, as the README runs it. */
const runToy = (args: readonly string[]) => runCliProcess(TOY_CLI, args);
const QUICK = ['--points', '20000', '--batch-size', '1000', '--learning-rate', '0.01', '--no-dashboard'];

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function readPng(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('toy CLI end to end', () => {
  it('trains, prints the table, and writes results.json, both PNGs and the model', async () => {
    const out = mkdtempSync(join(tmpdir(), 'toy-e2e-'));
    const run = await runToy([...QUICK, '--epochs', '15', '--out', out, '--seed', '3']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/backend wasm/);
    expect(run.stdout).toMatch(/epoch 15\/15/);
    expect(run.stdout).toMatch(/\| y2 \| 3000 \|/);
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).not.toContain('\r');
    const results = readJson<ExperimentResults>(join(out, 'results.json'));
    expect(results).toMatchObject({ schema: 'masked-mtl-results', version: 1, app: 'toy' });
    expect(results.backend.name).toBe('wasm');
    expect(results.tasks.map((t) => t.name)).toEqual(['y0', 'y1', 'y2']);
    for (const task of results.tasks) {
      expect(task.labelled).toBe(3000);
      expect(task.accuracy).toBeGreaterThan(0.9);
      expect(task.auc).toBeGreaterThan(0.95);
    }
    expect(results.epochsTrained).toBe(15);
    expect(results.history).toHaveLength(15);
    const regions = readPng(join(out, 'decision-regions.png'));
    expect(regions.width).toBeGreaterThan(1000);
    expect(readPng(join(out, 'learning-curves.png')).width).toBeGreaterThan(500);
    expect(existsSync(join(out, 'model', 'meta.json'))).toBe(true);
  });

  it('with --compare, writes one entry per variant and masking beats the naive loss', async () => {
    const out = mkdtempSync(join(tmpdir(), 'toy-compare-'));
    const run = await runToy([...QUICK, '--epochs', '8', '--out', out, '--compare']);
    expect(run.status, run.stderr).toBe(0);
    const variants = readJson<ExperimentResults>(join(out, 'results.json')).variants ?? [];
    expect(variants.map((v) => v.name)).toEqual(['masked', 'naive', 'complete-rows', 'single-task']);
    const mean = (name: string) => {
      const tasks = variants.find((v) => v.name === name)?.tasks ?? [];
      expect(tasks).toHaveLength(3);
      return tasks.reduce((sum, t) => sum + (t.accuracy ?? Number.NaN), 0) / 3;
    };
    expect(mean('masked')).toBeGreaterThan(mean('naive') + 0.05);
    expect(run.stdout).toMatch(/\| naive \|/);
    readPng(join(out, 'comparison.png'));
  });

  describe('bad input: clear message, non-zero exit, no stack trace', () => {
    const cases: [string, string[], RegExp][] = [
      ['unknown flag', ['--epoch', '3'], /unknown option '--epoch'/],
      ['missing rate of 1', ['--missing-rate', '1'], /--missing-rate 1: expected a number in \[0, 1\)/],
      ['negative missing rate', ['--missing-rate', '-0.2'], /--missing-rate -0.2: expected a number in \[0, 1\)/],
      ['zero epochs', ['--epochs', '0'], /--epochs 0: expected a whole number of at least 1/],
      ['epochs not a number', ['--epochs', 'ten'], /--epochs ten: expected a whole number/],
      ['unknown backend', ['--backend', 'gpu'], /--backend.*gpu.*(node|wasm|cpu)/],
      ['too few points', ['--points', '100'], /--points 100: need more than/],
    ];
    it.each(cases)('%s', async (_name, args, message) => {
      const run = await runToy([...args, '--out', mkdtempSync(join(tmpdir(), 'toy-bad-'))]);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });

    it('an --out that cannot be a directory', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'toy-out-')), 'a-file');
      writeFileSync(file, 'x');
      const run = await runToy(['--out', join(file, 'sub'), '--epochs', '1']);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/--out .*a-file\/sub: cannot create the directory \(ENOTDIR\)/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });
  });
});
