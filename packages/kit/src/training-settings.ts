import type { TrainingControl } from '@mtl/core';
import type { CommonOptions } from './train-command.js';

/** Training settings shared by the main model, the --compare variants and every model of a sweep. */
export function trainingOptions(options: CommonOptions, context: { control: TrainingControl }, weights: number[] | null) {
  return {
    epochs: options.epochs,
    minLabelsPerClass: options.minClassLabels,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    seed: options.seed,
    control: context.control,
    ...(weights ? { loss: { positiveWeights: weights } } : {}),
  };
}
