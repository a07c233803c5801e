import type { SparseCounts } from './ngram-hashing.js';

/**
 * Inverse document frequency of each hashed column, learnt from the training
 * people only: a column that every person uses says little about any of them.
 * Smoothed as scikit-learn's TfidfVectorizer does, idf = ln((1 + n) / (1 + df)) + 1.
 * A column used by fewer than `minPeople` training people gets weight 0: with
 * a few hundred people such n-grams are names and typos that fit noise.
 */
export function fitIdf(options: { counts: readonly SparseCounts[]; trainRows: ArrayLike<number>; width: number; minPeople: number }): Float32Array {
  const { counts, trainRows, width, minPeople } = options;
  const df = new Float32Array(width);
  for (let i = 0; i < trainRows.length; i++) for (const column of counts[trainRows[i]!]!.indices) df[column]! += 1;
  const n = trainRows.length;
  return df.map((d) => (d >= minPeople && d > 0 ? Math.log((1 + n) / (1 + d)) + 1 : 0));
}

/**
 * One person's TF-IDF row into `target`: sublinear term frequency (1 + ln
 * count) times idf, each block of `blocks` (the word and the character
 * n-grams) scaled to unit length on its own, so neither drowns the other and
 * a prolific poster weighs what a terse one does.
 */
export function tfidfInto(target: Float32Array, counts: SparseCounts, idf: Float32Array, blocks: readonly number[]): void {
  const { indices, counts: values } = counts;
  let k = 0;
  let blockStart = 0;
  for (const blockWidth of blocks) {
    const blockEnd = blockStart + blockWidth;
    const first = k;
    let squares = 0;
    for (; k < indices.length && indices[k]! < blockEnd; k++) {
      const column = indices[k]!;
      const v = (1 + Math.log(values[k]!)) * idf[column]!;
      target[column] = v;
      squares += v * v;
    }
    if (squares > 0) {
      const norm = Math.sqrt(squares);
      for (let j = first; j < k; j++) target[indices[j]!]! /= norm;
    }
    blockStart = blockEnd;
  }
}
