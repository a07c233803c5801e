import { cpus } from 'node:os';
import { join } from 'node:path';
import { prepareOutputDir } from '@mtl/kit';
import {
  type ActiveBackend, type EpochRecord, loadBackend, markUntrained, maskedMetrics, predictProbabilities, type RunEventListener, saveModel,
  type TaskMetrics, trainMultiTask, type TrainResult, TrainingControl, trainVariants, UserError, VARIANTS, type VariantResult, writeJsonAtomic,
} from '@mtl/core';
import { decisionMapLines } from './decision-grid.js';
import { writeComparisonPng, writeDecisionRegionsPng, writeLearningCurvesPng } from './toy-charts.js';
import { TOY_TASKS } from './toy-data.js';
import { buildToyModel, HOLDOUT_ROWS, prepareToySplits, type ToySplits } from './toy-experiment.js';
import type { ToyOptions } from './toy-options.js';

/** Epochs between redraws of the live decision-region panel. */
const PANEL_EVERY = 5;

export interface ToyRunContext {
  control: TrainingControl;
  onEvent: RunEventListener;
}

export interface ToyResults {
  app: 'toy';
  backend: string;
  backendReason: string;
  machine: { cpus: number; cpuModel: string; platform: string; node: string };
  settings: Omit<ToyOptions, 'out' | 'dashboard' | 'verbose' | 'backend' | 'resume'>;
  rows: { train: number; dev: number; test: number };
  droppedLabels: Record<string, number>;
  tasks: TaskMetrics[];
  epochsTrained: number;
  stopped: { epoch: number; reason: string } | null;
  history: Pick<EpochRecord, 'epoch' | 'trainLoss' | 'devLoss' | 'seconds'>[];
  variants?: VariantResult[];
  files: Record<string, string>;
}

export async function runToy(options: ToyOptions, context: ToyRunContext): Promise<ToyResults> {
  if (options.points <= HOLDOUT_ROWS + 100) throw new UserError(`--points ${options.points}: need more than ${HOLDOUT_ROWS + 100} (the last ${HOLDOUT_ROWS} are the test set).`);
  const outDir = prepareOutputDir(options.out);
  const backend = await loadBackend(options.backend);
  const splits = prepareToySplits(options.points, options.missingRate, options.seed);
  const { onEvent, control } = context;
  onEvent({
    type: 'run', app: 'toy', backend, rows: options.points, tasks: [...TOY_TASKS],
    details: {
      split: `${splits.train.x.rows} train / ${splits.dev.x.rows} dev / ${splits.test.x.rows} test`,
      'labels dropped': TOY_TASKS.map((t, i) => `${t} ${splits.dropped[i]}`).join(', ') + ` (rate ${options.missingRate})`,
      output: outDir,
    },
  });

  const model = buildToyModel(TOY_TASKS, options.seed);
  const result = await trainMultiTask(model, splits.train, {
    ...trainingSettings(options, control),
    taskNames: TOY_TASKS,
    dev: splits.dev,
    onEvent,
    checkpoint: { path: join(outDir, 'checkpoint.json'), fingerprint: checkpointFingerprint(options), resume: options.resume },
    afterEpoch: (record) => {
      if (record.epoch % PANEL_EVERY === 0 || record.epoch === options.epochs) {
        // One fixed title: the dashboard keeps the latest panel per title.
        onEvent({ type: 'panel', title: 'decision regions (# = 1)', lines: [`epoch ${record.epoch}`, ...decisionMapLines(model, TOY_TASKS)] });
      }
    },
  });
  const tasks = markUntrained(maskedMetrics(splits.test.y, predictProbabilities(model, splits.test.x), TOY_TASKS), result.untrainedTasks);
  const files: Record<string, string> = {};
  await saveModel(join(outDir, 'model'), model, { app: 'toy', taskNames: TOY_TASKS, settings: { ...options } });
  files.model = 'model/';
  files.checkpoint = 'checkpoint.json';
  await writeDecisionRegionsPng(model, join(outDir, 'decision-regions.png'));
  files.decisionRegions = 'decision-regions.png';
  await writeLearningCurvesPng(result.history, join(outDir, 'learning-curves.png'));
  files.learningCurves = 'learning-curves.png';
  model.dispose();

  const masked: VariantResult = { name: 'masked', description: VARIANTS.masked, trainRows: [splits.train.x.rows], tasks, epochs: result.history.length };
  const variants = options.compare && !control.stopRequested ? [masked, ...(await compareVariants(options, splits, context))] : undefined;
  if (variants) {
    await writeComparisonPng(variants, join(outDir, 'comparison.png'));
    files.comparison = 'comparison.png';
  }
  const results = assembleResults(options, backend, splits, tasks, result, files, variants);
  writeJsonAtomic(join(outDir, 'results.json'), results);
  return results;
}

