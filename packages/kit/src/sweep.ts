import { join } from 'node:path';
import { type Split, type VariantName, writeJsonAtomic } from '@mtl/core';
import { positiveWeights } from './class-balance.js';
import type { ExperimentApp, ExperimentContext, ExperimentData } from './experiment.js';
import { applySplit } from './experiment-splits.js';
import { resumableProgress } from './progress-file.js';
import { trainAppVariants } from './variant-training.js';
import { meanOverTasks } from './result-tables.js';
import { SWEEP_SCHEMA, SWEEP_VERSION, type SweepPoint, type SweepResults } from './results-schema.js';
import { writeSweepPng } from './standard-charts.js';
import type { CommonOptions } from './train-command.js';

export const SWEEP_VARIANTS: readonly VariantName[] = ['masked', 'naive', 'complete-rows', 'single-task'];

export interface SweepInput<O extends CommonOptions> {
  app: ExperimentApp<O>;
  options: O;
  data: ExperimentData;
  /** One split for every rate: only the dropped labels change. */
  splits: { split: Split; seed: number };
  context: ExperimentContext;
  fingerprint: Record<string, unknown>;
}

export interface SweepOutcome {
  file: string;
  files: Record<string, string>;
  points: SweepPoint[];
  stopped: { epoch: number; reason: string } | null;
}

/**
 * The label-efficiency sweep: at each missing rate, on the same split and seed,
 * trains masked, naive, complete-rows and single-task and scores them on the
 * same test rows. sweep.json is rewritten after each rate, so a stopped sweep
 * keeps its finished rates and --resume starts at the first unfinished one.
 */
export async function runSweep<O extends CommonOptions>(input: SweepInput<O>): Promise<SweepOutcome> {
  const { app, options, data, context } = input;
  const rates = options.sweep ?? [];
  const path = join(context.outDir, 'sweep.json');
  const sweep: SweepResults = {
    schema: SWEEP_SCHEMA,
    version: SWEEP_VERSION,
    app: app.name,
    fingerprint: input.fingerprint,
    rates,
    variants: [...SWEEP_VARIANTS],
    points: options.resume
      ? (resumableProgress<SweepResults>({ path, schema: SWEEP_SCHEMA, fingerprint: input.fingerprint, what: 'sweep' })?.points ?? [])
      : [],
    complete: false,
  };
  const total = rates.length * SWEEP_VARIANTS.length;
  const started = performance.now();
  let trainedHere = 0;
  const progress = () => {
    const seconds = (performance.now() - started) / 1000;
    context.onEvent({
      type: 'stage',
      name: 'sweep',
      done: sweep.points.length,
      total,
      unit: 'variants',
      ...(trainedHere > 0 ? { rate: trainedHere / seconds } : {}),
    });
  };
  for (const rate of rates) {
    if (context.control.stopRequested) break;
    if (sweep.points.some((p) => p.missingRate === rate)) continue;
    const splits = applySplit(data, input.splits.split, rate, input.splits.seed);
    const weights = options.classWeights === 'none' ? null : positiveWeights(splits.train.y);
    context.onEvent({
      type: 'notice',
      level: 'info',
      message: `sweep: missing rate ${rate} (${splits.dropped.reduce((s, d) => s + d, 0)} training labels dropped)`,
    });
    progress();
    const variants = await trainAppVariants({ app, options, data, splits, variants: SWEEP_VARIANTS, weights, context });
    // A stop in the middle of a rate leaves it unfinished: it is not recorded, --resume trains it again.
    if (context.control.stopRequested) break;
    for (const v of variants) {
      sweep.points.push({
        missingRate: rate,
        variant: v.name,
        meanAuc: meanOverTasks(v.tasks, 'auc'),
        meanAveragePrecision: meanOverTasks(v.tasks, 'averagePrecision'),
        meanAccuracy: meanOverTasks(v.tasks, 'accuracy'),
        tasks: v.tasks,
        trainRows: v.trainRows,
      });
      trainedHere += 1;
    }
    writeJsonAtomic(path, sweep);
  }
  progress();
  sweep.points.sort((a, b) => rates.indexOf(a.missingRate) - rates.indexOf(b.missingRate));
  sweep.complete = rates.every((rate) => sweep.points.some((p) => p.missingRate === rate));
  writeJsonAtomic(path, sweep);
  context.onEvent({ type: 'stage', name: 'sweep', done: sweep.points.length, total, unit: 'variants', finished: true });
  const files: Record<string, string> = { sweep: 'sweep.json', results: 'results.json' };
  if (sweep.points.length > 0) {
    await writeSweepPng(sweep.points, join(context.outDir, 'sweep.png'), `${app.name}: label efficiency (test, mean over ${data.tasks.length} tasks)`);
    files['sweepChart'] = 'sweep.png';
  }
  const stopped = sweep.complete ? null : { epoch: 0, reason: context.control.stopReason ?? 'stop requested' };
  return { file: 'sweep.json', files, points: sweep.points, stopped };
}
