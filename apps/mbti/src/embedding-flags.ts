import { Option } from '@commander-js/extra-typings';
import { BACKENDS, type BackendRequest } from '@mtl/core';
import { defaultModelDir } from '@mtl/embedding';
import { inputPath, nonNegativeInteger } from '@mtl/kit';
import type { EmbeddingSettings } from './embedding-run.js';

export const DEFAULT_CACHE = '.cache/mbti';

/** The flags of every command that embeds posts: cache, encoder files, worker threads (and the backend for commands outside the kit's train). */
export const cacheOption = () => new Option('--cache <dir>', 'embedding cache directory').default(DEFAULT_CACHE);
export const modelDirOption = () =>
  new Option('--model-dir <dir>', 'USE-lite files (model.json, shards, vocab.json); default: the copy in universal-sentence-encoder-node');
export const workersOption = () =>
  new Option('--workers <n>', 'embedding worker threads (default: one per core; 0 = main thread)').argParser(nonNegativeInteger('--workers'));
export const backendOption = () => new Option('--backend <name>', 'TensorFlow.js backend (default: auto, or $MTL_BACKEND)').choices(BACKENDS);

export function embeddingSettings(o: {
  cache: string;
  modelDir?: string | undefined;
  workers?: number | undefined;
  backend?: BackendRequest | undefined;
}): EmbeddingSettings {
  return {
    // Output places stay relative to the working directory: they may not exist yet, so there is nothing to search for.
    cacheDir: o.cache,
    modelDir: o.modelDir === undefined ? defaultModelDir() : inputPath(o.modelDir),
    workers: o.workers,
    backend: o.backend,
  };
}
