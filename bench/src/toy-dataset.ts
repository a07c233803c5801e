import { writeFileSync } from 'node:fs';
import type { Dataset } from '@mtl/core';
import { prepareToySplits } from 'toy';

/** The classic set-up: 100,000 points, half the labels dropped: 87,300 training rows. */
export const TOY_POINTS = 100_000;
export const TOY_MISSING_RATE = 0.5;
export const TOY_BATCH = 5000;

export function toyTrainingSet(): Dataset {
  return prepareToySplits(TOY_POINTS, TOY_MISSING_RATE, 0).train;
}

/** Writes x then y as raw float32 for the PyTorch peer; returns the row count. */
export function writeToyTrainingFile(path: string): number {
  const { x, y } = toyTrainingSet();
  const bytes = new Float32Array(x.data.length + y.data.length);
  bytes.set(x.data, 0);
  bytes.set(y.data, x.data.length);
  writeFileSync(path, new Uint8Array(bytes.buffer));
  return x.rows;
}
