import { type Matrix, MISSING } from '@mtl/core';

/**
 * Weight of a positive label per task: negatives / positives among the
 * labelled training entries, so both classes pull equally on the loss and a
 * head cannot win by always answering the majority class. 1 when a task has
 * no labels or only one class (nothing to balance).
 */
export function positiveWeights(labels: Matrix): number[] {
  return Array.from({ length: labels.cols }, (_, col) => {
    let positives = 0;
    let negatives = 0;
    for (let r = 0; r < labels.rows; r++) {
      const v = labels.data[r * labels.cols + col]!;
      if (v === MISSING) continue;
      if (v >= 0.5) positives++;
      else negatives++;
    }
    return positives > 0 && negatives > 0 ? negatives / positives : 1;
  });
}
