import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExperimentResults } from '@mtl/kit';
import { describe, expect, it } from 'vitest';
import { builtCli, CLI_ENV, readJson, runCliProcess, TOY_CLI } from './cli-process.js';

const FLAGS = ['--epochs', '10', '--points', '20000', '--batch-size', '1000', '--learning-rate', '0.01', '--no-dashboard', '--seed', '5'];

/** checkpoint.json, the field read here (core does not export the file's type). */
interface Checkpoint {
  epoch: number;
}

/** Starts the CLI, sends `signal` once it has printed `epoch <after>/`, resolves with the exit. */
function runAndSignal(args: string[], after: number, signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolveRun, reject) => {
    // The built CLI, not npx: npx's shell would take the signal and the app train on (see builtCli).
    const child = spawn(process.execPath, [builtCli('toy'), ...args], { env: CLI_ENV });
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!sent && new RegExp(`epoch +${after}/`).test(stdout)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout }));
  });
}

const results = (dir: string) => readJson<ExperimentResults>(join(dir, 'results.json'));

describe('toy: interruption and resume', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s stops promptly, keeps a checkpoint, and --resume ends where an uninterrupted run ends', async (signal, exitCode) => {
    const interrupted = mkdtempSync(join(tmpdir(), 'toy-int-'));
    const stop = await runAndSignal([...FLAGS, '--out', interrupted], 3, signal);
    expect(stop.code).toBe(exitCode);
    expect(stop.stdout).toMatch(new RegExp(`stopped after epoch \\d+ \\(${signal} received\\)`));
    expect(stop.stdout).toMatch(/same command with --resume/);
    const partial = results(interrupted);
    expect(partial.stopped?.reason).toBe(`${signal} received`);
    expect(partial.epochsTrained).toBeLessThan(10);
    const checkpoint = readJson<Checkpoint>(join(interrupted, 'checkpoint.json'));
    expect(checkpoint.epoch).toBe(partial.epochsTrained);

    const resumed = await runCliProcess(TOY_CLI, [...FLAGS, '--out', interrupted, '--resume']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`epochs ${checkpoint.epoch + 1}\\.\\.10`));

    const straight = mkdtempSync(join(tmpdir(), 'toy-straight-'));
    const whole = await runCliProcess(TOY_CLI, [...FLAGS, '--out', straight]);
    expect(whole.status, whole.stderr).toBe(0);
    const a = results(interrupted);
    const b = results(straight);
    expect(a.epochsTrained).toBe(10);
    expect(a.stopped).toBeNull();
    expect(a.tasks).toEqual(b.tasks);
    expect(a.history.map((h) => h.trainLoss)).toEqual(b.history.map((h) => h.trainLoss));
  });

  it('refuses to resume with other settings, naming the flag', async () => {
    const out = mkdtempSync(join(tmpdir(), 'toy-mismatch-'));
    const first = await runCliProcess(TOY_CLI, [...FLAGS, '--epochs', '1', '--out', out]);
    expect(first.status, first.stderr).toBe(0);
    const run = await runCliProcess(TOY_CLI, [...FLAGS, '--seed', '6', '--out', out, '--resume']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--resume: .*checkpoint\.json was made with other settings \(seed: checkpoint 5, now 6\)/);
  });

  it('says where the checkpoint should be when there is none', async () => {
    const run = await runCliProcess(TOY_CLI, [...FLAGS, '--out', mkdtempSync(join(tmpdir(), 'toy-none-')), '--resume']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--resume: no checkpoint at .*checkpoint\.json/);
  });
});
