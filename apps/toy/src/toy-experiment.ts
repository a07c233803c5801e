import { buildMultiHeadModel, createRng, type Split, splitIndices, type tf } from '@mtl/core';
import { applySplit, type ExperimentData, type ExperimentSplits } from '@mtl/kit';
import { generateToyData, TOY_TASKS } from './toy-data.js';

/** Rows at the end of the data held out for the final test, as in the classic experiment. */
export const HOLDOUT_ROWS = 3000;
/** Fewest training and dev rows worth a run. */
export const MIN_TRAINING_ROWS = 100;

/** The toy data as the kit takes it: `points` seeded points with all three labels. */
export function toyData(points: number, seed: number): ExperimentData {
  const { x, y } = generateToyData(points, seed);
  return { x, y, tasks: TOY_TASKS, fingerprint: { generator: 'toy-v1', points } };
}

/** The classic set-up: the last 3,000 points are the test set; the rest is split 90 % train / 10 % dev. */
export function toySplit(data: ExperimentData, seed: number): Split {
  const head = data.x.rows - HOLDOUT_ROWS;
  const split = splitIndices(head, { train: 0.9, dev: 0.1, test: 0 }, createRng(seed + 1));
  return { ...split, test: Int32Array.from({ length: HOLDOUT_ROWS }, (_, i) => head + i) };
}

/** Data, split and dropped training labels in one call (tests and the bench). */
export function prepareToySplits(points: number, missingRate: number | readonly number[], seed: number): ExperimentSplits {
  const data = toyData(points, seed);
  return applySplit(data, toySplit(data, seed), missingRate, seed);
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
