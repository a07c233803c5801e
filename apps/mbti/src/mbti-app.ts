import { buildMultiHeadModel, type DenseSpec } from '@mtl/core';
import { EMBEDDING_SIZE } from '@mtl/embedding';
import { type ExperimentApp, type ExperimentData, nonNegativeInteger, positiveInteger, trainCommand } from '@mtl/kit';
import { BAG_OF_WORDS, trainBagOfWords } from './bag-of-words-baseline.js';
import { dataPath } from './data-location.js';
import { embedCsv } from './embedding-run.js';
import { cacheOption, embeddingSettings, modelDirOption, workersOption } from './embedding-flags.js';
import { bucketCount, featureList, poolingList } from './feature-flags.js';
import { labelMatrix } from './mbti-dataset.js';
import { DEFAULT_NGRAMS, type NgramSettings, type SparseCounts } from './ngram-hashing.js';
import { featureRecipe, type FeatureKind, fitPersonFeatures, personFeatures } from './person-features.js';
import type { EmbeddingStats, Pooling } from './person-vectors.js';
import { AXES } from './personality-type.js';
import { CLEANING_VERSION } from './post-cleaning.js';

/**
 * Defaults chosen by 5-fold cross-validation on the 412-person sample
 * (README, "Choosing the defaults"): linear heads trained for a fixed 500
 * epochs at learning rate 0.002 beat a hidden layer, and choosing the epoch
 * on held-out people cost more than it saved.
 */
export const DEFAULT_EPOCHS = 500;
export const DEFAULT_LEARNING_RATE = 0.002;
export const DEFAULT_FEATURES: FeatureKind[] = ['use'];
export const DEFAULT_POOLING: Pooling[] = ['mean'];
/** Units of the shared hidden layer; 0: the heads sit on the features (four logistic regressions sharing nothing but the loss). */
export const DEFAULT_HIDDEN = 0;
const DROPOUT = 0.25;

/** `mbti train`: the kit's common flags, the data file, the features and the embedding flags. */
export function mbtiTrainCommand() {
  return trainCommand({
    name: 'train',
    description: 'read the CSV, embed posts (cached), train the four heads, evaluate, write results.json, the charts and the model',
    defaults: {
      epochs: DEFAULT_EPOCHS,
      missingRate: 0.3,
      batchSize: 32,
      learningRate: DEFAULT_LEARNING_RATE,
      bestEpoch: 'off',
      patience: 15,
      rowNoun: 'people',
    },
  })
    .option('--data <path>', 'Kaggle-format CSV (type,posts); default datasets/mbti/mbti_1.csv')
    .option(
      '--features <list>',
      'use: sentence vectors of the posts; use,ngrams: and hashed word and character n-grams (TF-IDF) beside them',
      featureList('--features'),
      DEFAULT_FEATURES,
    )
    .option(
      '--pooling <list>',
      "how a person's post vectors become one: mean, max, sd, or several side by side (mean,max)",
      poolingList('--pooling'),
      DEFAULT_POOLING,
    )
    .option('--max-posts <n>', 'embed at most the first N posts of each person (default: all)', positiveInteger('--max-posts'))
    .option(
      '--ngram-buckets <n>',
      'hashed columns of the word block and of the character block each',
      bucketCount('--ngram-buckets'),
      DEFAULT_NGRAMS.wordBuckets,
    )
    .option(
      '--hidden <n>',
      'units of the shared hidden layer (0: none, the heads are logistic regressions on the features)',
      nonNegativeInteger('--hidden'),
      DEFAULT_HIDDEN,
    )
    .addOption(cacheOption())
    .addOption(modelDirOption())
    .addOption(workersOption());
}

export type MbtiTrainOptions = ReturnType<ReturnType<typeof mbtiTrainCommand>['opts']>;

function ngramSettings(options: MbtiTrainOptions): NgramSettings {
  return { ...DEFAULT_NGRAMS, wordBuckets: options.ngramBuckets, charBuckets: options.ngramBuckets };
}

/** The architecture every variant shares: at most one small shared layer over the features, one sigmoid per axis. */
function buildMbtiModel(options: { inputSize: number; heads: readonly string[]; seed: number; hidden: number }) {
  const trunk: DenseSpec[] = options.hidden > 0 ? [{ units: options.hidden, activation: 'relu', dropout: DROPOUT }] : [];
  return buildMultiHeadModel({ inputSize: options.inputSize, trunk, heads: options.heads.map((name) => ({ name })), seed: options.seed });
}

