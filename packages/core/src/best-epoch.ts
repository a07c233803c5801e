import * as tf from '@tensorflow/tfjs';
import type { TaskMetrics } from './masked-metrics.js';
import { labelledCounts, positiveCounts, takeRows } from './matrix.js';
import { createRng, permutation } from './rng.js';
import type { Dataset } from './trainer.js';

/** What picks the best epoch: the mean ROC-AUC over tasks (higher is better) or the masked loss (lower is better), on the dev rows. */
export type BestEpochMetric = 'devAuc' | 'devLoss';

export interface BestEpochOptions {
  metric: BestEpochMetric;
  /**
   * Stop after this many epochs in a row without a better score. 0 or absent:
   * train every epoch, then restore the best one.
   */
  patience?: number;
  /**
   * Choose the epoch on this share (0 < h < 1) of the training rows, held out
   * from training by the run's seed, instead of on the dev rows. For runs whose
   * dev rows are the ones being scored (a cross-validation fold): choosing on
   * them would flatter the score.
   */
  holdout?: number;
}

/** The epoch whose weights the model ends with. */
export interface BestEpoch {
  epoch: number;
  metric: BestEpochMetric;
  /** Mean dev ROC-AUC (devAuc) or dev loss (devLoss) of that epoch. */
  score: number;
  /** Where the score was measured: the dev rows, or training rows held out for it. */
  selectedOn: 'dev' | 'holdout';
  /** Rows the score was measured on. */
  rows: number;
}

/** One weight of the model, copied to the host. */
export interface HostWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** What a checkpoint keeps so that a resumed run chooses the same epoch as an uninterrupted one. */
export interface BestEpochState {
  metric: BestEpochMetric;
  /** 0 while no epoch had a defined score. */
  epoch: number;
  score: number | null;
  /** Epochs since the best one (or since the start, while there is none): the patience counter. */
  epochsWithoutImprovement: number;
  /** The best epoch's weights, in `model.weights` order; empty while there is none. */
  weights: HostWeight[];
}

/** Mean dev ROC-AUC over the tasks where it is defined, or the dev loss; null when there is nothing to score. `ignore`: untrained tasks. */
export function epochScore(options: {
  metric: BestEpochMetric;
  devLoss: number | null;
  tasks: readonly TaskMetrics[];
  ignore?: readonly string[];
}): number | null {
  if (options.metric === 'devLoss') return options.devLoss !== null && Number.isFinite(options.devLoss) ? options.devLoss : null;
  const aucs = options.tasks.filter((t) => t.auc !== null && !options.ignore?.includes(t.name)).map((t) => t.auc!);
  return aucs.length === 0 ? null : aucs.reduce((s, v) => s + v, 0) / aucs.length;
}

/** Whether `score` beats `best` under `metric`; a tie keeps the earlier epoch. */
export function isBetter(metric: BestEpochMetric, score: number, best: number | null): boolean {
  if (best === null) return true;
  return metric === 'devLoss' ? score < best : score > best;
}

/** How a reporter names the metric: `dev mean AUC`, `held-out dev loss`. */
export function scoreLabel(metric: BestEpochMetric, selectedOn: BestEpoch['selectedOn']): string {
  return `${selectedOn === 'dev' ? 'dev' : 'held-out'} ${metric === 'devAuc' ? 'mean AUC' : 'loss'}`;
}

/**
 * Keeps the best epoch's weights on the host and counts the epochs since it.
 * Host copies, not tensors: nothing to dispose, and they go into checkpoints as they are.
 */
export class BestEpochTracker {
  private current: BestEpochState;

  constructor(private readonly options: { metric: BestEpochMetric; patience?: number; state?: BestEpochState }) {
    this.current = options.state ?? { metric: options.metric, epoch: 0, score: null, epochsWithoutImprovement: 0, weights: [] };
  }

  get state(): BestEpochState {
    return this.current;
  }

  /** True when `patience` epochs in a row brought nothing better. */
  get patienceRanOut(): boolean {
    const patience = this.options.patience ?? 0;
    return patience > 0 && this.current.epochsWithoutImprovement >= patience;
  }

  /** Records an epoch's score (null: undefined, counts as no improvement); copies the weights when it is the best so far. */
  observe(options: { epoch: number; score: number | null; model: tf.LayersModel }): boolean {
    const { epoch, score, model } = options;
    if (score === null || !isBetter(this.options.metric, score, this.current.score)) {
      this.current = { ...this.current, epochsWithoutImprovement: this.current.epochsWithoutImprovement + 1 };
      return false;
    }
    this.current = { metric: this.options.metric, epoch, score, epochsWithoutImprovement: 0, weights: hostWeights(model) };
    return true;
  }

