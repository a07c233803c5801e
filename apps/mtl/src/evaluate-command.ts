import { join } from 'node:path';
import { loadBackend, markUntrained, maskedMetrics, type RunEventListener, type TaskMetrics, type TrainingControl, writeJsonAtomic } from '@mtl/core';
import { prepareOutputDir, writeTaskMetricsPng } from '@mtl/kit';
import { featureRuntime } from './mtl-app.js';
import { loadMtlModel, untrainedNotice } from './saved-mtl-model.js';
import { scoreTable, type ScoringSettings } from './scoring-table.js';
import { describeSkipped } from './skipped-rows.js';
import { takeRows } from '@mtl/core';

export type EvaluateSettings = ScoringSettings;

/** evaluation.json: a saved model's scores on another labelled file. */
export interface EvaluationResults {
  schema: 'masked-mtl-evaluation';
  version: 1;
  app: 'mtl';
  backend: string;
  model: string;
  data: string;
  rows: { read: number; scored: number };
  /** Per task: ROC-AUC (`auc`), PR-AUC (`averagePrecision`), balanced accuracy and the rest, over the labelled rows; `untrained: true` and no scores for a head the model never trained. */
  tasks: TaskMetrics[];
  files: Record<string, string>;
}

/** Scores a saved model on every labelled cell of another file; writes evaluation.json and evaluation.png in --out. */
export async function runEvaluate(
  settings: EvaluateSettings,
  context: { onEvent: RunEventListener; control: TrainingControl; commandLine: string },
): Promise<EvaluationResults> {
  const outDir = prepareOutputDir(settings.out);
  const backend = await loadBackend({ request: settings.backend, ...(settings.backend ? { requestedBy: `--backend ${settings.backend}` } : {}) });
  const saved = await loadMtlModel(settings.model);
  try {
    const scored = await scoreTable({ path: settings.data, saved, withLabels: true, runtime: featureRuntime(settings, context) });
    for (const message of describeSkipped(settings.data, scored.skipped)) context.onEvent({ type: 'notice', level: 'warning', message });
    const keep = Array.from(scored.valid.keys()).filter((r) => scored.valid[r] === 1);
    const untrained = untrainedNotice(saved, 'reported untrained, not scored');
    if (untrained) context.onEvent({ type: 'notice', level: 'warning', message: untrained });
    const tasks = markUntrained(maskedMetrics(takeRows(scored.columns.labels, keep), takeRows(scored.probabilities, keep), saved.tasks), saved.untrainedTasks);
    const files = { results: 'evaluation.json', chart: 'evaluation.png' };
    await writeTaskMetricsPng(tasks, join(outDir, files.chart), `mtl: ${keep.length} rows of ${settings.data} (${backend.name})`);
    const results: EvaluationResults = {
      schema: 'masked-mtl-evaluation',
      version: 1,
      app: 'mtl',
      backend: backend.name,
      model: settings.model,
      data: settings.data,
      rows: { read: scored.columns.rows, scored: keep.length },
      tasks,
      files,
    };
    writeJsonAtomic(join(outDir, files.results), results);
    return results;
  } finally {
    saved.model.dispose();
  }
}
