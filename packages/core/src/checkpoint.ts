import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeJsonAtomic } from './atomic-write.js';
import type { BestEpochMetric, BestEpochState } from './best-epoch.js';
import type { EpochRecord } from './trainer-events.js';
import { UserError } from './user-error.js';

export const CHECKPOINT_FORMAT = 'masked-mtl-checkpoint';
const CHECKPOINT_VERSION = 1;

interface SerializedTensor {
  name: string;
  shape: number[];
  /** float32 little-endian, base64. */
  data: string;
}

/** Where training stands after a finished epoch: enough to continue bit for bit. */
export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  /** Settings that must match for a resume to mean anything (data, seed, model, batch size...). */
  fingerprint: Record<string, unknown>;
  epoch: number;
  history: EpochRecord[];
  model: SerializedTensor[];
  optimizer: SerializedTensor[];
  /** Adam's running beta powers, which setWeights would recompute with pow() and round differently. */
  optimizerScalars: Record<string, number>;
  /**
   * With best-epoch selection: the best epoch so far, its score and weights, and
   * the patience counter. Absent in checkpoints written without it (or before it
   * existed), which still resume.
   */
  best?: SerializedBestEpoch;
}

interface SerializedBestEpoch {
  metric: BestEpochMetric;
  epoch: number;
  score: number | null;
  epochsWithoutImprovement: number;
  weights: SerializedTensor[];
}

/** Optimizer state that tfjs keeps outside getWeights() (Adam: beta1^t, beta2^t). */
const HIDDEN_SCALARS = ['accBeta1', 'accBeta2'] as const;
type HiddenState = Partial<Record<(typeof HIDDEN_SCALARS)[number], tf.Variable>>;

export interface CheckpointOptions {
  /** A JSON file, rewritten atomically after every epoch. */
  path: string;
  fingerprint: Record<string, unknown>;
  /** Continue from the file at `path` instead of starting fresh. */
  resume?: boolean;
}

export interface CheckpointContents {
  path: string;
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** The epoch just finished. */
  epoch: number;
  history: EpochRecord[];
  fingerprint: Record<string, unknown>;
  best?: BestEpochState;
}

/** One file, written atomically: a crash leaves the previous epoch's checkpoint, never half of one. */
export async function writeCheckpoint({ path, model, optimizer, epoch, history, fingerprint, best }: CheckpointContents): Promise<void> {
  const modelWeights = model.weights.map((w) => ({ name: w.originalName, tensor: w.read() }));
  const checkpoint: Checkpoint = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    fingerprint,
    epoch,
    history,
    model: await Promise.all(modelWeights.map(serialize)),
    optimizer: await serializeOptimizer(optimizer),
    optimizerScalars: Object.fromEntries(
      HIDDEN_SCALARS.flatMap((key) => {
        const variable = (optimizer as unknown as HiddenState)[key];
        return variable ? [[key, variable.dataSync()[0]!]] : [];
      }),
    ),
    ...(best ? { best: serializeBestEpoch(best) } : {}),
  };
  writeJsonAtomic(path, checkpoint);
}

/**
 * Creates the checkpoint's directory before training starts, so a path that
 * cannot be written fails at once with a clear message, not after the first epoch.
 */
export function prepareCheckpointDir(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const why = code === 'EEXIST' ? `${dirname(path)} is a file, not a directory` : code;
    throw new UserError(`checkpoint ${path}: cannot create its directory (${why}). Choose a directory you can write to.`);
  }
}

