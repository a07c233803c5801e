import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = resolve(__dirname, '../apps/toy/dist/cli.js');
const FLAGS = ['--epochs', '10', '--points', '20000', '--batch-size', '1000', '--learning-rate', '0.01', '--no-dashboard', '--seed', '5'];
const env = { ...process.env, MTL_BACKEND: 'wasm' };

/** Starts the CLI, sends `signal` once it has printed `epoch <after>/`, resolves with the exit. */
function runAndSignal(args: string[], after: number, signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env });
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

const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));

describe('toy: interruption and resume', () => {
  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('%s stops promptly, keeps a checkpoint, and --resume ends where an uninterrupted run ends', async (signal, exitCode) => {
    const interrupted = mkdtempSync(join(tmpdir(), 'toy-int-'));
    const stop = await runAndSignal([...FLAGS, '--out', interrupted], 3, signal);
    expect(stop.code).toBe(exitCode);
    expect(stop.stdout).toMatch(new RegExp(`stopped after epoch \\d+ \\(${signal} received\\)`));
    expect(stop.stdout).toMatch(/same command with --resume/);
    const partial = results(interrupted);
    expect(partial.stopped.reason).toBe(`${signal} received`);
    expect(partial.epochsTrained).toBeLessThan(10);
    const checkpoint = JSON.parse(readFileSync(join(interrupted, 'checkpoint.json'), 'utf8'));
    expect(checkpoint.epoch).toBe(partial.epochsTrained);

    const resumed = spawnSync(process.execPath, [CLI, ...FLAGS, '--out', interrupted, '--resume'], { env, encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`epochs ${checkpoint.epoch + 1}\\.\\.10`));

    const straight = mkdtempSync(join(tmpdir(), 'toy-straight-'));
    expect(spawnSync(process.execPath, [CLI, ...FLAGS, '--out', straight], { env }).status).toBe(0);
    const a = results(interrupted);
    const b = results(straight);
    expect(a.epochsTrained).toBe(10);
    expect(a.stopped).toBeNull();
    expect(a.tasks).toEqual(b.tasks);
    expect(a.history.map((h: { trainLoss: number }) => h.trainLoss)).toEqual(b.history.map((h: { trainLoss: number }) => h.trainLoss));
  });

  it('refuses to resume with other settings, naming the flag', () => {
    const out = mkdtempSync(join(tmpdir(), 'toy-mismatch-'));
    expect(spawnSync(process.execPath, [CLI, ...FLAGS, '--epochs', '1', '--out', out], { env }).status).toBe(0);
    const run = spawnSync(process.execPath, [CLI, ...FLAGS, '--seed', '6', '--out', out, '--resume'], { env, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--resume: .*checkpoint\.json was made with other settings \(seed: checkpoint 5, now 6\)/);
  });

  it('says where the checkpoint should be when there is none', () => {
    const run = spawnSync(process.execPath, [CLI, ...FLAGS, '--out', mkdtempSync(join(tmpdir(), 'toy-none-')), '--resume'], { env, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--resume: no checkpoint at .*checkpoint\.json/);
  });
});
