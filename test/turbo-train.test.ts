import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './cli-process.js';

/**
 * `npx turbo run train --filter=toy -- ...`, exactly as the README tells users, in the
 * three places it must work: a pipe (turbo streams, the app prints plain lines), a
 * terminal (turbo's UI, the live dashboard in the task's pane) and a failing run.
 */
const TRAIN = ['turbo', 'run', 'train', '--filter=toy', '--'];
const QUICK = ['--epochs', '3', '--points', '5000', '--batch-size', '1000'];
const TIMEOUT_MS = 150_000;

/** Variables turbo or the app read as "this is CI", or that a test runner adds: none is set in a user's terminal. */
const NOT_IN_A_USERS_SHELL = [
  'CI',
  'CONTINUOUS_INTEGRATION',
  'BUILD_ID',
  'BUILD_NUMBER',
  'RUN_ID',
  'CI_NAME',
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'BUILDKITE',
  'CIRCLECI',
  'TRAVIS',
  'JENKINS_URL',
  'TF_BUILD',
  'TEAMCITY_VERSION',
  'FORCE_COLOR',
  'TURBO_UI',
  'TURBO_HASH',
  'TURBO_IS_TUI',
];
const USER_ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !NOT_IN_A_USERS_SHELL.includes(key)));
USER_ENV.MTL_BACKEND = 'wasm';

/** util-linux `script` gives the command a pseudo-terminal; BSD/macOS `script` takes other flags. */
const SCRIPT_VERSION = spawnSync('script', ['--version'], { encoding: 'utf8' });
const NO_PTY_REASON =
  SCRIPT_VERSION.error || !/util-linux/.test(SCRIPT_VERSION.stdout) ? 'util-linux `script` is not installed: no pseudo-terminal to run turbo in' : undefined;
if (NO_PTY_REASON) console.warn(`turbo-train: terminal test skipped: ${NO_PTY_REASON}`);

interface Run {
  status: number | null;
  output: string;
}

function outDir(): string {
  return mkdtempSync(join(tmpdir(), 'turbo-train-'));
}

/** stdout and stderr are pipes, as in `... | cat` or CI. */
function runPiped(args: readonly string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      'npx',
      [...TRAIN, ...args],
      { cwd: REPO_ROOT, env: USER_ENV, encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        done({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr });
      },
    );
  });
}

/**
 * On a 160x50 pseudo-terminal (a size, or turbo falls back to streaming). stdin stays
 * open: turbo's UI waits forever on a terminal whose input has ended.
 */
function runInTerminal(args: readonly string[]): Promise<Run> {
  const quoted = [...TRAIN, ...args].map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`);
  const command = `stty cols 160 rows 50; exec npx ${quoted.join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: REPO_ROOT,
    env: { ...USER_ENV, TERM: 'xterm-256color' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
  const timer = setTimeout(() => child.kill('SIGTERM'), TIMEOUT_MS);
  return new Promise((done) => {
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, output });
    });
  });
}

/** What the app printed, without turbo's `toy:train: ` prefix. */
function appLines(output: string): string[] {
  const prefix = 'toy:train: ';
  return output
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length));
}

describe('npx turbo run train --filter=toy', () => {
  it(
    'in a pipe: exits 0 with plain lines (no ANSI codes, no carriage returns) and writes the results',
    async () => {
      const out = outDir();
      const run = await runPiped([...QUICK, '--out', out]);
      expect(run.status, run.output).toBe(0);
      const lines = appLines(run.output);
      expect(
        lines.some((line) => line.startsWith('epoch 3/3')),
        run.output,
      ).toBe(true);
      expect(lines.filter((line) => line.includes('\u001b') || line.includes('\r'))).toEqual([]);
      expect(existsSync(join(out, 'results.json'))).toBe(true);
    },
    TIMEOUT_MS + 10_000,
  );

  it.skipIf(NO_PTY_REASON !== undefined)(
    'in a terminal: turbo runs its UI and the live dashboard draws in the task pane (skipped without util-linux script)',
    async () => {
      const out = outDir();
      const run = await runInTerminal([...QUICK, '--out', out]);
      expect(run.status, run.output).toBe(0);
      // The live dashboard's last frame; the plain reporter ends with "done: 3 epochs".
      expect(run.output).toContain('training finished');
      expect(existsSync(join(out, 'results.json'))).toBe(true);
    },
    TIMEOUT_MS + 10_000,
  );

  it(
    "passes the app's failure on: --epochs 0 makes turbo exit non-zero",
    async () => {
      const out = outDir();
      const run = await runPiped(['--epochs', '0', '--out', out]);
      expect(run.status, run.output).not.toBe(0);
      expect(run.output).toContain('--epochs');
      expect(existsSync(join(out, 'results.json'))).toBe(false);
    },
    TIMEOUT_MS + 10_000,
  );
});
