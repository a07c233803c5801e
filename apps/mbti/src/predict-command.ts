import { readFileSync } from 'node:fs';
import { loadBackend, predictProbabilities, createMatrix, type BackendRequest, UserError } from '@mtl/core';
import { EMBEDDING_SIZE, encoderId, loadSentenceEncoder } from '@mtl/embedding';
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
 * Kaggle file, cleaned the same way as in training, embedded and averaged.
 */
export async function runPredict(settings: PredictSettings): Promise<Prediction> {
  const text = inputText(settings);
  const posts = cleanPosts(text);
  if (posts.length === 0)
    throw new UserError('nothing to predict from: the text is empty once URLs and type codes are removed. Give some sentences the person wrote.');
  const backend = await loadBackend({ request: settings.backend, ...(settings.backend ? { requestedBy: `--backend ${settings.backend}` } : {}) });
  const { model } = await loadMbtiModel(settings.model, encoderId(settings.modelDir));
  const encoder = await loadSentenceEncoder(settings.modelDir);
  try {
    const vectors = await encoder.embed(posts);
    const mean = createMatrix(1, EMBEDDING_SIZE);
    for (let i = 0; i < posts.length; i++) for (let j = 0; j < EMBEDDING_SIZE; j++) mean.data[j]! += vectors[i * EMBEDDING_SIZE + j]! / posts.length;
    const probs = predictProbabilities(model, mean).data;
    return {
      type: typeFromProbabilities(probs),
      probabilities: Object.fromEntries(AXES.map((axis, i) => [axis, probs[i]!])),
      posts: posts.length,
      backend: backend.name,
    };
  } finally {
    encoder.dispose();
    model.dispose();
  }
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
