import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  type ActiveBackend,
  labelledCounts,
  loadBackend,
  markUntrained,
  maskedMetrics,
  predictProbabilities,
  saveModel,
  type TaskMetrics,
  type tf,
  trainEnsemble,
  UserError,
  type TrainResult,
  VARIANTS,
  type VariantResult,
  writeJsonAtomic,
} from '@mtl/core';
import { positiveWeights } from './class-balance.js';
import type { ExperimentApp, ExperimentContext, ExperimentData } from './experiment.js';
import { applySplit, defaultSplit, type ExperimentSplits } from './experiment-splits.js';
import { checkMissingRates } from './flag-values.js';
import { prepareOutputDir } from './output-dir.js';
import { type CommonSettings, type ExperimentResults, RESULTS_SCHEMA, RESULTS_VERSION } from './results-schema.js';
import { writeComparisonPng, writeCvPng, writeLearningCurvesPng, writeTaskMetricsPng } from './standard-charts.js';
import { runCrossValidation } from './cross-validation.js';
import { runSweep } from './sweep.js';
import type { CommonOptions } from './train-command.js';
import { bestEpochOptions, trainingOptions } from './training-settings.js';
import { trainAppVariants } from './variant-training.js';

/** Everything the run needs that is not a flag. */
export type RunContext = Omit<ExperimentContext, 'outDir'>;

/** The variants --compare adds to the masked model (which is the main run itself). */
const COMPARED = ['naive', 'complete-rows', 'single-task'] as const;

/**
 * The whole `train` command of an app: output directory, backend, data, split,
 * label dropping, training with checkpoints (and --resume), test metrics, the
 * saved model, charts, --compare or --sweep, and results.json.
 */
