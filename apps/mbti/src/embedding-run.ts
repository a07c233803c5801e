import { availableParallelism } from 'node:os';
import { type BackendRequest, type RunEventListener, type TrainingControl } from '@mtl/core';
import { ExitError } from '@mtl/kit';
import { describeSkipped, requirePeople } from './csv-reader.js';
import { EmbeddingCache } from './embedding-cache.js';
import { EmbeddingInterrupted, embedPeople, type PersonVectors } from './person-vectors.js';
import { createPostEmbedder } from './post-embedder.js';
import { encoderId } from './sentence-encoder.js';

export interface EmbeddingSettings {
  cacheDir: string;
  modelDir: string;
  /** Worker threads; undefined = one per core. */
  workers: number | undefined;
  backend: BackendRequest | undefined;
}

/** Exit code of a run stopped by a signal, by shell convention. */
export const INTERRUPTED_EXIT_CODE = 130;

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Person vectors of a CSV through the cache: validates the file, embeds what
 * is not cached, warns about skipped rows. An interrupted run ends with a
 * UserError saying the finished work is cached and how to resume.
 */
export async function embedCsv(
  path: string,
  settings: EmbeddingSettings,
  context: { onEvent: RunEventListener; control: TrainingControl; resumeHint: string },
): Promise<{ vectors: PersonVectors; encoder: string }> {
  const encoder = encoderId(settings.modelDir);
  const cache = new EmbeddingCache(settings.cacheDir, encoder);
  try {
    const createEmbedder = () =>
      createPostEmbedder({ modelDir: settings.modelDir, backend: settings.backend ?? 'auto', workers: settings.workers ?? defaultWorkers() });
    const vectors = await embedPeople({ path, cache, createEmbedder, onEvent: context.onEvent, shouldStop: () => context.control.stopRequested });
    for (const message of describeSkipped(path, vectors.summary)) context.onEvent({ type: 'notice', level: 'warning', message });
    requirePeople(path, vectors.summary);
    return { vectors, encoder };
  } catch (error) {
    if (error instanceof EmbeddingInterrupted) {
      throw new ExitError(
        `interrupted: ${error.embedded} new post vectors were saved in ${cache.path}. Run the same command again (${context.resumeHint}) to resume: cached posts are not embedded again.`,
        INTERRUPTED_EXIT_CODE,
      );
    }
    throw error;
  } finally {
    cache.close();
  }
}
