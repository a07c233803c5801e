import { createMatrix, matrixFromRows } from '@mtl/core';
import { applyStandardisation, fitStandardisation } from './standardisation.js';

describe('fitStandardisation', () => {
  // Column 0: 1, 2, 3, (100 on a row that is not a training row); column 1: constant; column 2: 4, NaN, 8.
  const x = matrixFromRows([
    [1, 5, 4],
    [2, 5, Number.NaN],
    [3, 5, 8],
    [100, 7, 0],
  ]);

  it('learns means and sample standard deviations on the training rows only', () => {
    const s = fitStandardisation(x, [0, 1, 2], [0]);
    expect(s.columns).toEqual([0]);
    expect(s.mean[0]).toBeCloseTo(2, 12);
    expect(s.sd[0]).toBeCloseTo(1, 12); // sqrt(((1-2)² + 0 + (3-2)²) / 2)
  });

  it('ignores missing (NaN) values in both mean and sd', () => {
    const s = fitStandardisation(x, [0, 1, 2], [2]);
    expect(s.mean[0]).toBeCloseTo(6, 12);
    expect(s.sd[0]).toBeCloseTo(Math.sqrt(8), 6); // ((4-6)² + (8-6)²) / (2-1)
  });

  it('gives a constant column, a single value and an all-missing column sd 1 (no division by zero)', () => {
    expect(fitStandardisation(x, [0, 1, 2], [1])).toEqual({ columns: [1], mean: [5], sd: [1] });
    expect(fitStandardisation(x, [3], [0])).toEqual({ columns: [0], mean: [100], sd: [1] });
    const missing = matrixFromRows([[Number.NaN], [Number.NaN]]);
    expect(fitStandardisation(missing, [0, 1], [0])).toEqual({ columns: [0], mean: [0], sd: [1] });
  });

  it('takes the rows in any order and with repeats (a bootstrap), as given', () => {
    const s = fitStandardisation(x, [2, 0, 0], [0]);
    expect(s.mean[0]).toBeCloseTo(5 / 3, 6);
  });
});

describe('applyStandardisation', () => {
  it('maps the listed columns to (value - mean) / sd, a missing value to 0, and leaves the others as they are', () => {
    const x = matrixFromRows([
      [1, 10, Number.NaN],
      [3, 20, 4],
    ]);
    const out = applyStandardisation(x, { columns: [0, 2], mean: [2, 6], sd: [1, 2] });
    expect(Array.from(out.data)).toEqual([-1, 10, 0, 1, 20, -1]);
  });

  it('clips standardised values to ±clip when fitted with one, and keeps the limit with the statistics', () => {
    // Ten 0s and one 100: the outlier is 3 sd out; clipped at 2 it stays 2 sd out.
    const x = createMatrix(11, 1, Float32Array.from([...Array<number>(10).fill(0), 100]));
    const rows = Array.from({ length: 11 }, (_, i) => i);
    const clipped = fitStandardisation(x, rows, [0], 2);
    expect(clipped.clip).toBe(2);
    expect(applyStandardisation(x, clipped).data[10]).toBeCloseTo(2, 6);
    const free = fitStandardisation(x, rows, [0]);
    expect(free).not.toHaveProperty('clip');
    expect(applyStandardisation(x, free).data[10]).toBeCloseTo(100 / free.sd[0]! - free.mean[0]! / free.sd[0]!, 5);
    expect(applyStandardisation(x, free).data[10]).toBeGreaterThan(3);
  });

  it('returns a copy: the raw features stay raw for the next fold', () => {
    const x = createMatrix(1, 1, Float32Array.of(5));
    const out = applyStandardisation(x, { columns: [0], mean: [1], sd: [2] });
    expect(out.data[0]).toBe(2);
    expect(x.data[0]).toBe(5);
    expect(out.data).not.toBe(x.data);
  });

  it('with no standardised columns is the identity (SMILES bits stay 0/1)', () => {
    const x = matrixFromRows([[0, 1, 1]]);
    expect(Array.from(applyStandardisation(x, { columns: [], mean: [], sd: [] }).data)).toEqual([0, 1, 1]);
  });

  it('standardises training rows to mean 0 and sd 1', () => {
    const x = matrixFromRows([[2], [4], [9], [13]]);
    const s = fitStandardisation(x, [0, 1, 2, 3], [0]);
    const z = Array.from(applyStandardisation(x, s).data);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / (z.length - 1));
    expect(mean).toBeCloseTo(0, 6);
    expect(sd).toBeCloseTo(1, 6);
  });
});
