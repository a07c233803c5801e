import type { TaskMetrics } from '@mtl/core';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const num = (v: number | null) => (v === null ? '—' : v.toFixed(3));

/** The per-axis table as Markdown: readable in a terminal and pasteable into a README. */
export function axisTable(tasks: readonly TaskMetrics[], untrained: readonly string[] = []): string {
  const lines = [
    '| axis | labelled | accuracy | balanced acc. | macro-F1 | ROC-AUC | majority baseline |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const t of tasks) {
    if (untrained.includes(t.name)) {
      lines.push(`| ${t.name} | ${t.labelled} | untrained | untrained | untrained | untrained | ${pct(t.majorityBaseline)} |`);
      continue;
    }
    lines.push(`| ${t.name} | ${t.labelled} | ${pct(t.accuracy)} | ${pct(t.balancedAccuracy)} | ${num(t.macroF1)} | ${num(t.auc)} | ${pct(t.majorityBaseline)} |`);
  }
  return lines.join('\n');
}

/** One row per variant and axis: what --compare adds. */
export function variantTable(variants: ReadonlyArray<{ name: string; tasks: readonly TaskMetrics[] }>): string {
  const lines = ['| variant | axis | accuracy | balanced acc. | macro-F1 | ROC-AUC |', '|---|---|---:|---:|---:|---:|'];
  for (const v of variants) {
    for (const t of v.tasks) lines.push(`| ${v.name} | ${t.name} | ${pct(t.accuracy)} | ${pct(t.balancedAccuracy)} | ${num(t.macroF1)} | ${num(t.auc)} |`);
  }
  return lines.join('\n');
}
