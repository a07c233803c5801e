import { join } from 'node:path';
import { loadBackend, maskedMetrics, predictProbabilities, type RunEventListener, type TaskMetrics, TrainingControl, writeJsonAtomic } from '@mtl/core';
import { encoderId } from '@mtl/embedding';
import { prepareOutputDir, writeTaskMetricsPng } from '@mtl/kit';
import { embedCsv, type EmbeddingSettings } from './embedding-run.js';
import { labelMatrix } from './mbti-dataset.js';
import { personFeatures } from './person-features.js';
import { AXES } from './personality-type.js';
import { loadMbtiModel } from './saved-mbti-model.js';
import type { EmbeddingStats } from './person-vectors.js';

export interface EvaluateSettings extends EmbeddingSettings {
  model: string;
  data: string;
  out: string;
}

export interface EvaluationResults {
  app: 'mbti';
  backend: string;
  model: string;
  data: string;
  people: number;
  embedding: EmbeddingStats;
  tasks: TaskMetrics[];
  files: Record<string, string>;
}

/** Scores a saved model on every row of another labelled CSV (no labels dropped), through the embedding cache, with the model's feature recipe. */
export async function runEvaluate(
  settings: EvaluateSettings,
  context: { onEvent: RunEventListener; control: TrainingControl; resumeHint: string },
): Promise<EvaluationResults> {
  const outDir = prepareOutputDir(settings.out);
  const backend = await loadBackend({ request: settings.backend, ...(settings.backend ? { requestedBy: `--backend ${settings.backend}` } : {}) });
  // Check the model before minutes of embedding.
  const { model, recipe, fitted } = await loadMbtiModel(settings.model, encoderId(settings.modelDir));
  try {
    // The model's own recipe: its pooling, posts embedded per person, n-grams and idf from its training people.
    const { vectors, ngrams } = await embedCsv(settings.data, settings, context, { pooling: recipe.pooling, maxPosts: recipe.maxPosts, ngrams: recipe.ngrams });
    const x = personFeatures({ pooled: vectors.x, ngrams }, recipe, fitted);
    context.onEvent({
      type: 'run',
      app: 'mbti',
      backend,
      rows: vectors.types.length,
      tasks: [...AXES],
      details: { model: settings.model, data: settings.data },
    });
    const tasks = maskedMetrics(labelMatrix(vectors.types), predictProbabilities(model, x), AXES);
    // Relative to --out, like results.json of a training run.
    const files = { results: 'evaluation.json', chart: 'evaluation.png' };
    await writeTaskMetricsPng(tasks, join(outDir, files.chart), `MBTI axes, ${vectors.types.length} people (${backend.name})`);
    const results: EvaluationResults = {
      app: 'mbti',
      backend: backend.name,
      model: settings.model,
      data: settings.data,
      people: vectors.types.length,
      embedding: vectors.stats,
      tasks,
      files,
    };
    writeJsonAtomic(join(outDir, files.results), results);
    return results;
  } finally {
    model.dispose();
  }
}
