import { dirname, resolve } from 'node:path';
import { loadBackend, type RunEventListener, type TrainingControl, writeFileAtomic } from '@mtl/core';
import { prepareOutputDir } from '@mtl/kit';
import { stringify } from 'csv-stringify/sync';
import { featureRuntime } from './mtl-app.js';
import { loadMtlModel, untrainedNotice } from './saved-mtl-model.js';
import { scoreTable, type ScoringSettings } from './scoring-table.js';
import { describeSkipped } from './skipped-rows.js';

export interface PredictSettings extends ScoringSettings {
  /** The id column to write; undefined: the model's, when the file has it. */
  id: string | undefined;
}

export interface PredictSummary {
  rows: number;
  predicted: number;
  out: string;
  backend: string;
}

/**
 * Writes one probability column per task for every row of a table that may
 * carry no labels at all, beside its id (or its row number). Rows whose features
 * cannot be built keep their line with empty probabilities, and so does the
 * column of a task the model never trained. The file is written whole or not at all.
 */
export async function runPredict(
  settings: PredictSettings,
  context: { onEvent: RunEventListener; control: TrainingControl; commandLine: string },
): Promise<PredictSummary> {
  const out = resolve(settings.out);
  prepareOutputDir(dirname(out), '--out');
  const backend = await loadBackend({ request: settings.backend, ...(settings.backend ? { requestedBy: `--backend ${settings.backend}` } : {}) });
  const saved = await loadMtlModel(settings.model);
  try {
    const scored = await scoreTable({ path: settings.data, saved, withLabels: false, id: settings.id, runtime: featureRuntime(settings, context) });
    for (const message of describeSkipped(settings.data, scored.skipped)) context.onEvent({ type: 'notice', level: 'warning', message });
    const untrained = untrainedNotice(saved, 'left blank in the predictions');
    if (untrained) context.onEvent({ type: 'notice', level: 'warning', message: untrained });
    const blank = saved.tasks.map((task) => saved.untrainedTasks.includes(task));
    const idHeader = scored.columns.idColumn ?? 'row';
    const records = scored.columns.ids.map((id, r) => [
      id,
      ...saved.tasks.map((_, t) => {
        const p = scored.probabilities.data[r * saved.tasks.length + t]!;
        return Number.isNaN(p) || blank[t] ? '' : p.toFixed(6);
      }),
    ]);
    writeFileAtomic(out, stringify([[idHeader, ...saved.tasks], ...records]));
    return { rows: scored.columns.rows, predicted: scored.valid.reduce((s, v) => s + v, 0), out, backend: backend.name };
  } finally {
    saved.model.dispose();
  }
}
