import { type Matrix, MISSING, createMatrix } from './matrix.js';
import type { Rng } from './rng.js';

export interface DroppedLabels {
  labels: Matrix;
  /** How many labels were dropped in each task (column). */
  dropped: number[];
}

/**
 * Drops each label independently with probability `rate` (one rate, or one per
 * task), seeded. Labels already missing stay missing and are not counted.
 */
export function dropLabels(labels: Matrix, rate: number | readonly number[], rng: Rng): DroppedLabels {
  const rates = typeof rate === 'number' ? new Array<number>(labels.cols).fill(rate) : [...rate];
  if (rates.length !== labels.cols) {
    throw new Error(`${rates.length} missing rates given for ${labels.cols} tasks`);
  }
  rates.forEach((r, i) => {
    if (!(r >= 0 && r < 1)) throw new Error(`missing rate ${r} for task ${i} is outside [0, 1)`);
  });
  const out = createMatrix(labels.rows, labels.cols, Float32Array.from(labels.data));
  const dropped = new Array<number>(labels.cols).fill(0);
  for (let i = 0; i < out.data.length; i++) {
    const col = i % labels.cols;
    const draw = rng.next(); // drawn for every entry so the stream does not depend on the labels
    if (out.data[i] !== MISSING && draw < rates[col]!) {
      out.data[i] = MISSING;
      dropped[col]! += 1;
    }
  }
  return { labels: out, dropped };
}
