import { createMatrix, MISSING } from '@mtl/core';
import { describe, expect, it } from 'vitest';
import { foldOf, meanSd } from './cross-validation.js';
import type { ExperimentData } from './experiment.js';

function data(labels: number[][]): ExperimentData {
  return {
    x: createMatrix(labels.length, 1),
    y: createMatrix(labels.length, labels[0]!.length, Float32Array.from(labels.flat())),
    tasks: labels[0]!.map((_, i) => `t${i}`),
    fingerprint: {},
  };
}

describe('cross-validation folds', () => {
  it('spread each label pattern over the folds and differ in size by at most one', () => {
    // 60 rows of pattern "10", 30 of "01", 13 of "-1" (rare: pooled).
    const labels = [
      ...Array.from({ length: 60 }, () => [1, 0]),
      ...Array.from({ length: 30 }, () => [0, 1]),
      ...Array.from({ length: 13 }, () => [MISSING, 1]),
    ];
    const d = data(labels);
    const rows = Int32Array.from(labels.keys());
    const folds = foldOf(rows, d, 5, 1);
    const sizes = [0, 1, 2, 3, 4].map((k) => folds.filter((f) => f === k).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (let k = 0; k < 5; k++) {
      const of = (from: number, to: number) => Array.from(folds.subarray(from, to)).filter((f) => f === k).length;
      expect(of(0, 60)).toBe(12);
      expect(of(60, 90)).toBe(6);
    }
    expect(Array.from(foldOf(rows, d, 5, 1))).toEqual(Array.from(folds));
    expect(Array.from(foldOf(rows, d, 5, 2))).not.toEqual(Array.from(folds));
  });

  it('summarise as mean and sample sd over the folds where a metric is defined', () => {
    expect(meanSd([0.8, 0.9, null, 1])).toEqual({ mean: 0.9, sd: expect.closeTo(0.1, 10) as number, n: 3 });
    expect(meanSd([0.7])).toEqual({ mean: 0.7, sd: null, n: 1 });
    expect(meanSd([null])).toEqual({ mean: null, sd: null, n: 0 });
  });
});
