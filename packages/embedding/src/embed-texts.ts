import { createMatrix, type Matrix } from '@mtl/core';
import { EmbeddingStage, type EmbeddingStageOptions, type EmbeddingStats } from './embedding-stage.js';
import { EMBEDDING_SIZE } from './sentence-encoder.js';

export interface EmbedTextsOptions extends EmbeddingStageOptions {
  /** One text per row; repeats are embedded once. */
  texts: readonly string[];
  /** Texts looked up and embedded together: bounds the vectors held twice (per chunk and in the result). */
  chunkSize?: number;
}

export interface EmbeddedTexts {
  /** texts.length x EMBEDDING_SIZE: row i is the vector of texts[i]. */
  x: Matrix;
  stats: EmbeddingStats;
}

/**
 * The vectors of a list of texts through the cache: every text is counted
 * first (progress has its total from the first event), then the missing ones
 * are embedded and committed batch by batch. A stop request ends it with
 * EmbeddingInterrupted; the same call later embeds only what is still missing.
 */
export async function embedTexts(options: EmbedTextsOptions): Promise<EmbeddedTexts> {
  const { texts, chunkSize = 4096 } = options;
  const stage = new EmbeddingStage(options);
  try {
    for (const text of texts) stage.count(text);
    const x = createMatrix(texts.length, EMBEDDING_SIZE);
    for (let start = 0; start < texts.length; start += chunkSize) {
      x.data.set(await stage.vectors(texts.slice(start, start + chunkSize)), start * EMBEDDING_SIZE);
    }
    return { x, stats: stage.finish() };
  } finally {
    await stage.close();
  }
}
