import { createRng, type Dataset, dropLabels, type Matrix, MISSING, splitIndices, type Split, takeRows } from '@mtl/core';
import type { ExperimentData } from './experiment.js';

/** Default split fractions: enough test rows per task to measure, a dev part for early signals. */
export const SPLIT_FRACTIONS = { train: 0.7, dev: 0.15, test: 0.15 };

export interface ExperimentSplits {
  split: Split;
  train: Dataset;
  dev: Dataset;
  test: Dataset;
  /** Labels dropped per task in the training rows by --missing-rate. */
  dropped: number[];
  /** What `data.fit` learnt from this split's training rows; null without `fit`. */
  featureRecipe: Record<string, unknown> | null;
}

/** Seeded, stratified by `data.strata` or by each row's label pattern (missing counts as its own value). */
export function defaultSplit(data: ExperimentData, seed: number): Split {
  return splitIndices(data.x.rows, SPLIT_FRACTIONS, createRng(seed + 1), data.strata ?? labelPatterns(data.y));
}

/**
 * Applies a split and drops training labels at `missingRate`; features with a
 * `fit` are fitted on the training rows only. Dev and test rows
 * keep every label they have: they measure, they do not learn. The drops use
 * their own seeded stream, so on one split and seed a higher rate drops a
 * superset of the labels a lower rate drops (a sweep's rates are nested).
 */
export function applySplit(data: ExperimentData, split: Split, missingRate: number | readonly number[], seed: number): ExperimentSplits {
  const trainY = takeRows(data.y, split.train);
  const { labels, dropped } = dropLabels(trainY, missingRate, createRng(seed + 2));
  const fitted = data.fit?.(split.train);
  const x = fitted?.x ?? data.x;
  return {
    split,
    train: { x: takeRows(x, split.train), y: labels },
    dev: { x: takeRows(x, split.dev), y: takeRows(data.y, split.dev) },
    test: { x: takeRows(x, split.test), y: takeRows(data.y, split.test) },
    dropped,
    featureRecipe: fitted?.recipe ?? null,
  };
}

/** Rows per stratum below which a label pattern joins the pool of rare patterns: a stratum of 3 rows gives no test row. */
const RARE_STRATUM = 20;

/** Each row's label pattern ("01-1"); patterns rarer than RARE_STRATUM rows share one stratum. */
export function labelPatterns(y: Matrix): string[] {
  const patterns = Array.from({ length: y.rows }, (_, r) =>
    Array.from(y.data.subarray(r * y.cols, (r + 1) * y.cols), (v) => (v === MISSING ? '-' : v >= 0.5 ? '1' : '0')).join(''),
  );
  const counts = new Map<string, number>();
  for (const p of patterns) counts.set(p, (counts.get(p) ?? 0) + 1);
  return patterns.map((p) => (counts.get(p)! < RARE_STRATUM ? '*' : p));
}
