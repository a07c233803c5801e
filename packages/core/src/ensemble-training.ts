import type * as tf from '@tensorflow/tfjs';
import type { CheckpointOptions } from './checkpoint.js';
import { averageModels } from './model-averaging.js';
import { type Dataset, type TrainOptions, type TrainResult, trainMultiTask } from './trainer.js';

/** Seeds of ensemble members lie this far apart; member 0 is the plain run's seed. */
export const MEMBER_SEED_STEP = 1000;

/** Seed of ensemble member `k` (0-based): member 0 trains exactly as a run without an ensemble. */
export function memberSeed(seed: number, k: number): number {
  return seed + k * MEMBER_SEED_STEP;
}

export interface EnsembleOptions {
  /** Models trained from different seeds (weights, batch order, dropout); 1 = a single model. */
  members: number;
  /** A fresh model of the same architecture, initialised from `seed`. */
  build: (seed: number) => tf.LayersModel;
  train: Dataset;
  training: TrainOptions;
  /** Each member's checkpoint, if any. */
  checkpointOf?: (k: number) => CheckpointOptions | undefined;
}

export interface EnsembleResult {
  /** One model that predicts the members' mean (the member itself for one). */
  model: tf.LayersModel;
  /** Each member's training, in order; fewer than `members` when stopped. */
  results: TrainResult[];
  /** Tasks untrained in any member. */
  untrainedTasks: string[];
}

/**
 * A seed ensemble: trains `members` models one after another and averages them
 * into one model (`averageModels`), as DeepTox did. A stop request ends it after
 * the member in training; the members trained so far are averaged.
 */
export async function trainEnsemble(options: EnsembleOptions): Promise<EnsembleResult> {
  const { members, training } = options;
  if (!Number.isInteger(members) || members < 1) throw new Error(`an ensemble needs a whole number of members, at least 1; got ${members}`);
  const seed = training.seed ?? 0;
  const models: tf.LayersModel[] = [];
  const results: TrainResult[] = [];
  try {
    for (let k = 0; k < members; k++) {
      if (k > 0 && training.control?.stopRequested) break;
      const model = options.build(memberSeed(seed, k));
      models.push(model);
      const checkpoint = options.checkpointOf?.(k);
      const label = members > 1 ? `${training.label ? `${training.label} ` : ''}member ${k + 1}/${members}` : training.label;
      results.push(
        await trainMultiTask(model, options.train, {
          ...training,
          seed: memberSeed(seed, k),
          ...(label ? { label } : {}),
          ...(checkpoint ? { checkpoint } : {}),
        }),
      );
    }
    const model = averageModels(models);
    if (models.length > 1) for (const m of models) m.dispose();
    return { model, results, untrainedTasks: [...new Set(results.flatMap((r) => r.untrainedTasks))] };
  } catch (error) {
    for (const m of models) m.dispose();
    throw error;
  }
}
