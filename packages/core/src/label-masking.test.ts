import { describe, expect, it } from 'vitest';
import { dropLabels } from './label-masking.js';
import { createMatrix, labelledCounts, MISSING } from './matrix.js';
import { createRng } from './rng.js';
import { splitIndices } from './splits.js';

function ones(rows: number, cols: number) {
  return createMatrix(rows, cols, new Float32Array(rows * cols).fill(1));
}

describe('dropLabels', () => {
  it('drops about the rate, reports counts that match, and is seeded', () => {
    const labels = ones(10_000, 3);
    const a = dropLabels(labels, 0.5, createRng(7));
    const b = dropLabels(labels, 0.5, createRng(7));
    expect(Array.from(a.labels.data)).toEqual(Array.from(b.labels.data));
    const counts = labelledCounts(a.labels);
    a.dropped.forEach((d, col) => {
      expect(d + counts[col]!).toBe(10_000);
      expect(d / 10_000).toBeGreaterThan(0.47);
      expect(d / 10_000).toBeLessThan(0.53);
    });
    expect(labels.data.every((v) => v === 1)).toBe(true); // input untouched
  });

  it('takes one rate per task', () => {
    const { dropped } = dropLabels(ones(5000, 3), [0, 0.2, 0.9], createRng(1));
    expect(dropped[0]).toBe(0);
    expect(dropped[1]! / 5000).toBeCloseTo(0.2, 1);
    expect(dropped[2]! / 5000).toBeCloseTo(0.9, 1);
  });

  it('does not count labels that were already missing', () => {
    const labels = createMatrix(2, 1, Float32Array.from([MISSING, 1]));
    const { dropped, labels: out } = dropLabels(labels, 0.999, createRng(3));
    expect(out.data[0]).toBe(MISSING);
    expect(dropped[0]).toBeLessThanOrEqual(1);
  });

  it('rejects rates outside [0, 1)', () => {
    expect(() => dropLabels(ones(2, 2), 1, createRng(1))).toThrow(/outside \[0, 1\)/);
    expect(() => dropLabels(ones(2, 2), [0.1], createRng(1))).toThrow(/1 missing rates given for 2 tasks/);
  });
});

describe('splitIndices', () => {
  it('partitions every index once, in the given proportions, seeded', () => {
    const s = splitIndices(1000, { train: 0.8, dev: 0.1, test: 0.1 }, createRng(5));
    const all = [...s.train, ...s.dev, ...s.test].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([s.train.length, s.dev.length, s.test.length]).toEqual([800, 100, 100]);
    expect(Array.from(splitIndices(1000, { train: 0.8, dev: 0.1, test: 0.1 }, createRng(5)).test)).toEqual(Array.from(s.test));
    expect(Array.from(splitIndices(1000, { train: 0.8, dev: 0.1, test: 0.1 }, createRng(6)).test)).not.toEqual(Array.from(s.test));
  });

  it('keeps class proportions in every part when stratified', () => {
    const strata = Array.from({ length: 1000 }, (_, i) => (i < 100 ? 'rare' : 'common'));
    const s = splitIndices(1000, { train: 0.6, dev: 0.2, test: 0.2 }, createRng(2), strata);
    for (const part of [s.train, s.dev, s.test]) {
      const rare = Array.from(part).filter((i) => i < 100).length;
      expect(rare / part.length).toBeCloseTo(0.1, 2);
    }
  });

  it('rejects fractions that do not sum to 1', () => {
    expect(() => splitIndices(10, { train: 0.5, dev: 0.1, test: 0.1 }, createRng(1))).toThrow(/sum to 1/);
  });
});
