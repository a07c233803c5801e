import { createMatrix, dropLabels, labelledCounts, type Matrix, MISSING, createRng, splitIndices, takeRows, type Split } from '@mtl/core';
import { AXES, axisLabels } from './personality-type.js';

export interface MbtiSplits {
  split: Split;
  train: { x: Matrix; y: Matrix };
  dev: { x: Matrix; y: Matrix };
  test: { x: Matrix; y: Matrix };
  /** Training labels dropped by --missing-rate, per axis. */
  dropped: number[];
}

export const SPLIT_FRACTIONS = { train: 0.7, dev: 0.15, test: 0.15 };

/** people x 4 labels, 1 = I, N, T, J. */
export function labelMatrix(types: readonly string[]): Matrix {
  const y = createMatrix(types.length, AXES.length);
  types.forEach((type, row) => y.data.set(axisLabels(type), row * AXES.length));
  return y;
}

/**
 * Seeded split stratified by the full type code (so each part keeps the 16
 * types' mix), then each axis label of a training row dropped with probability
 * `missingRate`. Dev and test rows keep every label: they measure, not learn.
 */
export function splitPeople(x: Matrix, types: readonly string[], seed: number, missingRate: number): MbtiSplits {
  const rng = createRng(seed);
  const split = splitIndices(types.length, SPLIT_FRACTIONS, rng, types);
  const y = labelMatrix(types);
  const trainY = takeRows(y, split.train);
  const { labels, dropped } = dropLabels(trainY, missingRate, rng);
  return {
    split,
    train: { x: takeRows(x, split.train), y: labels },
    dev: { x: takeRows(x, split.dev), y: takeRows(y, split.dev) },
    test: { x: takeRows(x, split.test), y: takeRows(y, split.test) },
    dropped,
  };
}

/**
 * Weight of a positive (I, N, T, J) label per axis: negatives / positives among
 * the labelled training entries. I is ~78 % and N ~89 % of people, so unweighted
 * the cheapest answer is "always I, always N"; with this weight both classes
 * pull equally on the loss and the heads must separate them. 1 when an axis
 * has no labels or only one class (nothing to balance).
 */
export function positiveWeights(labels: Matrix): number[] {
  return AXES.map((_, col) => {
    let pos = 0;
    let neg = 0;
    for (let r = 0; r < labels.rows; r++) {
      const v = labels.data[r * labels.cols + col]!;
      if (v === MISSING) continue;
      if (v >= 0.5) pos++;
      else neg++;
    }
    return pos > 0 && neg > 0 ? neg / pos : 1;
  });
}

/** Axes with no labelled training entry: they cannot be trained and are reported as such. */
export function untrainedAxes(labels: Matrix): string[] {
  const counts = labelledCounts(labels);
  return AXES.filter((_, i) => counts[i] === 0);
}
