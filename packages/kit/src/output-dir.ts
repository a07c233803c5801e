import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '@mtl/core';

/**
 * Creates `dir` if needed and checks it is a writable directory, before any
 * long work starts, so a bad `--out` fails in a second rather than after training.
 */
export function prepareOutputDir(dir: string, flag = '--out'): string {
  const path = resolve(dir);
  try {
    makeDirectories(path);
  } catch (error) {
    throw new UserError(
      `${flag} ${dir}: cannot create the directory (${(error as NodeJS.ErrnoException).code ?? String(error)}). Choose a directory you can write to.`,
    );
  }
  if (!statSync(path).isDirectory()) throw new UserError(`${flag} ${dir}: exists and is not a directory. Choose a directory.`);
  // access(W_OK) says yes to root even on a read-only mount: write a probe instead.
  const probe = join(path, `.write-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    throw new UserError(
      `${flag} ${dir}: the directory is not writable (${(error as NodeJS.ErrnoException).code ?? String(error)}). Choose a directory you can write to.`,
    );
  }
  return path;
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir loops forever on
 * pseudo file systems such as /proc, where mkdir answers ENOENT for ever.
 */
function makeDirectories(path: string): void {
  const missing: string[] = [];
  let current = path;
  while (!existsSync(current)) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const dir of missing) mkdirSync(dir);
}
