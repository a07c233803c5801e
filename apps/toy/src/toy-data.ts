import { createMatrix, createRng, type Matrix } from '@mtl/core';

export const TOY_TASKS = ['y0', 'y1', 'y2'] as const;

/** The true rule of each task; also draws the true boundary on the plots. */
export const TOY_RULES: Record<(typeof TOY_TASKS)[number], { rule: string; label: (x0: number, x1: number) => boolean }> = {
  y0: { rule: 'x1 <= 0.5', label: (_x0, x1) => x1 <= 0.5 },
  y1: { rule: 'x0 >= 0.5', label: (x0) => x0 >= 0.5 },
  y2: { rule: 'x0 + x1 > 1', label: (x0, x1) => x0 + x1 > 1 },
};

export interface ToyData {
  x: Matrix;
  y: Matrix;
}

/** `points` seeded uniform points in [0,1]^2 with all three labels. */
export function generateToyData(points: number, seed: number): ToyData {
  const rng = createRng(seed);
  const x = createMatrix(points, 2);
  const y = createMatrix(points, TOY_TASKS.length);
  for (let i = 0; i < points; i++) {
    const x0 = rng.next();
    const x1 = rng.next();
    x.data[2 * i] = x0;
    x.data[2 * i + 1] = x1;
    TOY_TASKS.forEach((task, t) => {
      y.data[i * TOY_TASKS.length + t] = TOY_RULES[task].label(x0, x1) ? 1 : 0;
    });
  }
  return { x, y };
}