export async function runExperiment<O extends CommonOptions>(app: ExperimentApp<O>, options: O, context: RunContext): Promise<ExperimentResults> {
  if (options.cv && options.sweep) throw new UserError('--cv and --sweep: choose one (a sweep already scores every variant at each rate on one split).');
  const outDir = prepareOutputDir(options.out);
  const backend = await loadBackend({ request: options.backend, ...(options.backend ? { requestedBy: `--backend ${options.backend}` } : {}) });
  const appContext: ExperimentContext = { ...context, outDir };
  const data = await app.load(options, appContext);
  checkMissingRates('--missing-rate', options.missingRate, data.tasks);
  const split = app.split?.(data, options.seed) ?? defaultSplit(data, options.seed);
  const splits = applySplit(data, split, options.missingRate, options.seed);
  const weights = options.classWeights === 'none' ? null : positiveWeights(splits.train.y);
  announceRun(app, options, data, splits, backend, outDir, weights, appContext);
  const base = baseResults(app, options, data, splits, backend, weights);
  const writeResults = (results: ExperimentResults): ExperimentResults => {
    // With the results, never before (a failed run writes nothing): the rows of each part (0-based, in the
    // order the app's data lists them), so a peer in another tool can train and test on the same rows.
    writeJsonAtomic(join(outDir, 'split.json'), { train: Array.from(split.train), dev: Array.from(split.dev), test: Array.from(split.test) });
    const written = { ...results, files: { ...results.files, split: 'split.json' } };
    writeJsonAtomic(join(outDir, 'results.json'), written);
    return written;
  };

  if (options.cv) {
    const cv = await runCrossValidation({
      app,
      options,
      data,
      split,
      context: appContext,
      fingerprint: { ...fingerprint(app, options, data), cv: options.cv, compare: options.compare },
    });
    const files: Record<string, string> = { cv: 'cv.json', results: 'results.json' };
    if (cv.results.length > 0) {
      await writeCvPng(cv, join(outDir, 'cv.png'), `${app.name}: ${cv.folds}-fold cross-validation on ${cv.rows} rows (mean ± sd over folds)`);
      files['cvChart'] = 'cv.png';
    }
    const stopped = cv.complete ? null : { epoch: 0, reason: context.control.stopReason ?? 'stop requested' };
    const results: ExperimentResults = { ...base, cv: 'cv.json', files, stopped };
    return writeResults(results);
  }

  if (options.sweep) {
    const sweep = await runSweep({
      app,
      options,
      data,
      splits: { split, seed: options.seed },
      context: appContext,
      fingerprint: fingerprint(app, options, data),
    });
    const results: ExperimentResults = { ...base, sweep: sweep.file, files: sweep.files, stopped: sweep.stopped };
    return writeResults(results);
  }

  const training = trainingOptions(options, context, weights);
  const build = (seed: number) => app.buildModel({ inputSize: data.x.cols, heads: data.tasks, seed, options });
  const shape = build(options.seed);
  const checkpointFingerprint = { ...fingerprint(app, options, data), model: architecture(shape) };
  shape.dispose();
  let result: TrainResult;
  let tasks: TaskMetrics[];
  const files: Record<string, string> = {};
  const ensemble = await trainEnsemble({
    members: options.ensemble,
    build,
    train: splits.train,
    training: {
      ...training,
      taskNames: data.tasks,
      dev: splits.dev,
      onEvent: context.onEvent,
      ...(app.panel ? { afterEpoch: panelEvery(app.panel, data.tasks, options.epochs, context) } : {}),
    },
    checkpointOf: (k) => {
      // Member 1 keeps the plain run's file; a member that had not started when a run stopped starts afresh on --resume.
      const path = join(outDir, k === 0 ? 'checkpoint.json' : `checkpoint-${k + 1}.json`);
      return { path, fingerprint: { ...checkpointFingerprint, member: k }, resume: options.resume && (k === 0 || existsSync(path)) };
    },
  });
  const model = ensemble.model;
  try {
    result = { ...ensemble.results[0]!, untrainedTasks: ensemble.untrainedTasks };
    if (ensemble.results.some((r) => r.stopped) && !result.stopped) result.stopped = ensemble.results.find((r) => r.stopped)!.stopped!;
    tasks = markUntrained(maskedMetrics(splits.test.y, predictProbabilities(model, splits.test.x), data.tasks), result.untrainedTasks);
    await saveModel(join(outDir, 'model'), model, {
      app: app.name,
      taskNames: data.tasks,
      settings: {
        ...app.modelSettings?.(data, options),
        ...(data.recipe ? { recipe: data.recipe } : {}),
        ...(splits.featureRecipe ? { fitted: splits.featureRecipe } : {}),
        ...app.settings?.(options),
        seed: options.seed,
        missingRate: options.missingRate,
        epochs: result.history.length,
        // A head that never learnt (too few labels) must not be read as a prediction by whoever loads the model.
        untrainedTasks: result.untrainedTasks,
        ...(result.bestEpoch ? { bestEpoch: result.bestEpoch.epoch } : {}),
        ...(ensemble.results.length > 1
          ? { ensemble: ensemble.results.map((r) => ({ epochs: r.history.length, bestEpoch: r.bestEpoch?.epoch ?? null })) }
          : {}),
      },
    });
    files['model'] = 'model/';
    files['checkpoint'] = 'checkpoint.json';
    for (let k = 1; k < ensemble.results.length; k++) files[`checkpoint${k + 1}`] = `checkpoint-${k + 1}.json`;
    await writeLearningCurvesPng(result.history, join(outDir, 'learning-curves.png'));
    files['learningCurves'] = 'learning-curves.png';
    await writeTaskMetricsPng(tasks, join(outDir, 'task-metrics.png'), `${app.name}: test metrics per task (${backend.name})`);
    files['taskMetrics'] = 'task-metrics.png';
    Object.assign(files, await app.charts?.({ model, splits, outDir }));
  } finally {
    model.dispose();
  }

  let variants: VariantResult[] | null = null;
  if (options.compare && !context.control.stopRequested) {
    const masked: VariantResult = { name: 'masked', description: VARIANTS.masked, trainRows: [splits.train.x.rows], tasks, epochs: result.history.length };
    variants = [masked, ...(await trainAppVariants({ app, options, data, splits, variants: COMPARED, weights, context }))];
    if (app.baselines && !context.control.stopRequested) variants.push(...(await app.baselines({ data, splits, options, context: appContext })));
    await writeComparisonPng(variants, join(outDir, 'comparison.png'));
    files['comparison'] = 'comparison.png';
  }
  const results: ExperimentResults = {
    ...base,
    tasks,
    untrained: result.untrainedTasks,
    epochsTrained: result.history.length,
    stopped: result.stopped ?? null,
    bestEpoch: result.bestEpoch ? { ...result.bestEpoch, stoppedEarly: result.stoppedEarly ?? null } : null,
    history: result.history.map(({ epoch, trainLoss, devLoss, seconds }) => ({ epoch, trainLoss, devLoss, seconds })),
    variants,
    files: { ...files, results: 'results.json' },
  };
  return writeResults(results);
}

/** Everything that must be equal for a checkpoint (or a sweep) to continue: not --epochs, which may grow. */
function fingerprint(app: ExperimentApp<never>, options: CommonOptions, data: ExperimentData): Record<string, unknown> {
  return {
    app: app.name,
    data: data.fingerprint,
    tasks: data.tasks,
    seed: options.seed,
    missingRate: options.missingRate,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    classWeights: options.classWeights,
    // Only when on, so that checkpoints of runs without it (the toy's) still resume.
    ...(options.bestEpoch === 'off' ? {} : { bestEpoch: { metric: options.bestEpoch, patience: options.patience } }),
    appSettings: app.settings?.(options as never) ?? {},
  };
}

