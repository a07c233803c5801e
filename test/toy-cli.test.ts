import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = resolve(__dirname, '../apps/toy/dist/cli.js');

function runToy(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, MTL_BACKEND: 'wasm' }, timeout: 120_000 });
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function readPng(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('toy CLI end to end', () => {
  it('trains, prints the table, and writes results.json, both PNGs and the model', () => {
    const out = mkdtempSync(join(tmpdir(), 'toy-e2e-'));
    const run = runToy(['--epochs', '15', '--points', '20000', '--batch-size', '1000', '--learning-rate', '0.01', '--out', out, '--no-dashboard', '--seed', '3']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/backend wasm/);
    expect(run.stdout).toMatch(/epoch 15\/15/);
    expect(run.stdout).toMatch(/\| y2 \| 3000 \|/);
    expect(run.stdout).not.toMatch(/\x1b|\r/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ schema: 'masked-mtl-results', version: 1, app: 'toy' });
    expect(results.backend.name).toBe('wasm');
    expect(results.tasks.map((t: { name: string }) => t.name)).toEqual(['y0', 'y1', 'y2']);
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

  it('with --compare, writes one entry per variant and masking beats the naive loss', () => {
    const out = mkdtempSync(join(tmpdir(), 'toy-compare-'));
    const run = runToy(['--epochs', '8', '--points', '20000', '--batch-size', '1000', '--learning-rate', '0.01', '--out', out, '--no-dashboard', '--compare']);
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.variants.map((v: { name: string }) => v.name)).toEqual(['masked', 'naive', 'complete-rows', 'single-task']);
    const mean = (name: string) => {
      const v = results.variants.find((x: { name: string }) => x.name === name);
      expect(v.tasks).toHaveLength(3);
      return v.tasks.reduce((s: number, t: { accuracy: number }) => s + t.accuracy, 0) / 3;
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
    it.each(cases)('%s', (_name, args, message) => {
      const run = runToy([...args, '--out', mkdtempSync(join(tmpdir(), 'toy-bad-'))]);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });

    it('an --out that cannot be a directory', () => {
      const file = join(mkdtempSync(join(tmpdir(), 'toy-out-')), 'a-file');
      writeFileSync(file, 'x');
      const run = runToy(['--out', join(file, 'sub'), '--epochs', '1']);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/--out .*a-file\/sub: cannot create the directory \(ENOTDIR\)/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });
  });
});
