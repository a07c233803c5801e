import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '@mtl/core';

/** The repository root, from this file's place in apps/mbti/{src,dist}. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const DEFAULT_DATA = resolve(REPO_ROOT, 'datasets/mbti/mbti_1.csv');
export const SAMPLE_DATA_HINT = '../shared/datasets/mbti/mbti_sample.csv';

/**
 * Resolves a path the user typed. `npx turbo run train --filter=mbti -- --data x`
 * runs the app with apps/mbti as working directory, so a path written relative
 * to where the user stood would miss: try the working directory, then npm's
 * INIT_CWD, then the repository root, and keep the first that exists.
 */
export function resolveUserPath(path: string): string {
  if (isAbsolute(path)) return path;
  const candidates = [process.cwd(), process.env.INIT_CWD, REPO_ROOT].filter((dir): dir is string => !!dir).map((dir) => resolve(dir, path));
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0]!;
}

/** The data file to read, with the download instructions when the default file is absent. */
export function dataPath(flagValue: string | undefined): string {
  if (flagValue !== undefined) return resolveUserPath(flagValue);
  if (existsSync(DEFAULT_DATA)) return DEFAULT_DATA;
  throw new UserError(
    [
      `no data file: ${DEFAULT_DATA} does not exist.`,
      'Download the Kaggle data set "(MBTI) Myers-Briggs Personality Type Dataset" (kaggle.com/datasets/datasnaek/mbti-type),',
      `unzip it and put mbti_1.csv at ${DEFAULT_DATA}, or pass --data PATH.`,
      `To try the app on the small real sample: --data ${SAMPLE_DATA_HINT}`,
    ].join('\n'),
  );
}
