import { UserError } from '@mtl/core';
import { type ExperimentApp, positiveInteger, trainCommand } from '@mtl/kit';
import { decisionMapLines } from './decision-grid.js';
import { writeDecisionRegionsPng } from './toy-charts.js';
import { buildToyModel, HOLDOUT_ROWS, MIN_TRAINING_ROWS, toyData, toySplit } from './toy-experiment.js';

/** Default epochs: ~7 s of training on a 2-core machine with wasm (0.035 s/epoch end to end, bench/README.md), plus start-up; the classic post used 2000. */
export const DEFAULT_EPOCHS = 200;

/** `toy`'s flags: the kit's common ones and the number of points. */
export function toyCommand() {
  return trainCommand({
    name: 'toy',
    description: 'The 2-D multi-task experiment: 3 binary labels on [0,1]^2, some dropped, masked loss vs the alternatives.',
    // The classic experiment trains unweighted; its tasks are balanced anyway.
    defaults: { epochs: DEFAULT_EPOCHS, missingRate: 0.5, batchSize: 5000, learningRate: 0.001, classWeights: 'none', rowNoun: 'points' },
  }).option('--points <n>', `points generated (the last ${HOLDOUT_ROWS.toLocaleString('en')} are the test set)`, positiveInteger('--points'), 100_000);
}

export type ToyOptions = ReturnType<ReturnType<typeof toyCommand>['opts']>;

/** The toy on the kit: its data, its model and its decision-region panel and picture. */
export const toyApp: ExperimentApp<ToyOptions> = {
  name: 'toy',
  async load(options) {
    if (options.points <= HOLDOUT_ROWS + MIN_TRAINING_ROWS) {
      throw new UserError(`--points ${options.points}: need more than ${HOLDOUT_ROWS + MIN_TRAINING_ROWS} (the last ${HOLDOUT_ROWS} are the test set).`);
    }
    return toyData(options.points, options.seed);
  },
  buildModel: ({ heads, seed }) => buildToyModel(heads, seed),
  settings: (options) => ({ points: options.points }),
  split: toySplit,
  panel: { title: 'decision regions (# = 1)', every: 5, lines: (model, tasks) => decisionMapLines(model, tasks) },
  async charts({ model, outDir }) {
    await writeDecisionRegionsPng(model, `${outDir}/decision-regions.png`);
    return { decisionRegions: 'decision-regions.png' };
  },
};
