import type { BestEpochOptions, TrainingControl } from '@mtl/core';
import type { CommonOptions } from './train-command.js';

/**
 * Share of a cross-validation fold's training rows held out to choose the best
 * epoch on: the fold's own held-out rows are what it is scored on, and choosing
 * the epoch on them would flatter the estimate.
 */
export const CV_SELECTION_HOLDOUT = 0.15;

/** Training settings shared by the main model, the --compare variants and every model of a sweep or a --cv fold. */
export function trainingOptions(options: CommonOptions, context: { control: TrainingControl }, weights: number[] | null) {
  const bestEpoch = bestEpochOptions(options);
  return {
    epochs: options.epochs,
    minLabelsPerClass: options.minClassLabels,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    seed: options.seed,
    control: context.control,
    ...(weights ? { loss: { positiveWeights: weights } } : {}),
    ...(bestEpoch ? { bestEpoch } : {}),
  };
}

/**
 * The trainer's best-epoch selection from --best-epoch and --patience, or
 * undefined when off. With --cv every training is a fold's (--cv trains no
 * final model), so the epoch is chosen on rows held out of the fold's training rows.
 */
export function bestEpochOptions(options: Pick<CommonOptions, 'bestEpoch' | 'patience' | 'cv'>): BestEpochOptions | undefined {
  if (options.bestEpoch === 'off') return undefined;
  return {
    metric: options.bestEpoch === 'auc' ? 'devAuc' : 'devLoss',
    patience: options.patience,
    ...(options.cv ? { holdout: CV_SELECTION_HOLDOUT } : {}),
  };
}
