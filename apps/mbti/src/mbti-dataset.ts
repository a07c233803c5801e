import { createMatrix, type Matrix } from '@mtl/core';
import { AXES, axisLabels } from './personality-type.js';

/** people x 4 labels, 1 = I, N, T, J. */
export function labelMatrix(types: readonly string[]): Matrix {
  const y = createMatrix(types.length, AXES.length);
  types.forEach((type, row) => y.data.set(axisLabels(type), row * AXES.length));
  return y;
}
