import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file's place in packages/kit/{src,dist}. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * An input path as the user meant it. `npx turbo run train --filter=<app> -- --data x`
 * runs the app in its own folder, so a path relative to where the user stood would
 * miss: try the working directory, then npm's INIT_CWD, then the repository root, and
 * keep the first that exists. Not found anywhere: the path as typed, so the error
 * names what the user wrote. Outputs (--out, --cache) stay relative to the working directory.
 */
export function inputPath(path: string): string {
  if (isAbsolute(path) || existsSync(path)) return path;
  const elsewhere = [process.env['INIT_CWD'], REPO_ROOT].filter((dir): dir is string => !!dir).map((dir) => resolve(dir, path));
  return elsewhere.find((candidate) => existsSync(candidate)) ?? path;
}
