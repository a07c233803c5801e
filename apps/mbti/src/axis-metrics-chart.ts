import type { TaskMetrics } from '@mtl/core';
import { type ChartSpec, writeChartPng } from '@mtl/kit';

const SHOWN: Array<[keyof TaskMetrics, string]> = [
  ['accuracy', 'accuracy'],
  ['balancedAccuracy', 'balanced accuracy'],
  ['macroF1', 'macro-F1'],
  ['auc', 'ROC-AUC'],
  ['majorityBaseline', 'majority baseline'],
];

/** Grouped bars: one group per axis, one bar per metric, the majority baseline beside them. */
export async function writeAxisMetricsPng(tasks: readonly TaskMetrics[], path: string, title: string): Promise<void> {
  const values = tasks.flatMap((task) =>
    SHOWN.flatMap(([key, label]) => {
      const value = task[key];
      return typeof value === 'number' ? [{ axis: task.name, metric: label, value }] : [];
    }),
  );
  const spec: ChartSpec = {
    title,
    data: { values },
    width: 90,
    height: 220,
    mark: 'bar',
    encoding: {
      column: { field: 'axis', type: 'nominal', sort: tasks.map((t) => t.name), title: null },
      x: { field: 'metric', type: 'nominal', sort: SHOWN.map(([, label]) => label), axis: null },
      y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: 'test split' },
      color: { field: 'metric', type: 'nominal', sort: SHOWN.map(([, label]) => label), legend: { orient: 'bottom', title: null } },
    },
  };
  await writeChartPng(spec, path);
}
