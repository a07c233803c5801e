import type { EpochRecord, TaskMetrics, VariantResult } from '@mtl/core';
import { type ChartSpec, writeChartPng } from './png-chart.js';
import type { CvResults } from './cross-validation.js';
import type { SweepPoint } from './results-schema.js';

/** Train and dev loss per epoch, and dev accuracy per task. */
export async function writeLearningCurvesPng(history: readonly EpochRecord[], path: string): Promise<void> {
  const losses = history.flatMap((r) => [
    { epoch: r.epoch, series: 'train loss', value: r.trainLoss },
    ...(r.devLoss === null ? [] : [{ epoch: r.epoch, series: 'dev loss', value: r.devLoss }]),
  ]);
  const accuracy = history.flatMap((r) => r.tasks.flatMap((t) => (t.accuracy === null ? [] : [{ epoch: r.epoch, series: t.name, value: t.accuracy }])));
  const spec = {
    title: 'Learning curves',
    hconcat: [
      {
        width: 380,
        height: 260,
        data: { values: losses },
        mark: { type: 'line' },
        encoding: {
          x: { field: 'epoch', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative', title: 'masked BCE', scale: { type: 'log' } },
          color: { field: 'series', type: 'nominal', title: null },
        },
      },
      {
        width: 380,
        height: 260,
        data: { values: accuracy },
        mark: { type: 'line' },
        encoding: {
          x: { field: 'epoch', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative', title: 'dev accuracy', scale: { zero: false } },
          color: { field: 'series', type: 'nominal', title: 'task' },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  await writeChartPng(spec as ChartSpec, path);
}

const SHOWN: Array<[keyof TaskMetrics, string]> = [
  ['accuracy', 'accuracy'],
  ['balancedAccuracy', 'balanced accuracy'],
  ['macroF1', 'macro-F1'],
  ['auc', 'ROC-AUC'],
  ['averagePrecision', 'PR-AUC'],
  ['positiveRate', 'share of positives'],
  ['majorityBaseline', 'majority baseline'],
];

/** Grouped bars: one group per task, one bar per metric, the majority baseline beside them. */
export async function writeTaskMetricsPng(tasks: readonly TaskMetrics[], path: string, title: string): Promise<void> {
  const values = tasks.flatMap((task) =>
    SHOWN.flatMap(([key, label]) => {
      const value = task[key];
      return typeof value === 'number' ? [{ task: task.name, metric: label, value }] : [];
    }),
  );
  const spec: ChartSpec = {
    title,
    data: { values },
    width: 90,
    height: 220,
    mark: 'bar',
    encoding: {
      column: { field: 'task', type: 'nominal', sort: tasks.map((t) => t.name), title: null },
      x: { field: 'metric', type: 'nominal', sort: SHOWN.map(([, label]) => label), axis: null },
      y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: 'test split' },
      color: { field: 'metric', type: 'nominal', sort: SHOWN.map(([, label]) => label), legend: { orient: 'bottom', title: null } },
    },
  };
  await writeChartPng(spec, path);
}

/** Test accuracy, ROC-AUC and PR-AUC per task for each training variant, as grouped bars. */
export async function writeComparisonPng(variants: readonly VariantResult[], path: string): Promise<void> {
  const values = variants.flatMap((v) =>
    v.tasks.flatMap((t) => [
      ...(t.accuracy === null ? [] : [{ variant: v.name, task: t.name, metric: 'accuracy', value: t.accuracy }]),
      ...(t.auc === null ? [] : [{ variant: v.name, task: t.name, metric: 'ROC-AUC', value: t.auc }]),
      ...(t.averagePrecision === null ? [] : [{ variant: v.name, task: t.name, metric: 'PR-AUC', value: t.averagePrecision }]),
    ]),
  );
  const order = variants.map((v) => v.name);
  const spec = {
    title: 'Held-out scores by training variant (a missing bar: untrained)',
    data: { values },
    width: 120,
    height: 200,
    mark: { type: 'bar' },
    encoding: {
      row: { field: 'metric', type: 'nominal', title: null, sort: ['ROC-AUC', 'PR-AUC', 'accuracy'] },
      column: { field: 'task', type: 'nominal', title: null },
      x: { field: 'variant', type: 'nominal', title: null, sort: order },
      y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: null },
      color: { field: 'variant', type: 'nominal', sort: order },
    },
  };
  await writeChartPng(spec as ChartSpec, path);
}

/** The label-efficiency picture: mean test ROC-AUC, PR-AUC and accuracy against the missing rate, one line per variant. */
export async function writeSweepPng(points: readonly SweepPoint[], path: string, title: string): Promise<void> {
  const order = [...new Set(points.map((p) => p.variant))];
  const panel = (field: 'meanAuc' | 'meanAveragePrecision' | 'meanAccuracy', label: string) => ({
    width: 360,
    height: 260,
    mark: { type: 'line', point: true },
    transform: [{ filter: `datum.${field} !== null` }],
    encoding: {
      x: { field: 'missingRate', type: 'quantitative', title: 'share of training labels missing', scale: { domain: [0, 1] } },
      y: { field, type: 'quantitative', title: label, scale: { zero: false } },
      color: { field: 'variant', type: 'nominal', sort: order, title: null },
    },
  });
  const spec = {
    title,
    data: {
      values: points.map(({ missingRate, variant, meanAuc, meanAveragePrecision, meanAccuracy }) => ({
        missingRate,
        variant,
        meanAuc,
        meanAveragePrecision,
        meanAccuracy,
      })),
    },
    hconcat: [panel('meanAuc', 'mean test ROC-AUC'), panel('meanAveragePrecision', 'mean test PR-AUC'), panel('meanAccuracy', 'mean test accuracy')],
  };
  await writeChartPng(spec as ChartSpec, path);
}

/** Cross-validated ROC-AUC and PR-AUC per task: bars at the mean over folds, whiskers at ± one sd. */
export async function writeCvPng(cv: CvResults, path: string, title: string): Promise<void> {
  const values = cv.summary.flatMap((row) =>
    (['auc', 'averagePrecision'] as const).flatMap((metric) => {
      const { mean, sd } = row.metrics[metric];
      if (mean === null) return [];
      const spread = sd ?? 0;
      return [{ variant: row.variant, task: row.task, metric: metric === 'auc' ? 'ROC-AUC' : 'PR-AUC', mean, low: mean - spread, high: mean + spread }];
    }),
  );
  const tasks = [...new Set(cv.summary.map((r) => r.task))];
  const spec = {
    title,
    data: { values },
    facet: { row: { field: 'metric', type: 'nominal', title: null, sort: ['ROC-AUC', 'PR-AUC'] } },
    spec: {
      width: Math.max(240, tasks.length * cv.variants.length * 14),
      height: 200,
      encoding: {
        x: { field: 'task', type: 'nominal', sort: tasks, title: null },
        xOffset: { field: 'variant', sort: cv.variants },
        color: { field: 'variant', type: 'nominal', sort: cv.variants },
      },
      layer: [
        { mark: 'bar', encoding: { y: { field: 'mean', type: 'quantitative', scale: { domain: [0, 1] }, title: null } } },
        { mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
      ],
    },
  };
  await writeChartPng(spec as ChartSpec, path);
}