/** The layer stack, for the fingerprint: layer names carry process-wide counters, so they are left out. */
function architecture(model: tf.LayersModel): string {
  return model.layers
    .map((layer) => {
      const config = layer.getConfig();
      return `${layer.getClassName()}(${JSON.stringify([config['units'], config['activation'], config['rate']].filter((v) => v !== undefined))})`;
    })
    .join(' ');
}

function panelEvery(panel: NonNullable<ExperimentApp['panel']>, tasks: readonly string[], epochs: number, context: RunContext) {
  return (record: { epoch: number }, model: tf.LayersModel) => {
    if (record.epoch % panel.every === 0 || record.epoch === epochs) {
      // One fixed title: the dashboard keeps the latest panel per title.
      context.onEvent({ type: 'panel', title: panel.title, lines: [`epoch ${record.epoch}`, ...panel.lines(model, tasks)] });
    }
  };
}

function announceRun(
  app: ExperimentApp<never>,
  options: CommonOptions,
  data: ExperimentData,
  splits: ExperimentSplits,
  backend: ActiveBackend,
  outDir: string,
  weights: number[] | null,
  context: ExperimentContext,
): void {
  const dropped = splits.dropped.some((d) => d > 0)
    ? `${data.tasks.map((t, i) => `${t} ${splits.dropped[i]}`).join(', ')} (rate ${String(options.missingRate)})`
    : 'none';
  context.onEvent({
    type: 'run',
    app: app.name,
    backend,
    rows: data.x.rows,
    tasks: [...data.tasks],
    details: {
      ...data.details,
      split: `${splits.train.x.rows} train / ${splits.dev.x.rows} dev / ${splits.test.x.rows} test`,
      'labels dropped': dropped,
      ...(weights ? { 'positive weights': data.tasks.map((t, i) => `${t} ${weights[i]!.toFixed(2)}`).join(', ') } : {}),
      ...(options.bestEpoch === 'off' ? {} : { 'best epoch': bestEpochDetail(options) }),
      output: outDir,
    },
  });
}

function baseResults(
  app: ExperimentApp<never>,
  options: CommonOptions,
  data: ExperimentData,
  splits: ExperimentSplits,
  backend: ActiveBackend,
  weights: number[] | null,
): ExperimentResults {
  const settings: CommonSettings = {
    epochs: options.epochs,
    seed: options.seed,
    missingRate: options.missingRate,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    minClassLabels: options.minClassLabels,
    positiveWeights: weights,
    bestEpoch:
      options.bestEpoch === 'off' ? null : { metric: options.bestEpoch, patience: options.patience, holdout: bestEpochOptions(options)?.holdout ?? null },
  };
  const counts = { train: labelledCounts(splits.train.y), dev: labelledCounts(splits.dev.y), test: labelledCounts(splits.test.y) };
  return {
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    app: app.name,
    createdAt: new Date().toISOString(),
    backend: { name: backend.name, reason: backend.reason },
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', platform: `${process.platform}-${process.arch}`, node: process.version },
    settings,
    appSettings: app.settings?.(options as never) ?? {},
    data: {
      rows: data.x.rows,
      tasks: [...data.tasks],
      split: { train: splits.train.x.rows, dev: splits.dev.x.rows, test: splits.test.x.rows },
      droppedLabels: Object.fromEntries(data.tasks.map((t, i) => [t, splits.dropped[i]!])),
      labelled: Object.fromEntries(data.tasks.map((t, i) => [t, { train: counts.train[i]!, dev: counts.dev[i]!, test: counts.test[i]! }])),
      details: data.details ?? {},
    },
    tasks: [],
    untrained: [],
    epochsTrained: 0,
    stopped: null,
    bestEpoch: null,
    history: [],
    variants: null,
    sweep: null,
    cv: null,
    appFacts: data.facts ?? {},
    files: {},
  };
}

/** `by dev mean AUC, stop after 15 epochs without a better one`: the run header's line. */
function bestEpochDetail(options: CommonOptions): string {
  const metric = options.bestEpoch === 'auc' ? 'mean AUC' : 'loss';
  const where = options.cv ? `on ${Math.round((bestEpochOptions(options)?.holdout ?? 0) * 100)} % of each fold's training rows` : 'on the dev rows';
  const stop = options.patience > 0 ? `stop after ${options.patience} epochs without a better one` : 'every epoch trained';
  return `by ${metric} ${where}, ${stop}`;
}
