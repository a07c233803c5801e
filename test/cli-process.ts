import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

/** The built CLIs the end-to-end tests run. */
export const TOY_CLI = resolve(__dirname, '../apps/toy/dist/cli.js');
export const MBTI_CLI = resolve(__dirname, '../apps/mbti/dist/cli.js');

/** Every CLI under test runs on wasm, whatever the machine has. */
export const CLI_ENV = { ...process.env, MTL_BACKEND: 'wasm' };

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a CLI to its end. Asynchronous: a blocking spawnSync starves vitest's worker RPC on a busy 2-core machine. */
export function runCliProcess(cli: string, args: readonly string[]): Promise<CliRun> {
  return new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { encoding: 'utf8', env: CLI_ENV, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      done({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Post vectors committed to an mbti embedding cache (0 before the file is initialised). */
export function cachedVectors(cacheDir: string): number {
  const path = join(cacheDir, 'embeddings.sqlite');
  if (!existsSync(path)) return 0;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM embeddings').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // created but not yet initialised
  }
}
