import { createMatrix, type Matrix, predictProbabilities, type tf } from '@mtl/core';

/** A `size` x `size` grid of cell centres over [0,1]^2, row-major from x1 = 0 upward. */
export function gridPoints(width: number, height = width): Matrix {
  const m = createMatrix(width * height, 2);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const i = r * width + c;
      m.data[2 * i] = (c + 0.5) / width;
      m.data[2 * i + 1] = (r + 0.5) / height;
    }
  }
  return m;
}

/** The model's probabilities on a grid: rows = grid cells, cols = heads. */
export function predictGrid(model: tf.LayersModel, width: number, height = width): { points: Matrix; probs: Matrix } {
  const points = gridPoints(width, height);
  return { points, probs: predictProbabilities(model, points) };
}

/**
 * Each head's decision regions as characters: '#' where the head says 1, '.'
 * where it says 0; x1 grows upward like on the plot.
 */
export function decisionMapLines(model: tf.LayersModel, heads: readonly string[], width = 24, height = 10): string[] {
  const { probs } = predictGrid(model, width, height);
  const lines = [heads.map((h) => h.padEnd(width)).join('  ')];
  for (let r = height - 1; r >= 0; r--) {
    const row = heads.map((_, h) => {
      let s = '';
      for (let c = 0; c < width; c++) s += probs.data[(r * width + c) * heads.length + h]! >= 0.5 ? '#' : '.';
      return s;
    });
    lines.push(row.join('  '));
  }
  return lines;
}
