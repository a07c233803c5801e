import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadBackend, loadModel, UserError } from '@mtl/core';
import type { ExperimentResults } from '@mtl/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtCli, cachedVectors, CLI_ENV, MBTI_CLI, readJson, runCliProcess as run, TOY_CLI } from './cli-process.js';

/**
 * Issue 6, integrity: SIGKILL gives a process no chance to clean up, so only
 * atomic writes stand between a crash and a file that a later run reads as
 * valid. Kill at assorted moments, then check that every file left is either
 * valid or refused with a message (never a crash or a stack trace).
 */

const SAMPLE_24 = resolve(__dirname, 'fixtures/mbti-sample-24.csv');
const TOY_FLAGS = ['--epochs', '6', '--points', '20000', '--batch-size', '1000', '--learning-rate', '0.01', '--no-dashboard', '--seed', '7'];

/**
 * Starts the built CLI of `app` and SIGKILLs it after `ms`, or once `until` holds; resolves
 * with its exit code (null once killed) and stderr when it is gone. The built CLI, not npx:
 * SIGKILL cannot be forwarded, so killing npx would leave the app running (see builtCli).
 */
function killAfter(app: string, args: string[], ms: number, until?: () => boolean): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [builtCli(app), ...args], { env: CLI_ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const started = Date.now();
    const poll = setInterval(() => {
      if (Date.now() - started >= ms || until?.()) child.kill('SIGKILL');
    }, 20);
    child.on('close', (code) => {
      clearInterval(poll);
      done({ code, stderr });
    });
  });
}

/** The model directory loads, or is refused with a message that says what to do; nothing else. */
async function expectModelLoadsOrIsRefused(dir: string): Promise<string> {
  try {
    const { model } = await loadModel(dir, 'toy');
    model.dispose();
    return 'loads';
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /does not match meta\.json \(interrupted save or edited file\)|is missing; the model directory is incomplete|not a saved model/,
    );
    return 'refused';
  }
}

describe('toy: SIGKILL at any moment leaves nothing read as valid that is not', () => {
  const out = mkdtempSync(join(tmpdir(), 'toy-kill-'));
  let fullRunMs = 0;

  beforeAll(async () => {
    await loadBackend({ request: 'cpu' });
    // Timed the way the kills below start it, so each fraction lands where it says.
    const started = Date.now();
    const first = await killAfter('toy', [...TOY_FLAGS, '--out', out], Infinity);
    expect(first.code, first.stderr).toBe(0);
    fullRunMs = Date.now() - started;
  });

  // Kill points spread over the whole run, from start-up to the final saves; the same --out each time.
  it.each([0.2, 0.55, 0.85, 0.97])('killed at %s of a run: --resume resumes or says why not; the model loads or is refused', async (fraction) => {
    await killAfter('toy', [...TOY_FLAGS, '--out', out], Math.round(fullRunMs * fraction));
    await expectModelLoadsOrIsRefused(join(out, 'model'));
    if (existsSync(join(out, 'results.json'))) expect(() => readJson(join(out, 'results.json'))).not.toThrow();

    const resumed = await run(TOY_CLI, [...TOY_FLAGS, '--out', out, '--resume']);
    expect(resumed.stderr).not.toMatch(/\n\s+at /);
    if (resumed.status === 0) {
      expect(resumed.stdout).toMatch(/epoch 6\/6|epochs \d+\.\.6|already/);
      expect(readJson<ExperimentResults>(join(out, 'results.json')).epochsTrained).toBe(6);
      expect(await expectModelLoadsOrIsRefused(join(out, 'model'))).toBe('loads');
    } else {
      expect(resumed.stderr).toMatch(/--resume: no checkpoint at|checkpoint\.json: not a readable checkpoint/);
    }
  });
});

// test/mbti-resume.test.ts covers SIGTERM (the gentle stop); SIGKILL skips every handler.
describe('mbti: SIGKILL during embedding', () => {
  it('the re-run finishes and reuses every vector committed before the kill', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mbti-kill-'));
    const cache = join(work, 'cache');
    const args = ['--data', SAMPLE_24, '--cache', cache, '--out', join(work, 'out'), '--epochs', '1', '--no-dashboard', '--workers', '1'];
    await killAfter('mbti', args, 90_000, () => cachedVectors(cache) >= 16);
    const saved = cachedVectors(cache);
    expect(saved).toBeGreaterThanOrEqual(16);
    expect(saved).toBeLessThan(135);
    expect(existsSync(join(work, 'out', 'results.json'))).toBe(false);

    const rerun = await run(MBTI_CLI, args);
    expect(rerun.status, rerun.stderr).toBe(0);
    const reused = Number(/embedding: 136 posts \(135 distinct\), (\d+) from the cache, (\d+) embedded/.exec(rerun.stdout)?.[1]);
    expect(reused).toBeGreaterThanOrEqual(saved);
    expect(cachedVectors(cache)).toBe(135);
  });
});
