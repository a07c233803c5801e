import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '@mtl/core';

/** A JSON file a long run rewrites after each finished piece (sweep.json, cv.json). */
interface ProgressFile {
  schema: string;
  fingerprint: Record<string, unknown>;
}

/**
 * What a previous run of the same work finished, for --resume: nothing when the
 * file is absent; the saved file when schema and fingerprint match; refused (not
 * mixed in) when the file holds other work.
 */
export function resumableProgress<T extends ProgressFile>(options: {
  path: string;
  schema: string;
  fingerprint: Record<string, unknown>;
  what: string;
}): T | undefined {
  const { path, what } = options;
  if (!existsSync(path)) return undefined;
  let saved: T;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new UserError(`${path}: not a readable ${what} file (${error instanceof Error ? error.message : String(error)}). Move it away to start afresh.`);
  }
  if (saved.schema !== options.schema || JSON.stringify(saved.fingerprint) !== JSON.stringify(options.fingerprint)) {
    throw new UserError(
      `${path}: a ${what} with other settings or data is there; --resume continues only the same ${what}. Use another --out, or the original flags.`,
    );
  }
  return saved;
}
