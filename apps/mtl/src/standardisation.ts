import { createMatrix, type Matrix } from '@mtl/core';
import type { Standardisation } from './feature-recipe.js';

/**
 * Means and sample standard deviations of `columns` over `rows`, ignoring
 * missing (NaN) values. A column that is constant (or all missing) in
 * training gets sd 1, so it maps to 0 rather than to a division by zero.
 * `clip` (> 0) is kept with them: applying clips each value to ±clip sd.
 */
export function fitStandardisation(x: Matrix, rows: ArrayLike<number>, columns: readonly number[], clip = 0): Standardisation {
  const mean: number[] = [];
  const sd: number[] = [];
  for (const c of columns) {
    let n = 0;
    let sum = 0;
    for (let i = 0; i < rows.length; i++) {
      const v = x.data[rows[i]! * x.cols + c]!;
      if (Number.isNaN(v)) continue;
      n++;
      sum += v;
    }
    const m = n > 0 ? sum / n : 0;
    let squares = 0;
    for (let i = 0; i < rows.length; i++) {
      const v = x.data[rows[i]! * x.cols + c]!;
      if (!Number.isNaN(v)) squares += (v - m) ** 2;
    }
    const s = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
    mean.push(m);
    sd.push(s > 1e-12 ? s : 1);
  }
  return { columns: [...columns], mean, sd, ...(clip > 0 ? { clip } : {}) };
}

/**
 * A copy of `x` with the standardised columns as (value - mean) / sd, clipped
 * to ±clip when the standardisation has one; a missing value becomes 0, the
 * training mean.
 */
export function applyStandardisation(x: Matrix, standardisation: Standardisation): Matrix {
  const out = createMatrix(x.rows, x.cols, Float32Array.from(x.data));
  const { columns, mean, sd } = standardisation;
  const clip = standardisation.clip ?? Number.POSITIVE_INFINITY;
  for (let r = 0; r < x.rows; r++) {
    const row = r * x.cols;
    columns.forEach((c, k) => {
      const v = out.data[row + c]!;
      out.data[row + c] = Number.isNaN(v) ? 0 : Math.min(clip, Math.max(-clip, (v - mean[k]!) / sd[k]!));
    });
  }
  return out;
}
