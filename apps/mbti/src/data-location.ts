import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '@mtl/core';
import { inputPath } from '@mtl/kit';

/** The repository root, from this file's place in apps/mbti/{src,dist}. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const DEFAULT_DATA = resolve(REPO_ROOT, 'datasets/mbti/mbti_1.csv');
export const SAMPLE_DATA_HINT = '../shared/datasets/mbti/mbti_sample.csv';

/** The data file to read, with the download instructions when the default file is absent. */
export function dataPath(flagValue: string | undefined): string {
  if (flagValue !== undefined) return inputPath(flagValue);
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
