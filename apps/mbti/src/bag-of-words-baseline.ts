import { buildMultiHeadModel, markUntrained, maskedMetrics, predictProbabilities, takeRows, trainEnsemble, type VariantResult } from '@mtl/core';
import { type ExperimentContext, type ExperimentSplits, positiveWeights, trainingOptions } from '@mtl/kit';
import type { MbtiTrainOptions } from './mbti-app.js';
import type { NgramSettings, SparseCounts } from './ngram-hashing.js';
import { featureRecipe, fitPersonFeatures, personFeatures } from './person-features.js';

export const BAG_OF_WORDS = 'bag-of-words';

/** The n-grams alone need no damping against anything (see NGRAM_WEIGHT). */
const BAG_OF_WORDS_WEIGHT = 1;

const DESCRIPTION = 'linear four-head model (no hidden layer) on TF-IDF hashed word 1-2-grams and character 3-5-grams alone, idf from the training people';

/**
 * The baseline a user would otherwise reach for: logistic regressions on
 * TF-IDF n-grams, no sentence vectors. One multi-head model with no hidden
 * layer, trained by the same trainer with the same masked loss, labels, class
 * weights, epochs and epoch selection as the masked model, and scored on the
 * same test rows. Its idf is fitted on this split's (or fold's) training
 * people only.
 */
export async function trainBagOfWords(input: {
  ngrams: { counts: readonly SparseCounts[]; settings: NgramSettings };
  splits: ExperimentSplits;
  tasks: readonly string[];
  options: MbtiTrainOptions;
  context: ExperimentContext;
}): Promise<VariantResult> {
  const { ngrams, splits, tasks, options, context } = input;
  const recipe = featureRecipe({ features: ['ngrams'], pooling: [], maxPosts: null, ngrams: ngrams.settings, ngramWeight: BAG_OF_WORDS_WEIGHT });
  const raw = { pooled: { rows: ngrams.counts.length, cols: 0, data: new Float32Array(0) }, ngrams: ngrams.counts };
  const x = personFeatures(raw, recipe, fitPersonFeatures(raw, recipe, splits.split.train));
  // The kit's splits, with these features: the same rows, and the training labels as --missing-rate left them.
  const train = { x: takeRows(x, splits.split.train), y: splits.train.y };
  const dev = { x: takeRows(x, splits.split.dev), y: splits.dev.y };
  const test = { x: takeRows(x, splits.split.test), y: splits.test.y };
  context.onEvent({ type: 'notice', level: 'info', message: `baseline ${BAG_OF_WORDS} (${DESCRIPTION})` });
  const weights = options.classWeights === 'none' ? null : positiveWeights(train.y);
  const { model, results, untrainedTasks } = await trainEnsemble({
    members: options.ensemble,
    build: (seed) => buildMultiHeadModel({ inputSize: recipe.width, trunk: [], heads: tasks.map((name) => ({ name })), seed }),
    train,
    training: { ...trainingOptions(options, context, weights), taskNames: tasks, dev, onEvent: context.onEvent, label: BAG_OF_WORDS },
  });
  try {
    const metrics = markUntrained(maskedMetrics(test.y, predictProbabilities(model, test.x), tasks), untrainedTasks);
    return {
      name: BAG_OF_WORDS,
      description: DESCRIPTION,
      trainRows: [train.x.rows],
      tasks: metrics,
      epochs: Math.min(...results.map((r) => r.history.length)),
    };
  } finally {
    model.dispose();
  }
}