  /** Sets the model's weights to the best epoch's; false when there is none. */
  restore(model: tf.LayersModel): boolean {
    const { weights } = this.current;
    if (weights.length === 0) return false;
    // setWeights assigns: the variables keep the storage, the tensors are ours to free.
    tf.tidy(() => model.setWeights(weights.map((w) => tf.tensor(w.values, w.shape))));
    return true;
  }
}

function hostWeights(model: tf.LayersModel): HostWeight[] {
  // dataSync may hand out the backend's own array (cpu): copy it.
  return model.weights.map((w) => ({ name: w.originalName, shape: [...w.shape] as number[], values: new Float32Array(w.read().dataSync()) }));
}

/** The rows an epoch is chosen on, and the rows that train. */
export interface SelectionPlan {
  train: Dataset;
  on?: { data: Dataset; kind: BestEpoch['selectedOn'] };
  /** Why there is nothing to choose on (the option is then a no-op), or what was held out. */
  notice?: { level: 'info' | 'warning'; message: string };
}

/** A fixed offset, so the held-out rows do not depend on (or shift) the batch order drawn from the same seed. */
const HOLDOUT_SEED_OFFSET = 7919;
const OFF = 'training every epoch and keeping the last';

/**
 * Decides where the best epoch is chosen: on the dev rows, or on `holdout` of
 * the training rows (seeded; the rest train). Without rows to choose on the
 * plan has no `on`, and its notice says why.
 */
export function planSelection(options: { train: Dataset; dev: Dataset | undefined; bestEpoch: BestEpochOptions; seed: number }): SelectionPlan {
  const { train, bestEpoch } = options;
  if (bestEpoch.holdout === undefined) {
    if (!options.dev || options.dev.x.rows === 0) return { train, notice: { level: 'warning', message: `best epoch: no dev rows to choose it on; ${OFF}` } };
    return { train, on: { data: options.dev, kind: 'dev' } };
  }
  const share = bestEpoch.holdout;
  if (!(share > 0 && share < 1)) throw new Error(`bestEpoch.holdout must be between 0 and 1 (exclusive), got ${share}`);
  const held = Math.round(train.x.rows * share);
  if (held < 1 || held >= train.x.rows) {
    return {
      train,
      notice: { level: 'warning', message: `best epoch: ${train.x.rows} training rows are too few to hold out ${percent(share)} to choose it on; ${OFF}` },
    };
  }
  const order = permutation(train.x.rows, createRng(options.seed + HOLDOUT_SEED_OFFSET));
  const heldRows = order.slice(0, held).sort();
  const trainRows = order.slice(held).sort();
  return {
    train: { x: takeRows(train.x, trainRows), y: takeRows(train.y, trainRows) },
    on: { data: { x: takeRows(train.x, heldRows), y: takeRows(train.y, heldRows) }, kind: 'holdout' },
    notice: {
      level: 'info',
      message: `best epoch: chosen on ${held} training rows held out (${percent(share)}), not on the dev rows; the other ${train.x.rows - held} train`,
    },
  };
}

/**
 * Falls back to training on every row of `train` without choosing when no
 * epoch could get a score on the plan's rows (labels do not change between
 * epochs): no label at all, or, for ROC-AUC, no trained task with both
 * classes. `ignore(task)`: tasks reported untrained.
 */
export function checkScorable(options: { plan: SelectionPlan; train: Dataset; metric: BestEpochMetric; ignore: (task: number) => boolean }): SelectionPlan {
  const { plan, metric, ignore } = options;
  if (!plan.on) return plan;
  const { data, kind } = plan.on;
  const labelled = labelledCounts(data.y);
  const positives = positiveCounts(data.y);
  const why =
    metric === 'devLoss'
      ? labelled.some((n) => n > 0)
        ? undefined
        : 'no label'
      : labelled.some((n, i) => !ignore(i) && positives[i]! > 0 && positives[i]! < n)
        ? undefined
        : 'no trained task has both classes (ROC-AUC undefined)';
  if (!why) return plan;
  return {
    train: options.train,
    notice: { level: 'warning', message: `best epoch: ${why} among the ${data.x.rows} ${kind === 'dev' ? 'dev' : 'held-out'} rows; ${OFF}` },
  };
}

function percent(share: number): string {
  return `${Number((share * 100).toFixed(1))} %`;
}
