import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

const CLI = resolve(__dirname, '../apps/mbti/dist/cli.js');
const SAMPLE_24 = resolve(__dirname, 'fixtures/mbti-sample-24.csv');
const env = { ...process.env, MTL_BACKEND: 'wasm' };

function cachedVectors(cacheDir: string): number {
  const path = join(cacheDir, 'embeddings.sqlite');
  if (!existsSync(path)) return 0;
  try {
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM embeddings').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // created but not yet initialised
  }
}

describe('mbti: a run killed during embedding resumes from the cache', () => {
  it('SIGTERM keeps the finished batches, says how to resume, and the re-run embeds only the rest', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mbti-resume-'));
    const cache = join(work, 'cache');
    const args = [CLI, '--data', SAMPLE_24, '--cache', cache, '--out', join(work, 'out'), '--epochs', '2', '--no-dashboard', '--workers', '1'];

    const child = spawn(process.execPath, args, { env });
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

    const rerun = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(process.execPath, args, { env, encoding: 'utf8' }, (error, stdout, stderr2) => done({ code: error ? 1 : 0, stdout, stderr: stderr2 })),
    );
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(`embedding: 136 posts (135 distinct), ${saved} from the cache, ${135 - saved} embedded`);
    expect(cachedVectors(cache)).toBe(135);
  });
});
