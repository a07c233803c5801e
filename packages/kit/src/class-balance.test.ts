import { createMatrix, MISSING } from '@mtl/core';
import { describe, expect, it } from 'vitest';
import { positiveWeights } from './class-balance.js';

describe('positiveWeights', () => {
  it('weights a positive label by negatives / positives among labelled entries', () => {
    // Task 0: 3 positives, 1 negative, 1 missing -> 1/3. Task 1: all positive -> 1 (nothing to balance). Task 3: no labels -> 1.
    const y = createMatrix(5, 4, Float32Array.from([1, 1, 0, MISSING, 1, 1, 0, MISSING, 1, 1, 1, MISSING, 0, 1, 0, MISSING, MISSING, 1, 1, MISSING]));
    const w = positiveWeights(y);
    expect(w[0]).toBeCloseTo(1 / 3);
    expect(w[1]).toBe(1);
    expect(w[2]).toBeCloseTo(3 / 2);
    expect(w[3]).toBe(1);
  });
});
