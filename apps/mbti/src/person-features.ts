import { createMatrix, type Matrix } from '@mtl/core';
import { EMBEDDING_SIZE } from '@mtl/embedding';
import { NGRAM_HASHING_VERSION, ngramWidth, type NgramSettings, type SparseCounts } from './ngram-hashing.js';
import type { Pooling } from './person-vectors.js';
import { fitIdf, tfidfInto } from './tfidf-weighting.js';

/** What a person's features are made of: the sentence vectors of their posts, and hashed n-grams of their words. */
export const FEATURE_KINDS = ['use', 'ngrams'] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

export const FEATURE_RECIPE_VERSION = 1;

/**
 * How a person's posts become the model's input, saved with the model so that
 * `predict` and `evaluate` build the same columns: the pooled sentence vectors
 * (512 per pooling), then, with n-grams, the TF-IDF word block and the
 * character block.
 */
export interface MbtiFeatureRecipe {
  version: typeof FEATURE_RECIPE_VERSION;
  features: FeatureKind[];
  pooling: Pooling[];
  /** Posts embedded per person (the first ones); null: all. */
  maxPosts: number | null;
  /** With n-grams: how they are hashed, the idf's floor on training people, and the weight of the n-gram blocks against the sentence vectors. */
  ngrams: (NgramSettings & { hashing: number; minPeople: number; weight: number }) | null;
  /** The model's input width. */
  width: number;
}

/** What the features learnt from the training people (`data.fit`): the idf of every n-gram column. */
export interface FittedFeatures {
  idf: number[] | null;
}

/** A person's raw material: pooled sentence vectors (one row each) and hashed n-gram counts (when the recipe has n-grams). */
export interface RawPersonFeatures {
  pooled: Matrix;
  ngrams: readonly SparseCounts[] | null;
}

/** Training people an n-gram column must appear in to weigh anything (see fitIdf). */
export const NGRAM_MIN_PEOPLE = 2;

/**
 * Each n-gram block (unit length per person) is multiplied by this beside the
 * sentence vectors. Adam moves every weight by about the learning rate a
 * step, so a block's sway over the output grows with its scale: at full
 * scale thousands of sparse n-gram columns fit the training people's noise
 * long before the 512 dense sentence columns have been learnt (CV on the
 * sample, README). The bag-of-words baseline, alone, keeps 1.
 */
export const NGRAM_WEIGHT = 0.1;

export function featureRecipe(options: {
  features: readonly FeatureKind[];
  pooling: readonly Pooling[];
  maxPosts: number | null;
  ngrams: NgramSettings;
  ngramWeight?: number;
}): MbtiFeatureRecipe {
  const withNgrams = options.features.includes('ngrams');
  const ngrams = withNgrams
    ? { ...options.ngrams, hashing: NGRAM_HASHING_VERSION, minPeople: NGRAM_MIN_PEOPLE, weight: options.ngramWeight ?? NGRAM_WEIGHT }
    : null;
  return {
    version: FEATURE_RECIPE_VERSION,
    features: [...options.features],
    pooling: [...options.pooling],
    maxPosts: options.maxPosts,
    ngrams,
    width: pooledWidth(options) + (ngrams ? ngramWidth(ngrams) : 0),
  };
}

/** Columns of the sentence-vector part: 512 per pooling, none without `use` (the bag-of-words baseline). */
function pooledWidth(recipe: { features: readonly FeatureKind[]; pooling: readonly Pooling[] }): number {
  return recipe.features.includes('use') ? EMBEDDING_SIZE * recipe.pooling.length : 0;
}

/** Learns the idf of the n-gram columns from `trainRows` only; nothing to learn without n-grams. */
export function fitPersonFeatures(raw: RawPersonFeatures, recipe: MbtiFeatureRecipe, trainRows: ArrayLike<number>): FittedFeatures {
  if (!recipe.ngrams || !raw.ngrams) return { idf: null };
  const idf = fitIdf({ counts: raw.ngrams, trainRows, width: ngramWidth(recipe.ngrams), minPeople: recipe.ngrams.minPeople });
  // Rounded: the saved model's meta.json holds them, and 6 digits are more than the model can tell apart.
  return { idf: Array.from(idf, (v) => Math.round(v * 1e6) / 1e6) };
}

/**
 * Every person's input row: the pooled vectors as they are, then the TF-IDF
 * n-gram blocks weighted with `fitted.idf` (without it, every column weighs
 * 1: the unfitted form the kit shows before a split is fitted).
 */
export function personFeatures(raw: RawPersonFeatures, recipe: MbtiFeatureRecipe, fitted: FittedFeatures): Matrix {
  const people = raw.pooled.rows;
  const pooled = pooledWidth(recipe);
  if (pooled > 0 && raw.pooled.cols !== pooled) throw new Error(`pooled vectors have ${raw.pooled.cols} columns, the recipe wants ${pooled}`);
  const x = createMatrix(people, recipe.width);
  for (let r = 0; r < people && pooled > 0; r++) x.data.set(raw.pooled.data.subarray(r * pooled, (r + 1) * pooled), r * recipe.width);
  if (recipe.ngrams) {
    if (!raw.ngrams) throw new Error('the recipe has n-grams but no n-gram counts were read');
    const width = ngramWidth(recipe.ngrams);
    const idf = fitted.idf ? Float32Array.from(fitted.idf) : new Float32Array(width).fill(1);
    const blocks = [recipe.ngrams.wordBuckets, recipe.ngrams.charBuckets];
    for (let r = 0; r < people; r++) {
      const row = x.data.subarray(r * recipe.width + pooled, (r + 1) * recipe.width);
      tfidfInto(row, raw.ngrams[r]!, idf, blocks);
      if (recipe.ngrams.weight !== 1) for (const column of raw.ngrams[r]!.indices) row[column]! *= recipe.ngrams.weight;
    }
  }
  return x;
}
