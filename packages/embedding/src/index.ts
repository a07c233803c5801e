// The encoder: USE-lite weights read offline, and the id that names them.
export { defaultModelDir, EMBEDDING_SIZE, encoderId, loadSentenceEncoder, loadTokenizer } from './sentence-encoder.js';
export type { ModelDirOptions, ModelDirSource, SentenceEncoder, TextTokenizer } from './sentence-encoder.js';