/**
 * What the bag-of-words baseline needs beside the kit's data: every person's
 * hashed n-gram counts, counted whatever --features says, fitted per split.
 */
const ngramCountsOf = new WeakMap<ExperimentData, { counts: readonly SparseCounts[]; settings: NgramSettings }>();

/** MBTI on the kit: reading, cleaning, person vectors and n-grams; the kit does the rest. */
export const mbtiApp: ExperimentApp<MbtiTrainOptions> = {
  name: 'mbti',
  async load(options, context) {
    const data = dataPath(options.data);
    context.onEvent({ type: 'notice', level: 'info', message: `reading and embedding ${data}` });
    const ngrams = ngramSettings(options);
    const recipe = featureRecipe({ features: options.features, pooling: options.pooling, maxPosts: options.maxPosts ?? null, ngrams });
    const {
      vectors,
      ngrams: counts,
      encoder,
    } = await embedCsv(
      data,
      embeddingSettings(options),
      { ...context, resumeHint: context.commandLine },
      {
        pooling: recipe.pooling,
        maxPosts: recipe.maxPosts,
        // Counted for the features, or for --compare's bag-of-words model; otherwise not at all (time, and memory on a large file).
        ngrams: options.features.includes('ngrams') || options.compare ? ngrams : null,
      },
    );
    const raw = { pooled: vectors.x, ngrams: counts };
    const experiment: ExperimentData = {
      x: personFeatures(raw, recipe, { idf: null }),
      y: labelMatrix(vectors.types),
      tasks: AXES,
      // The 16 type codes: each part keeps the mix of types.
      strata: vectors.types,
      details: { data, encoder, features: describeFeatures(recipe.features, recipe.pooling, recipe.maxPosts) },
      fingerprint: { data, people: vectors.types.length, encoder, cleaningVersion: CLEANING_VERSION },
      facts: {
        people: { total: vectors.types.length, skippedInvalidType: vectors.summary.invalidType.count, skippedNoPosts: vectors.summary.noPosts.count },
        embedding: vectors.stats,
      },
      recipe: { ...recipe },
      // Only n-grams learn anything from the training people (their idf); sentence vectors are used as they are.
      ...(recipe.ngrams
        ? {
            fit: (trainRows: Int32Array) => {
              const fitted = fitPersonFeatures(raw, recipe, trainRows);
              return { x: personFeatures(raw, recipe, fitted), recipe: { ...fitted } };
            },
          }
        : {}),
    };
    if (counts) ngramCountsOf.set(experiment, { counts, settings: ngrams });
    return experiment;
  },
  buildModel: ({ inputSize, heads, seed, options }) => buildMbtiModel({ inputSize, heads, seed, hidden: options.hidden }),
  settings: (options) => ({
    features: options.features,
    pooling: options.pooling,
    maxPosts: options.maxPosts ?? null,
    ngramBuckets: options.features.includes('ngrams') ? options.ngramBuckets : null,
    hidden: options.hidden,
  }),
  modelSettings: (data) => ({ encoder: data.details?.['encoder'], embeddingSize: EMBEDDING_SIZE, cleaningVersion: CLEANING_VERSION }),
  baselineNames: [BAG_OF_WORDS],
  async baselines({ data, splits, options, context }) {
    const ngrams = ngramCountsOf.get(data);
    if (!ngrams) return [];
    return [await trainBagOfWords({ ngrams, splits, tasks: data.tasks, options, context })];
  },
  summary: (results) => {
    const e = results.appFacts['embedding'] as EmbeddingStats | undefined;
    if (!e) return [];
    return [
      `embedding: ${e.posts} posts (${e.unique} distinct), ${e.cacheHits} from the cache, ${e.embedded} embedded` +
        (e.embedded > 0 ? ` at ${e.postsPerSecond.toFixed(1)} posts/s (${e.where})` : ''),
    ];
  },
};

/** `use (mean,max) + ngrams, first 20 posts embedded`: the run header's line. */
function describeFeatures(features: readonly FeatureKind[], pooling: readonly Pooling[], maxPosts: number | null): string {
  const use = `use (${pooling.join(',')})`;
  const kinds = features.includes('ngrams') ? `${use} + hashed word and character n-grams (TF-IDF)` : use;
  return maxPosts === null ? kinds : `${kinds}, first ${maxPosts} posts embedded`;
}
