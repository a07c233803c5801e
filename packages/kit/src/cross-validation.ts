import { join } from 'node:path';
import { createRng, shuffleInPlace, type Split, type TaskMetrics, type VariantName, type VariantResult, writeJsonAtomic } from '@mtl/core';
import { positiveWeights } from './class-balance.js';
import type { ExperimentApp, ExperimentContext, ExperimentData } from './experiment.js';
import { applySplit, labelPatterns } from './experiment-splits.js';
import { resumableProgress } from './progress-file.js';
import { trainAppVariants } from './variant-training.js';
import { meanOverTasks } from './result-tables.js';
import type { CommonOptions } from './train-command.js';

export const CV_SCHEMA = 'masked-mtl-cv';
export const CV_VERSION = 1;

/** The metrics a CV summary reports, mean ± sd over folds. */
export const CV_METRICS = ['auc', 'averagePrecision', 'balancedAccuracy', 'accuracy'] as const;
export type CvMetric = (typeof CV_METRICS)[number];

/** One variant's scores on one held-out fold. */
export interface CvFoldResult {
  fold: number;
  variant: VariantResult['name'];
  trainRows: number[];
  tasks: TaskMetrics[];
}

/** Mean and sample standard deviation over the folds where the metric is defined (`n` of them). */
export interface MeanSd {
  mean: number | null;
  sd: number | null;
  n: number;
}

export interface CvSummaryRow {
  variant: VariantResult['name'];
  /** A task name, or `mean` for the mean over tasks within each fold. */
  task: string;
  metrics: Record<CvMetric, MeanSd>;
}

/** cv.json: rewritten after every fold, so --resume continues with the first unfinished one. */
export interface CvResults {
  schema: typeof CV_SCHEMA;
  version: typeof CV_VERSION;
  app: string;
  fingerprint: Record<string, unknown>;
  folds: number;
  /** Rows the folds are cut from: the training and dev rows; the test rows are left alone. */
  rows: number;
  /** The data rows (0-based, in the app's row order) of each fold, fold by fold: what a peer needs to score itself on the same folds. */
  heldOut: number[][];
  variants: Array<VariantResult['name']>;
  results: CvFoldResult[];
  summary: CvSummaryRow[];
  complete: boolean;
}

export interface CrossValidationInput<O extends CommonOptions> {
  app: ExperimentApp<O>;
  options: O;
  data: ExperimentData;
  /** The run's split: the folds are cut from its train and dev rows. */
  split: Split;
  context: ExperimentContext;
  fingerprint: Record<string, unknown>;
}

/**
 * K-fold cross-validation on the training data (train and dev rows; the test
 * rows stay unseen): folds stratified by the app's strata or each row's label
 * pattern, so every task's positives, negatives and missing labels spread over
 * the folds as evenly as the data allow. Each fold's model trains on the other
 * folds (with --missing-rate applied to them) and is scored on its own.
 */
