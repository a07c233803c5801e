import type * as tf from '@tensorflow/tfjs';
import type { MaskedLossOptions } from './masked-loss.js';
import { markUntrained, maskedMetrics, type TaskMetrics } from './masked-metrics.js';
import { column, createMatrix, type Matrix, MISSING, takeRows } from './matrix.js';
import { naiveBinaryCrossentropy } from './naive-loss.js';
import { predictProbabilities } from './predict.js';
import type { RunEventListener } from './run-events.js';
import { trainEnsemble } from './ensemble-training.js';
import type { Dataset, TrainOptions } from './trainer.js';

export const VARIANTS = {
  masked: 'masked loss: missing labels contribute nothing',
  naive: 'plain binary cross-entropy fed the -1 labels',
  'complete-rows': 'masked model trained only on rows with every label present',
  'single-task': "one model per task, each on the rows where its label is present (with that task's loss weights)",
} as const;
export type VariantName = keyof typeof VARIANTS;

export interface VariantResult {
  /** One of VARIANTS, or an app's own baseline (e.g. 'bow-linear'). */
  name: VariantName | (string & {});
  description: string;
  /** Rows each model of this variant was trained on (one entry per model). */
  trainRows: number[];
  /** Metrics on the test rows, per task. */
  tasks: TaskMetrics[];
  /** Epochs actually trained (less than asked for when stopped). */
  epochs: number;
}

export interface VariantsInput {
  taskNames: readonly string[];
  train: Dataset;
  dev?: Dataset;
  test: Dataset;
  /** Builds a fresh model with one sigmoid head per name (same architecture every time), initialised from `seed`. */
  buildModel: (heads: readonly string[], seed: number) => tf.LayersModel;
  /** Models per variant (and per single-task model), averaged: a seed ensemble. Default 1. */
  members?: number;
  /** Epochs, batch size, seed... shared by every variant. */
  training: Omit<TrainOptions, 'taskNames' | 'dev' | 'onEvent' | 'lossFunction'>;
  variants?: readonly VariantName[];
  onEvent?: RunEventListener;
}

/**
 * Trains the same architecture on the same data and seed in several ways and
 * scores each on the same test rows: the experiment that shows what masking buys.
 */
export async function trainVariants(input: VariantsInput): Promise<VariantResult[]> {
  const names = input.variants ?? (Object.keys(VARIANTS) as VariantName[]);
  const results: VariantResult[] = [];
  for (const [i, name] of names.entries()) {
    if (input.training.control?.stopRequested) break;
    input.onEvent?.({ type: 'notice', level: 'info', message: `variant ${i + 1}/${names.length}: ${name} (${VARIANTS[name]})` });
    results.push(name === 'single-task' ? await trainSingleTasks(input) : await trainJoint(input, name));
  }
  return results;
}

async function trainJoint(input: VariantsInput, name: Exclude<VariantName, 'single-task'>): Promise<VariantResult> {
  const train = name === 'complete-rows' ? completeRows(input.train) : input.train;
  if (train.x.rows === 0) {
    // With many labels missing no row may have them all: that is a finding of the comparison,
    // not a reason to abandon it. Every task of this variant is reported as untrained.
    input.onEvent?.({
      type: 'notice',
      level: 'warning',
      message: `${name}: no training row has every label present, so this variant has nothing to train on; reported as untrained`,
    });
    return { name, description: VARIANTS[name], trainRows: [0], tasks: untrainedMetrics(input.test.y, input.taskNames), epochs: 0 };
  }
  const { model, results, untrainedTasks } = await trainEnsemble({
    members: input.members ?? 1,
    build: (seed) => input.buildModel(input.taskNames, seed),
    train,
    training: {
      ...input.training,
      taskNames: input.taskNames,
      dev: input.dev,
      onEvent: input.onEvent,
      label: name,
      lossFunction: name === 'naive' ? naiveBinaryCrossentropy : undefined,
    },
  });
  try {
    const tasks = markUntrained(maskedMetrics(input.test.y, predictProbabilities(model, input.test.x), input.taskNames), untrainedTasks);
    return { name, description: VARIANTS[name], trainRows: [train.x.rows], tasks, epochs: results[0]?.history.length ?? 0 };
  } finally {
    model.dispose();
  }
}

async function trainSingleTasks(input: VariantsInput): Promise<VariantResult> {
  const tasks: TaskMetrics[] = [];
  const trainRows: number[] = [];
  let epochs = Infinity;
  for (const [col, task] of input.taskNames.entries()) {
    const train = labelledRowsOf(input.train, col);
    const testLabels = createMatrix(input.test.y.rows, 1, column(input.test.y, col));
    if (train.x.rows === 0) {
      // Nothing to learn from: report the task as untrained, not as the score of a random head.
      tasks.push(...untrainedMetrics(testLabels, [task]));
      trainRows.push(0);
      continue;
    }
    const dev = input.dev && labelledRowsOf(input.dev, col);
    const loss = input.training.loss && lossOptionsOfTask(input.training.loss, col);
    const { model, results, untrainedTasks } = await trainEnsemble({
      members: input.members ?? 1,
      build: (seed) => input.buildModel([task], seed),
      train,
      training: { ...input.training, loss, taskNames: [task], dev, onEvent: input.onEvent, label: `single-task ${task}` },
    });
    try {
      epochs = Math.min(epochs, results[0]?.history.length ?? 0);
      tasks.push(...markUntrained(maskedMetrics(testLabels, predictProbabilities(model, input.test.x), [task]), untrainedTasks));
      trainRows.push(train.x.rows);
    } finally {
      model.dispose();
    }
  }
  return { name: 'single-task', description: VARIANTS['single-task'], trainRows, tasks, epochs: Number.isFinite(epochs) ? epochs : 0 };
}

/** What a model that was never trained reports: the test rows' label counts, and no scores. */
function untrainedMetrics(testLabels: Matrix, taskNames: readonly string[]): TaskMetrics[] {
  return markUntrained(maskedMetrics(testLabels, createMatrix(testLabels.rows, testLabels.cols), taskNames), taskNames);
}

/** Per-task loss weights narrowed to one task, for its one-head model. */
function lossOptionsOfTask(loss: MaskedLossOptions, col: number): MaskedLossOptions {
  return {
    ...loss,
    taskWeights: loss.taskWeights && [loss.taskWeights[col]!],
    positiveWeights: loss.positiveWeights && [loss.positiveWeights[col]!],
  };
}

function completeRows(data: Dataset): Dataset {
  const keep: number[] = [];
  for (let r = 0; r < data.y.rows; r++) {
    if (!data.y.data.subarray(r * data.y.cols, (r + 1) * data.y.cols).includes(MISSING)) keep.push(r);
  }
  return { x: takeRows(data.x, keep), y: takeRows(data.y, keep) };
}

/** Rows where task `col` is labelled, with that one label column. */
function labelledRowsOf(data: Dataset, col: number): Dataset {
  const keep: number[] = [];
  for (let r = 0; r < data.y.rows; r++) if (data.y.data[r * data.y.cols + col] !== MISSING) keep.push(r);
  const y: Matrix = createMatrix(
    keep.length,
    1,
    Float32Array.from(keep, (r) => data.y.data[r * data.y.cols + col]!),
  );
  return { x: takeRows(data.x, keep), y };
}
