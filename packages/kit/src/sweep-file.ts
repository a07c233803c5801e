import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CvResults } from './cross-validation.js';
import type { SweepResults } from './results-schema.js';

/** The sweep.json of an output directory. */
export function readSweep(outDir: string): SweepResults {
  return JSON.parse(readFileSync(join(outDir, 'sweep.json'), 'utf8')) as SweepResults;
}

/** The cv.json of an output directory. */
export function readCv(outDir: string): CvResults {
  return JSON.parse(readFileSync(join(outDir, 'cv.json'), 'utf8')) as CvResults;
}
