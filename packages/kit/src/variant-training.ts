import { trainVariants, type VariantName, type VariantResult } from '@mtl/core';
import type { ExperimentApp, ExperimentContext, ExperimentData } from './experiment.js';
import type { ExperimentSplits } from './experiment-splits.js';
import type { CommonOptions } from './train-command.js';
import { trainingOptions } from './training-settings.js';

/**
 * Trains kit variants of an app's model on one split, the same way in --compare,
 * --sweep and every --cv fold: the app's architecture from each member's seed,
 * the run's training settings and ensemble size, scored on the split's test rows.
 */
export function trainAppVariants<O extends CommonOptions>(input: {
  app: ExperimentApp<O>;
  options: O;
  data: ExperimentData;
  splits: ExperimentSplits;
  variants: readonly VariantName[];
  weights: number[] | null;
  context: Pick<ExperimentContext, 'control' | 'onEvent'>;
}): Promise<VariantResult[]> {
  const { app, options, data, splits, context } = input;
  return trainVariants({
    taskNames: data.tasks,
    train: splits.train,
    dev: splits.dev,
    test: splits.test,
    buildModel: (heads, seed) => app.buildModel({ inputSize: data.x.cols, heads, seed, options }),
    members: options.ensemble,
    variants: input.variants,
    training: trainingOptions(options, context, input.weights),
    onEvent: context.onEvent,
  });
}
