import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { CACHE_FILE } from '@mtl/embedding';

export const REPO_ROOT = resolve(__dirname, '..');

/** The apps' commands, run as the README tells users to: `npx --no-install <bin>` from the repository root. */
export const TOY_CLI = 'toy';
export const MBTI_CLI = 'mbti';

/**
 * The built CLI itself, `node apps/<app>/dist/cli.js`, for the tests that signal the app at a
 * chosen moment. Through npx the app is a grandchild (npm exec -> `sh -c <bin>` -> node): npm
 * forwards SIGINT/SIGTERM only to that shell, which dies while the app trains on to the end; a
 * signal to the whole process group reaches the app, but npx then exits by that signal instead
 * of with the app's 130/143; and SIGKILL cannot be forwarded at all.
 */
export function builtCli(app: string): string {
  return join(REPO_ROOT, 'apps', app, 'dist', 'cli.js');
}

/** Every CLI under test runs on wasm, whatever the machine has. */
export const CLI_ENV = { ...process.env, MTL_BACKEND: 'wasm' };

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a CLI to its end, from the repository root, through its bin in node_modules/.bin
 * (`npx --no-install`, which never falls back to the registry). `cli` is a bin name
 * (TOY_CLI, MBTI_CLI) or an app's apps/<app>/dist/cli.js, which runs as the bin <app>.
 * Asynchronous: a blocking spawnSync starves vitest's worker RPC on a busy 2-core machine.
 */
export function runCliProcess(cli: string, args: readonly string[]): Promise<CliRun> {
  return new Promise((done) => {
    const options = { cwd: REPO_ROOT, encoding: 'utf8', env: CLI_ENV, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 } as const;
    execFile('npx', ['--no-install', binName(cli), ...args], options, (error, stdout, stderr) => {
      done({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** apps/<app>/dist/cli.js is what the bin <app> runs (apps/<app>/bin/<app>.js imports it). */
function binName(cli: string): string {
  if (!cli.endsWith('.js')) return cli;
  const appDir = dirname(dirname(resolve(cli)));
  if (resolve(cli) !== join(appDir, 'dist', 'cli.js') || dirname(appDir) !== join(REPO_ROOT, 'apps')) {
    throw new Error(`runCliProcess: ${cli} is neither a bin name nor an app's dist/cli.js`);
  }
  return basename(appDir);
}

/** A JSON file an app wrote (results.json, checkpoint.json, cv.json...), typed as the package that writes it declares it. */
export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Post vectors committed to an mbti embedding cache (0 before the file is initialised). */
export function cachedVectors(cacheDir: string): number {
  const path = join(cacheDir, CACHE_FILE);
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
