/**
 * A stop request (shouldStop) ended an embedding stage between batches.
 * Every vector computed before it is committed to the cache, so running the
 * same work again resumes where this one stopped.
 */
export class EmbeddingInterrupted extends Error {
  /** New vectors computed (and saved) by the interrupted stage. */
  readonly embedded: number;
  /** The cache file that holds them. */
  readonly cachePath: string;

  constructor(options: { embedded: number; cachePath: string }) {
    super(`embedding stopped after ${options.embedded} new vectors, all saved in ${options.cachePath}`);
    this.name = 'EmbeddingInterrupted';
    this.embedded = options.embedded;
    this.cachePath = options.cachePath;
  }
}
