import { availableParallelism } from 'node:os';
import { type BackendRequest, type RunEventListener, type TrainingControl } from '@mtl/core';
import { createTextEmbedder, EmbeddingCache, EmbeddingInterrupted, encoderId } from '@mtl/embedding';
import { ExitError } from '@mtl/kit';
import { describeSkipped, requirePeople } from './csv-reader.js';
import { hashNgrams, type NgramSettings, type SparseCounts } from './ngram-hashing.js';
import { embedPeople, type PersonVectors, type Pooling } from './person-vectors.js';
import { CLEANING_VERSION } from './post-cleaning.js';

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

/** How each person is read: the pooling of their post vectors, the cap on posts embedded, and the n-grams to count (null: none). */
export interface PersonReading {
  pooling: readonly Pooling[];
  maxPosts: number | null;
  ngrams: NgramSettings | null;
}

/**
 * Person vectors of a CSV through the cache: validates the file, embeds what
 * is not cached, counts hashed n-grams, warns about skipped rows. An
 * interrupted run ends with a UserError saying the finished work is cached
 * and how to resume.
 */
export async function embedCsv(
  path: string,
  settings: EmbeddingSettings,
  context: { onEvent: RunEventListener; control: TrainingControl; resumeHint: string },
  reading: PersonReading = { pooling: ['mean'], maxPosts: null, ngrams: null },
): Promise<{ vectors: PersonVectors; ngrams: SparseCounts[] | null; encoder: string }> {
  const encoder = encoderId(settings.modelDir);
  // 'clean-N' in the key: posts cleaned by another version of the cleaning never share vectors.
  const cache = new EmbeddingCache({ dir: settings.cacheDir, encoder, preparation: `clean-${CLEANING_VERSION}` });
  try {
    const createEmbedder = () => createTextEmbedder({ modelDir: settings.modelDir, workers: settings.workers ?? defaultWorkers() });
    const ngramSettings = reading.ngrams;
    const ngrams: SparseCounts[] | null = ngramSettings ? [] : null;
    const vectors = await embedPeople({
      path,
      cache,
      createEmbedder,
      onEvent: context.onEvent,
      shouldStop: () => context.control.stopRequested,
      pooling: reading.pooling,
      ...(reading.maxPosts === null ? {} : { maxPosts: reading.maxPosts }),
      ...(ngrams && ngramSettings ? { onPerson: (person) => ngrams.push(hashNgrams(person.posts, ngramSettings)) } : {}),
    });
    for (const message of describeSkipped(path, vectors.summary)) context.onEvent({ type: 'notice', level: 'warning', message });
    requirePeople(path, vectors.summary);
    return { vectors, ngrams, encoder };
  } catch (error) {
    if (error instanceof EmbeddingInterrupted) {
      throw new ExitError(
        `interrupted: ${error.embedded} new post vectors were saved in ${error.cachePath}. Run the same command again (${context.resumeHint}) to resume: cached posts are not embedded again.`,
        INTERRUPTED_EXIT_CODE,
      );
    }
    throw error;
  } finally {
    cache.close();
  }
}
