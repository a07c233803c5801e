import { createMatrix, MISSING } from '@mtl/core';
import { labelMatrix, positiveWeights, splitPeople, untrainedAxes } from './mbti-dataset.js';
import { typeFromProbabilities } from './personality-type.js';

const TYPES = Array.from({ length: 100 }, (_, i) => (i % 4 === 0 ? 'ENFP' : i % 4 === 1 ? 'INTJ' : i % 4 === 2 ? 'INFP' : 'ISTJ'));

describe('MBTI labels and splits', () => {
  it('labels 1 = I, N, T, J', () => {
    expect(Array.from(labelMatrix(['INTJ', 'ESFP']).data)).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(typeFromProbabilities([0.9, 0.2, 0.5, 0.49])).toBe('ISTP');
  });

  it('drops training labels only, keeps every type in every part, and is seeded', () => {
    const x = createMatrix(TYPES.length, 2);
    const a = splitPeople(x, TYPES, 7, 0.3);
    const b = splitPeople(x, TYPES, 7, 0.3);
    expect(Array.from(a.split.test)).toEqual(Array.from(b.split.test));
    expect(a.split.train.length + a.split.dev.length + a.split.test.length).toBe(100);
    expect(a.test.y.data.includes(MISSING)).toBe(false);
    expect(a.dev.y.data.includes(MISSING)).toBe(false);
    const dropped = a.train.y.data.filter((v) => v === MISSING).length;
    expect(dropped / a.train.y.data.length).toBeGreaterThan(0.2);
    expect(dropped / a.train.y.data.length).toBeLessThan(0.4);
    expect(new Set(Array.from(a.split.test, (i) => TYPES[i]))).toEqual(new Set(TYPES));
  });

  it('weights a positive label by negatives / positives among labelled entries', () => {
    // IE: 3 I, 1 E, 1 missing -> 1/3. NS: all N -> 1 (nothing to balance).
    const y = createMatrix(5, 4, Float32Array.from([1, 1, 0, MISSING, 1, 1, 0, MISSING, 1, 1, 1, MISSING, 0, 1, 0, MISSING, MISSING, 1, 1, MISSING]));
    const w = positiveWeights(y);
    expect(w[0]).toBeCloseTo(1 / 3);
    expect(w[1]).toBe(1);
    expect(w[2]).toBeCloseTo(3 / 2);
    expect(w[3]).toBe(1);
    expect(untrainedAxes(y)).toEqual(['JP']);
  });
});
