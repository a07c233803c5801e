import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = join(BENCH_ROOT, '..');
export const BENCH_TMP = join(BENCH_ROOT, 'tmp');

/** The first of `paths` (relative to the repo) that is missing, if any. */
export function firstMissing(paths: readonly string[]): string | undefined {
  return paths.find((p) => !existsSync(join(REPO_ROOT, p)));
}
