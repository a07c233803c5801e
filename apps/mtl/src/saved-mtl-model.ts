import { loadModel, type tf, UserError } from '@mtl/core';
import type { FeatureRecipe, Standardisation } from './feature-recipe.js';

/** A model written by `mtl train`, with the recipe that rebuilds its inputs from a table. */
export interface SavedMtlModel {
  model: tf.LayersModel;
  tasks: string[];
  recipe: FeatureRecipe;
  standardisation: Standardisation;
  idColumn: string | null;
  /** Tasks whose heads learnt nothing (too few training labels of a class): not predictions, whatever the head outputs. */
  untrainedTasks: string[];
}

/** Loads and checks a model directory; `flag` names where it came from in messages. */
export async function loadMtlModel(dir: string, flag = '--model'): Promise<SavedMtlModel> {
  const { model, meta } = await loadModel(dir, 'mtl');
  const recipe = meta.settings['recipe'] as { features?: FeatureRecipe; idColumn?: string | null } | undefined;
  const fitted = meta.settings['fitted'] as { standardisation?: Standardisation } | undefined;
  if (!recipe?.features || !fitted?.standardisation) {
    model.dispose();
    throw new UserError(`${flag} ${dir}: the model has no feature recipe (written by an older mtl?). Train it again with this version.`);
  }
  // Models saved before the kit recorded them have no list: every head counts as trained.
  const untrained = meta.settings['untrainedTasks'];
  const untrainedTasks = Array.isArray(untrained) ? meta.taskNames.filter((task) => untrained.includes(task)) : [];
  return {
    model,
    tasks: meta.taskNames,
    recipe: recipe.features,
    standardisation: fitted.standardisation,
    idColumn: recipe.idColumn ?? null,
    untrainedTasks,
  };
}

/** The warning predict and evaluate give for a model with untrained heads; undefined when every head trained. */
export function untrainedNotice(saved: SavedMtlModel, what: string): string | undefined {
  if (saved.untrainedTasks.length === 0) return undefined;
  const names = saved.untrainedTasks.join(', ');
  return `the model never trained ${names} (too few training labels of a class): ${what}. Train again with more labels of ${names}, or a lower --min-class-labels, to predict it.`;
}