export async function runCrossValidation<O extends CommonOptions>(input: CrossValidationInput<O>): Promise<CvResults> {
  const { app, options, data, context } = input;
  const k = options.cv ?? 0;
  const rows = Int32Array.from([...input.split.train, ...input.split.dev]).sort();
  const folds = foldOf(rows, data, k, options.seed);
  const builtIn: VariantName[] = options.compare ? ['masked', 'naive', 'complete-rows', 'single-task'] : ['masked'];
  const variants: Array<VariantResult['name']> = [...builtIn, ...(options.compare ? (app.baselineNames ?? []) : [])];
  const path = join(context.outDir, 'cv.json');
  const previous = options.resume
    ? resumableProgress<CvResults>({ path, schema: CV_SCHEMA, fingerprint: input.fingerprint, what: 'cross-validation' })
    : undefined;
  const cv: CvResults = {
    schema: CV_SCHEMA,
    version: CV_VERSION,
    app: app.name,
    fingerprint: input.fingerprint,
    folds: k,
    rows: rows.length,
    heldOut: Array.from({ length: k }, (_, fold) => Array.from(rows.filter((_, i) => folds[i] === fold))),
    variants,
    results: previous?.results ?? [],
    summary: [],
    complete: false,
  };
  const started = performance.now();
  let trainedHere = 0;
  for (let fold = 0; fold < k; fold++) {
    if (context.control.stopRequested) break;
    if (cv.results.some((r) => r.fold === fold)) continue;
    const seconds = (performance.now() - started) / 1000;
    context.onEvent({
      type: 'stage',
      name: 'cross-validation',
      done: fold,
      total: k,
      unit: 'folds',
      ...(trainedHere > 0 ? { rate: trainedHere / seconds } : {}),
    });
    const held = Int32Array.from(cv.heldOut[fold]!);
    const split: Split = { train: rows.filter((_, i) => folds[i] !== fold), dev: held, test: held };
    const splits = applySplit(data, split, options.missingRate, options.seed + fold);
    const weights = options.classWeights === 'none' ? null : positiveWeights(splits.train.y);
    context.onEvent({
      type: 'notice',
      level: 'info',
      message: `cross-validation: fold ${fold + 1}/${k} (${split.train.length} training rows, ${held.length} held out)`,
    });
    const results = await trainAppVariants({ app, options, data, splits, variants: builtIn, weights, context });
    if (options.compare && app.baselines) results.push(...(await app.baselines({ data, splits, options, context })));
    // A fold stopped half-way is not recorded: --resume trains it again.
    if (context.control.stopRequested) break;
    for (const r of results) cv.results.push({ fold, variant: r.name, trainRows: r.trainRows, tasks: r.tasks });
    trainedHere += 1;
    cv.summary = summarise(cv.results, variants, data.tasks);
    writeJsonAtomic(path, cv);
  }
  cv.results.sort((a, b) => a.fold - b.fold || variants.indexOf(a.variant) - variants.indexOf(b.variant));
  cv.summary = summarise(cv.results, variants, data.tasks);
  cv.complete = Array.from({ length: k }, (_, fold) => fold).every((fold) => cv.results.some((r) => r.fold === fold));
  writeJsonAtomic(path, cv);
  context.onEvent({ type: 'stage', name: 'cross-validation', done: new Set(cv.results.map((r) => r.fold)).size, total: k, unit: 'folds', finished: true });
  return cv;
}

/** Fold of each row: each stratum shuffled and dealt round-robin, the dealing carried on across strata so folds differ in size by at most one. */
export function foldOf(rows: Int32Array, data: ExperimentData, k: number, seed: number): Int32Array {
  const strata = data.strata ?? labelPatterns(data.y);
  const groups = new Map<string | number, number[]>();
  rows.forEach((row, i) => {
    const key = strata[row]!;
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  const rng = createRng(seed + 3);
  const folds = new Int32Array(rows.length);
  let next = 0;
  for (const key of [...groups.keys()].sort()) {
    const group = shuffleInPlace(groups.get(key)!, rng);
    for (const i of group) folds[i] = next++ % k;
  }
  return folds;
}

function summarise(results: readonly CvFoldResult[], variants: ReadonlyArray<VariantResult['name']>, tasks: readonly string[]): CvSummaryRow[] {
  return variants.flatMap((variant) => {
    const mine = results.filter((r) => r.variant === variant);
    if (mine.length === 0) return [];
    const perTask = tasks.map((task, t) => ({
      variant,
      task,
      metrics: Object.fromEntries(CV_METRICS.map((m) => [m, meanSd(mine.map((r) => r.tasks[t]![m]))])) as Record<CvMetric, MeanSd>,
    }));
    const mean = {
      variant,
      task: 'mean',
      metrics: Object.fromEntries(CV_METRICS.map((m) => [m, meanSd(mine.map((r) => meanOverTasks(r.tasks, m)))])) as Record<CvMetric, MeanSd>,
    };
    return [...perTask, mean];
  });
}

/** Mean and sample standard deviation of the values that are defined. */
export function meanSd(values: ReadonlyArray<number | null>): MeanSd {
  const defined = values.filter((v): v is number => v !== null);
  const n = defined.length;
  if (n === 0) return { mean: null, sd: null, n };
  const mean = defined.reduce((s, v) => s + v, 0) / n;
  const sd = n < 2 ? null : Math.sqrt(defined.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  return { mean, sd, n };
}
