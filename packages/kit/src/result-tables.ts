import type { TaskMetrics, VariantResult } from '@mtl/core';
import type { CvMetric, CvResults, MeanSd } from './cross-validation.js';
import type { SweepPoint } from './results-schema.js';

const num = (v: number | null) => (v === null ? '—' : v.toFixed(3));
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);

/** Mean over tasks, or null when any task has no value: a mean over fewer tasks would not compare with the other rows. */
export function meanOverTasks(tasks: readonly TaskMetrics[], key: 'auc' | 'averagePrecision' | 'balancedAccuracy' | 'accuracy'): number | null {
  const values = tasks.map((t) => t[key]);
  if (values.length === 0 || values.includes(null)) return null;
  return (values as number[]).reduce((s, v) => s + v, 0) / values.length;
}

/** Test metrics per task as Markdown: readable in a terminal and pasteable into a README. */
export function taskTable(tasks: readonly TaskMetrics[]): string {
  const lines = [
    '| task | labelled (test) | positives | accuracy | balanced acc. | ROC-AUC | PR-AUC | majority baseline |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const t of tasks) {
    const score = (v: string) => (t.untrained ? 'untrained' : v);
    lines.push(
      `| ${t.name} | ${t.labelled} | ${pct(t.positiveRate)} | ${score(num(t.accuracy))} | ${score(pct(t.balancedAccuracy))} | ${score(num(t.auc))} | ${score(num(t.averagePrecision))} | ${pct(t.majorityBaseline)} |`,
    );
  }
  return lines.join('\n');
}

/** --compare: one row per variant, one column per task and the mean, for ROC-AUC, PR-AUC and accuracy. */
export function variantTable(variants: readonly VariantResult[]): string {
  const tasks = variants[0]?.tasks.map((t) => t.name) ?? [];
  const table = (key: 'auc' | 'averagePrecision' | 'accuracy', title: string) => [
    `| ${title} | ${tasks.join(' | ')} | mean |`,
    `|---|${tasks.map(() => '---:').join('|')}|---:|`,
    ...variants.map(
      (v) => `| ${v.name} | ${v.tasks.map((t) => (t.untrained ? 'untrained' : num(t[key]))).join(' | ')} | ${num(meanOverTasks(v.tasks, key))} |`,
    ),
  ];
  return [...table('auc', 'ROC-AUC (test)'), '', ...table('averagePrecision', 'PR-AUC (test)'), '', ...table('accuracy', 'accuracy (test)')].join('\n');
}

/** --sweep: one row per missing rate, one column per variant (mean over tasks). */
export function sweepTable(points: readonly SweepPoint[]): string {
  const variants = [...new Set(points.map((p) => p.variant))];
  const rates = [...new Set(points.map((p) => p.missingRate))];
  const cell = (rate: number, variant: string, key: 'meanAuc' | 'meanAveragePrecision' | 'meanAccuracy') =>
    num(points.find((p) => p.missingRate === rate && p.variant === variant)?.[key] ?? null);
  const table = (key: 'meanAuc' | 'meanAveragePrecision' | 'meanAccuracy', title: string) => [
    `| ${title} | ${variants.join(' | ')} |`,
    `|---:|${variants.map(() => '---:').join('|')}|`,
    ...rates.map((rate) => `| ${rate} | ${variants.map((v) => cell(rate, v, key)).join(' | ')} |`),
  ];
  return [
    ...table('meanAuc', 'missing rate: mean ROC-AUC'),
    '',
    ...table('meanAveragePrecision', 'missing rate: mean PR-AUC'),
    '',
    ...table('meanAccuracy', 'missing rate: mean accuracy'),
  ].join('\n');
}

const CV_LABELS: Record<CvMetric, string> = { auc: 'ROC-AUC', averagePrecision: 'PR-AUC', balancedAccuracy: 'balanced acc.', accuracy: 'accuracy' };
const meanSdText = (m: MeanSd) => (m.mean === null ? '—' : m.sd === null ? m.mean.toFixed(3) : `${m.mean.toFixed(3)} ± ${m.sd.toFixed(3)}`);

/** --cv: mean ± sd over folds per task (and the mean over tasks); with several variants, one table per ranking metric. */
export function cvTable(cv: CvResults): string {
  const tasks = [...new Set(cv.summary.map((r) => r.task))];
  const cell = (variant: string, task: string, metric: CvMetric) => {
    const row = cv.summary.find((r) => r.variant === variant && r.task === task);
    return row ? meanSdText(row.metrics[metric]) : '—';
  };
  if (cv.variants.length === 1) {
    const [variant] = cv.variants;
    const metrics = Object.keys(CV_LABELS) as CvMetric[];
    return [
      `| task (${cv.folds}-fold CV) | ${metrics.map((m) => CV_LABELS[m]).join(' | ')} |`,
      `|---|${metrics.map(() => '---:').join('|')}|`,
      ...tasks.map((task) => `| ${task} | ${metrics.map((m) => cell(variant!, task, m)).join(' | ')} |`),
    ].join('\n');
  }
  return (['auc', 'averagePrecision'] as const)
    .flatMap((metric) => [
      `| ${CV_LABELS[metric]} (${cv.folds}-fold CV) | ${cv.variants.join(' | ')} |`,
      `|---|${cv.variants.map(() => '---:').join('|')}|`,
      ...tasks.map((task) => `| ${task} | ${cv.variants.map((v) => cell(v, task, metric)).join(' | ')} |`),
      '',
    ])
    .join('\n')
    .trimEnd();
}
