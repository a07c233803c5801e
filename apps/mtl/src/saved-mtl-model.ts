import { loadModel, type tf, UserError } from '@mtl/core';
import type { FeatureRecipe, Standardisation } from './feature-recipe.js';

/** A model written by `mtl train`, with the recipe that rebuilds its inputs from a table. */
export interface SavedMtlModel {
  model: tf.LayersModel;
  tasks: string[];
  recipe: FeatureRecipe;
  standardisation: Standardisation;
  idColumn: string | null;
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
  return { model, tasks: meta.taskNames, recipe: recipe.features, standardisation: fitted.standardisation, idColumn: recipe.idColumn ?? null };
}
