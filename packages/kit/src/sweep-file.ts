import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SweepResults } from './results-schema.js';

/** The sweep.json of an output directory. */
export function readSweep(outDir: string): SweepResults {
  return JSON.parse(readFileSync(join(outDir, 'sweep.json'), 'utf8')) as SweepResults;
}
