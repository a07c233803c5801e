import { createMatrix, MISSING } from '@mtl/core';
import { describe, expect, it } from 'vitest';
import type { ExperimentData } from './experiment.js';
import { applySplit, defaultSplit, labelPatterns } from './experiment-splits.js';

const TYPES = Array.from({ length: 100 }, (_, i) => ['ENFP', 'INTJ', 'INFP', 'ISTJ'][i % 4]!);
const labels = (type: string) => [type[0] === 'I' ? 1 : 0, type[1] === 'N' ? 1 : 0, type[2] === 'T' ? 1 : 0, type[3] === 'J' ? 1 : 0];

function data(strata?: string[]): ExperimentData {
  return {
    x: createMatrix(TYPES.length, 2, Float32Array.from(TYPES.flatMap((_, i) => [i, -i]))),
    y: createMatrix(TYPES.length, 4, Float32Array.from(TYPES.flatMap(labels))),
    tasks: ['IE', 'NS', 'TF', 'JP'],
    fingerprint: {},
    ...(strata ? { strata } : {}),
  };
}

describe('experiment splits', () => {
  it('drops training labels only, keeps every stratum in every part, and is seeded', () => {
    const d = data(TYPES);
    const a = applySplit(d, defaultSplit(d, 7), 0.3, 7);
    const b = applySplit(d, defaultSplit(d, 7), 0.3, 7);
    expect(Array.from(a.split.test)).toEqual(Array.from(b.split.test));
    expect(a.split.train.length + a.split.dev.length + a.split.test.length).toBe(100);
    expect(a.test.y.data.includes(MISSING)).toBe(false);
    expect(a.dev.y.data.includes(MISSING)).toBe(false);
    const dropped = a.train.y.data.filter((v) => v === MISSING).length;
    expect(dropped / a.train.y.data.length).toBeGreaterThan(0.2);
    expect(dropped / a.train.y.data.length).toBeLessThan(0.4);
    expect(a.dropped.reduce((s, n) => s + n, 0)).toBe(dropped);
    expect(new Set(Array.from(a.split.test, (i) => TYPES[i]))).toEqual(new Set(TYPES));
    // Rows keep their features: row i has x = (i, -i).
    const i = a.split.test[0]!;
    expect(Array.from(a.test.x.data.subarray(0, 2))).toEqual([i, -i]);
  });

  it('on one split and seed, a higher missing rate drops a superset of the labels a lower one drops', () => {
    const d = data();
    const split = defaultSplit(d, 3);
    const low = applySplit(d, split, 0.3, 3).train.y.data;
    const high = applySplit(d, split, 0.8, 3).train.y.data;
    low.forEach((v, k) => {
      if (v === MISSING) expect(high[k]).toBe(MISSING);
    });
    expect(high.filter((v) => v === MISSING).length).toBeGreaterThan(low.filter((v) => v === MISSING).length);
  });

  it('stratifies by label pattern by default, pooling patterns too rare to split', () => {
    const y = createMatrix(
      45,
      2,
      Float32Array.from([...Array.from({ length: 40 }, () => [1, 0]).flat(), ...Array.from({ length: 5 }, () => [0, MISSING]).flat()]),
    );
    const patterns = labelPatterns(y);
    expect(patterns.slice(0, 40).every((p) => p === '10')).toBe(true);
    expect(patterns.slice(40).every((p) => p === '*')).toBe(true);
  });
});
