// The encoder: USE-lite weights read offline, and the id that names them.
export { defaultModelDir, EMBEDDING_SIZE, encoderId, loadSentenceEncoder, loadTokenizer } from './sentence-encoder.js';
export type { ModelDirOptions, ModelDirSource, SentenceEncoder, TextTokenizer } from './sentence-encoder.js';

// Running it: in this thread or on a pool of worker threads.
export { createTextEmbedder } from './text-embedder.js';
export type { TextEmbedder, TextEmbedderOptions } from './text-embedder.js';

// The SQLite cache of vectors.
export { EmbeddingCache, textHash } from './embedding-cache.js';
export { CACHE_FILE, CACHE_FORMAT, CACHE_VERSION, EARLIER_CACHE_FILE, EARLIER_CACHE_FORMATS } from './cache-layout.js';
export type { EmbeddingCacheOptions } from './embedding-cache.js';

// Texts to vectors through the cache, with progress events and a stop check.
export { embedTexts } from './embed-texts.js';
export type { EmbeddedTexts, EmbedTextsOptions } from './embed-texts.js';
export { EmbeddingStage } from './embedding-stage.js';
export type { EmbeddingStageOptions, EmbeddingStats } from './embedding-stage.js';
export { EmbeddingInterrupted } from './embedding-interrupted.js';
