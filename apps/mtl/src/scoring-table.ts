import { type BackendRequest, createMatrix, type Matrix, predictProbabilities, takeRows, UserError } from '@mtl/core';
import { encoderId } from '@mtl/embedding';
import { buildFeatures, type FeatureRuntime, type SkippedRows } from './feature-builder.js';
import type { SavedMtlModel } from './saved-mtl-model.js';
import { applyStandardisation } from './standardisation.js';
import { readColumns, type TableColumns } from './table-columns.js';

/** What predict and evaluate are told: the saved model, the file, where results go, and how to build features. */
export interface ScoringSettings {
  model: string;
  data: string;
  out: string;
  backend: BackendRequest | undefined;
  cache: string;
  modelDir: string | undefined;
  workers: number | undefined;
}

/** A table scored by a saved model: probabilities for the rows that could be featurised. */
export interface ScoredTable {
  columns: TableColumns;
  /** rows x tasks; NaN for a row whose features could not be built. */
  probabilities: Matrix;
  valid: Uint8Array;
  skipped: SkippedRows;
  facts: Record<string, unknown>;
}

/**
 * Reads the columns a saved model needs from another file (and the task columns
 * when `withLabels`), rebuilds its inputs with the saved recipe and training
 * statistics, and predicts. A file without a needed column is refused, naming it.
 */
export async function scoreTable(options: {
  path: string;
  saved: SavedMtlModel;
  withLabels: boolean;
  id?: string | undefined;
  runtime: FeatureRuntime;
}): Promise<ScoredTable> {
  const { path, saved, runtime } = options;
  const { recipe } = saved;
  if (recipe.text) {
    const encoder = encoderId(runtime.modelDir === undefined ? {} : { modelDir: runtime.modelDir });
    if (encoder !== recipe.text.encoder) {
      throw new UserError(
        `--model: trained on text vectors of encoder ${recipe.text.encoder}, but --model-dir gives ${encoder}. Use the same --model-dir as for training.`,
      );
    }
  }
  const columns = await readColumns({
    path,
    flag: '--data',
    tasks: options.withLabels ? saved.tasks : [],
    numeric: recipe.numeric,
    text: recipe.text?.column ?? null,
    smiles: recipe.smiles?.column ?? null,
    // A named --id must exist; the model's own id column is used only when the file has it.
    id: options.id ?? saved.idColumn,
    optionalId: options.id === undefined,
    purpose: options.withLabels ? "the model's features and tasks" : "the model's features",
    onEvent: runtime.onEvent,
  });
  const built = await buildFeatures(
    columns,
    { numeric: recipe.numeric, text: recipe.text?.column ?? null, smiles: recipe.smiles && { column: recipe.smiles.column, recipe: recipe.smiles.recipe } },
    runtime,
  );
  if (built.recipe.width !== recipe.width) {
    throw new UserError(
      `${path}: the features come out ${built.recipe.width} wide, the model takes ${recipe.width}. Use the RDKit and encoder versions the model was trained with, or train again.`,
    );
  }
  if (recipe.smiles && built.recipe.smiles && built.recipe.smiles.rdkitVersion !== recipe.smiles.rdkitVersion) {
    runtime.onEvent({
      type: 'notice',
      level: 'warning',
      message: `the model was trained with RDKit ${recipe.smiles.rdkitVersion}, this is ${built.recipe.smiles.rdkitVersion}: molecular features may differ slightly.`,
    });
  }
  const keep = Array.from(built.valid.keys()).filter((r) => built.valid[r] === 1);
  const x = applyStandardisation(takeRows(built.x, keep), saved.standardisation);
  const predicted = keep.length > 0 ? predictProbabilities(saved.model, x) : createMatrix(0, saved.tasks.length);
  const probabilities = createMatrix(columns.rows, saved.tasks.length, new Float32Array(columns.rows * saved.tasks.length).fill(Number.NaN));
  keep.forEach((row, i) => probabilities.data.set(predicted.data.subarray(i * saved.tasks.length, (i + 1) * saved.tasks.length), row * saved.tasks.length));
  return { columns, probabilities, valid: built.valid, skipped: built.skipped, facts: built.facts };
}