/** Reads and checks a checkpoint; every problem is a UserError that says what to do. */
export function readCheckpoint(path: string, fingerprint: Record<string, unknown>): Checkpoint {
  if (!existsSync(path))
    throw new UserError(`--resume: no checkpoint at ${path}. Run without --resume to start training, or pass the --out of the interrupted run.`);
  let checkpoint: Partial<Checkpoint>;
  try {
    checkpoint = JSON.parse(readFileSync(path, 'utf8')) as Partial<Checkpoint>;
  } catch {
    throw new UserError(`${path}: not a readable checkpoint (invalid JSON). Delete it and train without --resume.`);
  }
  if (checkpoint.format !== CHECKPOINT_FORMAT || checkpoint.version !== CHECKPOINT_VERSION) {
    throw new UserError(`${path}: not a masked-mtl checkpoint of version ${CHECKPOINT_VERSION}. Delete it and train without --resume.`);
  }
  const complete =
    Number.isInteger(checkpoint.epoch) &&
    Array.isArray(checkpoint.history) &&
    Array.isArray(checkpoint.model) &&
    Array.isArray(checkpoint.optimizer) &&
    [...checkpoint.model, ...checkpoint.optimizer, ...(checkpoint.best?.weights ?? [])].every((t) => typeof t?.data === 'string' && Array.isArray(t.shape)) &&
    (checkpoint.best === undefined || (Number.isInteger(checkpoint.best.epoch) && Array.isArray(checkpoint.best.weights)));
  if (!complete) throw new UserError(`${path}: the checkpoint is incomplete (edited or from another program). Delete it and train without --resume.`);
  const differences = Object.keys({ ...fingerprint, ...checkpoint.fingerprint }).filter(
    (key) => JSON.stringify(fingerprint[key]) !== JSON.stringify(checkpoint.fingerprint?.[key]),
  );
  if (differences.length > 0) {
    const detail = differences.map((k) => `${k}: checkpoint ${JSON.stringify(checkpoint.fingerprint?.[k])}, now ${JSON.stringify(fingerprint[k])}`).join('; ');
    throw new UserError(`--resume: ${path} was made with other settings (${detail}). Rerun with the same settings, or without --resume to start over.`);
  }
  return checkpoint as Checkpoint;
}

/** Puts the checkpoint's weights into the model and the optimizer's state into the optimizer. */
export async function restoreCheckpoint(checkpoint: Checkpoint, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<void> {
  const weights = checkpoint.model.map(deserialize);
  if (weights.length !== model.weights.length || weights.some((w, i) => !sameShape(w.shape, model.weights[i]!.shape))) {
    throw new UserError('--resume: the checkpoint holds a model of another shape. Rerun with the same settings, or without --resume.');
  }
  model.setWeights(weights);
  weights.forEach((w) => w.dispose());
  // setWeights and assign make variables that share these tensors' storage: free the tensors after.
  const state = checkpoint.optimizer.map((s) => ({ name: s.name, tensor: deserialize(s) }));
  await optimizer.setWeights(state);
  state.forEach((s) => s.tensor.dispose());
  for (const [key, value] of Object.entries(checkpoint.optimizerScalars ?? {})) {
    const scalar = tf.scalar(value);
    (optimizer as unknown as HiddenState)[key as (typeof HIDDEN_SCALARS)[number]]?.assign(scalar);
    scalar.dispose();
  }
}

/** The best-epoch state a checkpoint holds, or undefined for one written without it. Its weights must fit the model. */
export function bestEpochStateOf(checkpoint: Checkpoint, model: tf.LayersModel): BestEpochState | undefined {
  const best = checkpoint.best;
  if (!best) return undefined;
  const weights = best.weights.map((w) => ({ name: w.name, shape: w.shape, values: hostValues(w) }));
  if (weights.length > 0 && (weights.length !== model.weights.length || weights.some((w, i) => !sameShape(w.shape, model.weights[i]!.shape)))) {
    throw new UserError("--resume: the checkpoint's best-epoch weights belong to a model of another shape. Rerun with the same settings, or without --resume.");
  }
  return { metric: best.metric, epoch: best.epoch, score: best.score, epochsWithoutImprovement: best.epochsWithoutImprovement, weights };
}

function serializeBestEpoch(best: BestEpochState): SerializedBestEpoch {
  return {
    metric: best.metric,
    epoch: best.epoch,
    score: best.score,
    epochsWithoutImprovement: best.epochsWithoutImprovement,
    weights: best.weights.map((w) => ({ name: w.name, shape: w.shape, data: base64(w.values) })),
  };
}

/** getWeights() returns the optimizer's variables plus a fresh 'iter' scalar, which is ours to free. */
async function serializeOptimizer(optimizer: tf.Optimizer): Promise<SerializedTensor[]> {
  const weights = await optimizer.getWeights();
  try {
    return await Promise.all(weights.map(serialize));
  } finally {
    for (const w of weights) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  }
}

async function serialize({ name, tensor }: { name: string; tensor: tf.Tensor }): Promise<SerializedTensor> {
  return { name, shape: tensor.shape, data: base64((await tensor.data()) as Float32Array) };
}

function base64(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function hostValues(s: SerializedTensor): Float32Array {
  const bytes = Buffer.from(s.data, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function deserialize(s: SerializedTensor): tf.Tensor {
  return tf.tensor(hostValues(s), s.shape);
}

function sameShape(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
