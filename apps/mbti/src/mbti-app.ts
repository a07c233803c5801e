import { buildMultiHeadModel } from '@mtl/core';
import { EMBEDDING_SIZE } from '@mtl/embedding';
import { type ExperimentApp, trainCommand } from '@mtl/kit';
import { dataPath } from './data-location.js';
import { embedCsv } from './embedding-run.js';
import { cacheOption, embeddingSettings, modelDirOption, workersOption } from './embedding-flags.js';
import { labelMatrix } from './mbti-dataset.js';
import { AXES } from './personality-type.js';
import { CLEANING_VERSION } from './post-cleaning.js';
import type { EmbeddingStats } from './person-vectors.js';

export const DEFAULT_EPOCHS = 100;

/** `mbti train`: the kit's common flags, the data file and the embedding flags. */
export function mbtiTrainCommand() {
  return trainCommand({
    name: 'train',
    description: 'read the CSV, embed posts (cached), train the four heads, evaluate, write results.json, the charts and the model',
    defaults: { epochs: DEFAULT_EPOCHS, missingRate: 0.3, batchSize: 32, learningRate: 0.001, bestEpoch: 'auc', patience: 15, rowNoun: 'people' },
  })
    .option('--data <path>', 'Kaggle-format CSV (type,posts); default datasets/mbti/mbti_1.csv')
    .addOption(cacheOption())
    .addOption(modelDirOption())
    .addOption(workersOption());
}

export type MbtiTrainOptions = ReturnType<ReturnType<typeof mbtiTrainCommand>['opts']>;

/** The architecture every variant shares: one small trunk over the 512-d person vector, one sigmoid per axis. */
function buildMbtiModel(heads: readonly string[], seed: number) {
  return buildMultiHeadModel({
    inputSize: EMBEDDING_SIZE,
    trunk: [{ units: 64, activation: 'relu', dropout: 0.25 }],
    heads: heads.map((name) => ({ name })),
    seed,
  });
}

/** MBTI on the kit: reading, cleaning and person vectors; the kit does the rest. */
export const mbtiApp: ExperimentApp<MbtiTrainOptions> = {
  name: 'mbti',
  async load(options, context) {
    const data = dataPath(options.data);
    context.onEvent({ type: 'notice', level: 'info', message: `reading and embedding ${data}` });
    const { vectors, encoder } = await embedCsv(data, embeddingSettings(options), { ...context, resumeHint: context.commandLine });
    return {
      x: vectors.x,
      y: labelMatrix(vectors.types),
      tasks: AXES,
      // The 16 type codes: each part keeps the mix of types.
      strata: vectors.types,
      details: { data, encoder },
      fingerprint: { data, people: vectors.types.length, encoder, cleaningVersion: CLEANING_VERSION },
      facts: {
        people: { total: vectors.types.length, skippedInvalidType: vectors.summary.invalidType.count, skippedNoPosts: vectors.summary.noPosts.count },
        embedding: vectors.stats,
      },
    };
  },
  buildModel: ({ heads, seed }) => buildMbtiModel(heads, seed),
  modelSettings: (data) => ({ encoder: data.details?.['encoder'], embeddingSize: EMBEDDING_SIZE, cleaningVersion: CLEANING_VERSION }),
  summary: (results) => {
    const e = results.appFacts['embedding'] as EmbeddingStats | undefined;
    if (!e) return [];
    return [
      `embedding: ${e.posts} posts (${e.unique} distinct), ${e.cacheHits} from the cache, ${e.embedded} embedded` +
        (e.embedded > 0 ? ` at ${e.postsPerSecond.toFixed(1)} posts/s (${e.where})` : ''),
    ];
  },
};
