import { readFileSync } from 'node:fs';
import { loadBackend, predictProbabilities, createMatrix, type BackendRequest, type Matrix, UserError } from '@mtl/core';
import { EMBEDDING_SIZE, encoderId, loadSentenceEncoder } from '@mtl/embedding';
import { hashNgrams } from './ngram-hashing.js';
import { type FittedFeatures, type MbtiFeatureRecipe, personFeatures } from './person-features.js';
import { embeddedPosts, poolInto } from './person-vectors.js';
import { cleanPosts } from './post-cleaning.js';
import { AXES, typeFromProbabilities } from './personality-type.js';
import { loadMbtiModel } from './saved-mbti-model.js';

export interface PredictSettings {
  text: string | undefined;
  file: string | undefined;
  model: string;
  modelDir: string;
  backend: BackendRequest | undefined;
}

export interface Prediction {
  type: string;
  /** Probability of the first letter of each axis (I, N, T, J). */
  probabilities: Record<string, number>;
  posts: number;
  backend: string;
}

/**
 * Predicts the four axes for one person's text: posts split on "|||" like the
 * Kaggle file, cleaned the same way as in training, and turned into the
 * model's input by the recipe saved with it (the posts embedded and how they
 * are pooled, the hashed n-grams and their idf).
 */
export async function runPredict(settings: PredictSettings): Promise<Prediction> {
  const text = inputText(settings);
  const posts = cleanPosts(text);
  if (posts.length === 0)
    throw new UserError('nothing to predict from: the text is empty once URLs and type codes are removed. Give some sentences the person wrote.');
  const backend = await loadBackend({ request: settings.backend, ...(settings.backend ? { requestedBy: `--backend ${settings.backend}` } : {}) });
  const { model, recipe, fitted } = await loadMbtiModel(settings.model, encoderId(settings.modelDir));
  try {
    const encoder = await loadSentenceEncoder(settings.modelDir);
    let x: Matrix;
    try {
      x = await personInput({ posts, recipe, fitted, embed: (texts) => encoder.embed(texts) });
    } finally {
      encoder.dispose();
    }
    const probs = predictProbabilities(model, x).data;
    return {
      type: typeFromProbabilities(probs),
      probabilities: Object.fromEntries(AXES.map((axis, i) => [axis, probs[i]!])),
      posts: posts.length,
      backend: backend.name,
    };
  } finally {
    model.dispose();
  }
}

/** One person's input row, as `mbti train` and `mbti evaluate` build it from a file: the recipe's posts embedded and pooled, its n-grams of every post. */
export async function personInput(input: {
  posts: readonly string[];
  recipe: MbtiFeatureRecipe;
  fitted: FittedFeatures;
  embed: (texts: string[]) => Promise<Float32Array>;
}): Promise<Matrix> {
  const { posts, recipe, fitted } = input;
  const vectors = await input.embed([...embeddedPosts(posts, recipe.maxPosts ?? undefined)]);
  const pooled = createMatrix(1, EMBEDDING_SIZE * recipe.pooling.length);
  poolInto(pooled, 0, vectors, recipe.pooling);
  const ngrams = recipe.ngrams ? [hashNgrams(posts, recipe.ngrams)] : null;
  return personFeatures({ pooled, ngrams }, recipe, fitted);
}

export function formatPrediction(p: Prediction): string {
  const lines = [`type: ${p.type}  (${p.posts} post${p.posts === 1 ? '' : 's'}, backend ${p.backend})`];
  for (const axis of AXES) {
    const prob = p.probabilities[axis]!;
    lines.push(`  ${axis}: ${axis[0]} ${(prob * 100).toFixed(1).padStart(5)} %  ${axis[1]} ${((1 - prob) * 100).toFixed(1).padStart(5)} %`);
  }
  return lines.join('\n');
}

function inputText(settings: PredictSettings): string {
  if (settings.text !== undefined && settings.file !== undefined) throw new UserError('give either a text or --file PATH, not both.');
  if (settings.file !== undefined) {
    try {
      return readFileSync(settings.file, 'utf8');
    } catch (error) {
      throw new UserError(`--file ${settings.file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)}). Check the path.`);
    }
  }
  if (settings.text === undefined) throw new UserError('nothing to predict: give a text (mbti predict "some text") or --file PATH.');
  return settings.text;
}