/** Everything that must be equal for a checkpoint to continue: not --epochs, which may grow. */
function checkpointFingerprint(options: ToyOptions): Record<string, unknown> {
  const { points, seed, missingRate, batchSize, learningRate } = options;
  return { app: 'toy', model: '2-10-40-30-3', points, seed, missingRate, batchSize, learningRate };
}

function trainingSettings(options: ToyOptions, control: TrainingControl) {
  return { epochs: options.epochs, batchSize: options.batchSize, learningRate: options.learningRate, seed: options.seed, control };
}

async function compareVariants(options: ToyOptions, splits: ToySplits, context: ToyRunContext): Promise<VariantResult[]> {
  return trainVariants({
    taskNames: TOY_TASKS,
    train: splits.train,
    dev: splits.dev,
    test: splits.test,
    buildModel: (heads) => buildToyModel(heads, options.seed),
    // The masked variant is the main run itself (same data, seed and model).
    variants: ['naive', 'complete-rows', 'single-task'],
    training: trainingSettings(options, context.control),
    onEvent: context.onEvent,
  });
}

function assembleResults(
  options: ToyOptions, backend: ActiveBackend, splits: ToySplits, tasks: TaskMetrics[], result: TrainResult,
  files: Record<string, string>, variants: VariantResult[] | undefined,
): ToyResults {
  const { out: _out, dashboard: _d, verbose: _v, backend: _b, resume: _r, ...settings } = options;
  return {
    app: 'toy',
    backend: backend.name,
    backendReason: backend.reason,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', platform: `${process.platform}-${process.arch}`, node: process.version },
    settings,
    rows: { train: splits.train.x.rows, dev: splits.dev.x.rows, test: splits.test.x.rows },
    droppedLabels: Object.fromEntries(TOY_TASKS.map((t, i) => [t, splits.dropped[i]!])),
    tasks,
    epochsTrained: result.history.length,
    stopped: result.stopped ?? null,
    history: result.history.map(({ epoch, trainLoss, devLoss, seconds }) => ({ epoch, trainLoss, devLoss, seconds })),
    ...(variants ? { variants } : {}),
    files,
  };
}

/** The per-task table printed at the end (and quoted in the README). */
export function resultsTable(results: ToyResults): string {
  const pct = (v: number | null) => (v === null ? '-' : v.toFixed(3));
  const lines = ['| task | labelled (test) | accuracy | AUC |', '|---|---:|---:|---:|'];
  for (const t of results.tasks) lines.push(`| ${t.name} | ${t.labelled} | ${pct(t.accuracy)} | ${pct(t.auc)} |`);
  if (results.variants) {
    lines.push('', `| variant | ${TOY_TASKS.map((t) => `${t} acc`).join(' | ')} | mean acc | ${TOY_TASKS.map((t) => `${t} AUC`).join(' | ')} |`);
    lines.push(`|---|${TOY_TASKS.map(() => '---:').join('|')}|---:|${TOY_TASKS.map(() => '---:').join('|')}|`);
    for (const v of results.variants) {
      // A mean over fewer tasks would not compare with the other rows: none when a task is untrained.
      const accuracies = v.tasks.map((t) => t.accuracy);
      const mean = accuracies.includes(null) ? null : (accuracies as number[]).reduce((s, a) => s + a, 0) / accuracies.length;
      lines.push(`| ${v.name} | ${v.tasks.map((t) => pct(t.accuracy)).join(' | ')} | ${pct(mean)} | ${v.tasks.map((t) => pct(t.auc)).join(' | ')} |`);
    }
  }
  return lines.join('\n');
}
