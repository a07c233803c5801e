import { loadModel, type SavedModel, UserError } from '@mtl/core';
import { NGRAM_HASHING_VERSION, ngramWidth } from './ngram-hashing.js';
import { FEATURE_RECIPE_VERSION, featureRecipe, type FittedFeatures, type MbtiFeatureRecipe } from './person-features.js';
import { AXES } from './personality-type.js';
import { CLEANING_VERSION } from './post-cleaning.js';
import { DEFAULT_NGRAMS } from './ngram-hashing.js';

/** A saved mbti model with the recipe that turns a person's posts into its input. */
export interface MbtiModel extends SavedModel {
  recipe: MbtiFeatureRecipe;
  fitted: FittedFeatures;
}

/**
 * A model written by `mbti train`, checked against the encoder and cleaning in
 * use: vectors of another encoder would feed the heads numbers they never saw.
 * Its feature recipe says how to rebuild its input (pooling, posts embedded,
 * n-grams and their idf); a model from before recipes were saved used the mean
 * of every post's vector.
 */
export async function loadMbtiModel(dir: string, encoder: string, flag = '--model'): Promise<MbtiModel> {
  const saved = await loadModel(dir, 'mbti');
  const { settings, taskNames } = saved.meta;
  const refuse = (message: string) => {
    saved.model.dispose();
    return new UserError(`${flag} ${dir}: ${message}`);
  };
  if (taskNames.join(',') !== AXES.join(',')) {
    throw refuse(`the model's heads are ${taskNames.join(', ')}, expected ${AXES.join(', ')}. Train again with this version.`);
  }
  if (settings['encoder'] !== encoder) {
    throw refuse(
      `trained on sentence vectors of encoder ${String(settings['encoder'])}, but --model-dir gives ${encoder}. Use the same --model-dir as for training, or train again.`,
    );
  }
  if (settings['cleaningVersion'] !== CLEANING_VERSION) {
    throw refuse(`trained with post cleaning v${String(settings['cleaningVersion'])}, this program cleans with v${CLEANING_VERSION}. Train again.`);
  }
  const recipe =
    (settings['recipe'] as MbtiFeatureRecipe | undefined) ?? featureRecipe({ features: ['use'], pooling: ['mean'], maxPosts: null, ngrams: DEFAULT_NGRAMS });
  const fitted = (settings['fitted'] as FittedFeatures | undefined) ?? { idf: null };
  const problem = recipeProblem(recipe, fitted, saved.model.inputs[0]?.shape[1]);
  if (problem) throw refuse(`${problem} Train again with this version.`);
  return { ...saved, recipe, fitted };
}

/** What makes a saved recipe unusable by this program, or null. */
function recipeProblem(recipe: MbtiFeatureRecipe, fitted: FittedFeatures, inputWidth: number | null | undefined): string | null {
  // Read from a file: the version may be anything.
  const version: unknown = recipe.version;
  if (version !== FEATURE_RECIPE_VERSION) return `its feature recipe is version ${String(version)}, this program reads version ${FEATURE_RECIPE_VERSION}.`;
  if (recipe.ngrams) {
    if (recipe.ngrams.hashing !== NGRAM_HASHING_VERSION) {
      return `its n-grams were hashed with version ${String(recipe.ngrams.hashing)} of the hashing, this program hashes with version ${NGRAM_HASHING_VERSION}.`;
    }
    if (!fitted.idf || fitted.idf.length !== ngramWidth(recipe.ngrams))
      return 'its n-gram idf weights are missing or of the wrong length (meta.json was edited or damaged).';
  }
  if (inputWidth !== recipe.width) return `the recipe describes ${recipe.width} input columns, the network takes ${String(inputWidth)}.`;
  return null;
}
