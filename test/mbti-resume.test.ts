import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ExperimentResults } from '@mtl/kit';
import { describe, expect, it } from 'vitest';
import { builtCli, cachedVectors, CLI_ENV, MBTI_CLI, readJson, runCliProcess } from './cli-process.js';

const SAMPLE_24 = resolve(__dirname, 'fixtures/mbti-sample-24.csv');

describe('mbti: a run killed during embedding resumes from the cache', () => {
  it('SIGTERM keeps the finished batches, says how to resume, and the re-run embeds only the rest', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mbti-resume-'));
    const cache = join(work, 'cache');
    const args = ['--data', SAMPLE_24, '--cache', cache, '--out', join(work, 'out'), '--epochs', '2', '--no-dashboard', '--workers', '1'];

    // The built CLI, not npx: npx's shell would take the SIGTERM and the app embed on (see builtCli).
    const child = spawn(process.execPath, [builtCli('mbti'), ...args], { env: CLI_ENV });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const deadline = Date.now() + 90_000;
    while (cachedVectors(cache) < 32 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/interrupted: \d+ new post vectors were saved in .*embeddings\.sqlite\. Run the same command again .* to resume/);
    expect(stderr).not.toMatch(/\n\s+at /);
    const saved = cachedVectors(cache);
    expect(saved).toBeGreaterThanOrEqual(32);
    expect(saved).toBeLessThan(135);
    expect(existsSync(join(work, 'out', 'results.json'))).toBe(false);

    const rerun = await runCliProcess(MBTI_CLI, args);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(`embedding: 136 posts (135 distinct), ${saved} from the cache, ${135 - saved} embedded`);
    expect(cachedVectors(cache)).toBe(135);
  });
});

describe('mbti: --resume continues training from the checkpoint', () => {
  const run = (args: readonly string[]) => runCliProcess(MBTI_CLI, args);

  it('more epochs on --resume end where one uninterrupted run ends', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mbti-ckpt-'));
    const common = ['--data', SAMPLE_24, '--cache', join(work, 'cache'), '--no-dashboard', '--workers', '0', '--seed', '2'];
    const first = await run([...common, '--out', join(work, 'resumed'), '--epochs', '4']);
    expect(first.status, first.stderr).toBe(0);
    const resumed = await run([...common, '--out', join(work, 'resumed'), '--epochs', '9', '--resume']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/epochs 5\.\.9/);
    const straight = await run([...common, '--out', join(work, 'straight'), '--epochs', '9']);
    expect(straight.status, straight.stderr).toBe(0);
    const results = (dir: string) => readJson<ExperimentResults>(join(work, dir, 'results.json'));
    expect(results('resumed').tasks).toEqual(results('straight').tasks);

    const mismatch = await run([...common, '--out', join(work, 'resumed'), '--epochs', '9', '--resume', '--missing-rate', '0.5']);
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr).toMatch(/--resume: .*checkpoint\.json was made with other settings \(missingRate: checkpoint 0\.3, now 0\.5\)/);
  });
});
