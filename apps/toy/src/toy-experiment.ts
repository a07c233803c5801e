import { buildMultiHeadModel, createRng, type Dataset, dropLabels, splitIndices, takeRows, type tf } from '@mtl/core';
import { generateToyData, TOY_TASKS } from './toy-data.js';

/** Rows at the end of the data held out for the final test, as in the classic experiment. */
export const HOLDOUT_ROWS = 3000;

export interface ToySplits {
  train: Dataset;
  dev: Dataset;
  test: Dataset;
  /** Labels dropped per task in the training rows. */
  dropped: number[];
}

/**
 * The classic set-up: the last 3,000 points are the test set; the rest is split
 * 90 % train / 10 % dev; only training labels are dropped.
 */
export function prepareToySplits(points: number, missingRate: number | readonly number[], seed: number): ToySplits {
  if (points <= HOLDOUT_ROWS + 10) throw new Error(`need more than ${HOLDOUT_ROWS + 10} points, got ${points}`);
  const all = generateToyData(points, seed);
  const head = points - HOLDOUT_ROWS;
  const split = splitIndices(head, { train: 0.9, dev: 0.1, test: 0 }, createRng(seed + 1));
  const testRows = Int32Array.from({ length: HOLDOUT_ROWS }, (_, i) => head + i);
  const trainY = takeRows(all.y, split.train);
  const { labels, dropped } = dropLabels(trainY, missingRate, createRng(seed + 2));
  return {
    train: { x: takeRows(all.x, split.train), y: labels },
    dev: { x: takeRows(all.x, split.dev), y: takeRows(all.y, split.dev) },
    test: { x: takeRows(all.x, testRows), y: takeRows(all.y, testRows) },
    dropped,
  };
}

/** MLP 2-10-40-30-(one sigmoid per head), relu. */
export function buildToyModel(heads: readonly string[] = TOY_TASKS, seed = 0): tf.LayersModel {
  return buildMultiHeadModel({
    inputSize: 2,
    trunk: [{ units: 10 }, { units: 40 }, { units: 30 }],
    heads: heads.map((name) => ({ name })),
    seed,
  });
}
