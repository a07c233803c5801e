import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic, writeJsonAtomic } from './atomic-write.js';
import { UserError } from './user-error.js';

export const MODEL_FORMAT = 'masked-mtl-model';
export const MODEL_FORMAT_VERSION = 1;

export interface ModelMeta {
  format: typeof MODEL_FORMAT;
  version: number;
  /** Which app wrote the model (`toy`, `mbti`, ...). */
  app: string;
  taskNames: string[];
  /** Whatever the app needs to use the model again (flags, encoder id, thresholds...). */
  settings: Record<string, unknown>;
  savedAt: string;
  /** sha256 of the other files: a model half-overwritten by a crash fails to load. */
  sha256: { 'model.json': string; 'weights.bin': string };
}

export interface SavedModel {
  model: tf.LayersModel;
  meta: ModelMeta;
}

/**
 * Saves topology, weights and meta.json. Each file is written atomically and
 * meta.json last, holding the others' hashes: it is the commit record.
 */
export async function saveModel(
  dir: string,
  model: tf.LayersModel,
  info: { app: string; taskNames: readonly string[]; settings?: Record<string, unknown> },
): Promise<ModelMeta> {
  mkdirSync(dir, { recursive: true });
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const weights = Buffer.from(tf.io.concatenateArrayBuffers(artifactBuffers(artifacts!.weightData)));
  const topology = JSON.stringify({ modelTopology: artifacts!.modelTopology, weightSpecs: artifacts!.weightSpecs });
  writeFileAtomic(join(dir, 'weights.bin'), weights);
  writeFileAtomic(join(dir, 'model.json'), topology);
  const meta: ModelMeta = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    app: info.app,
    taskNames: [...info.taskNames],
    settings: info.settings ?? {},
    savedAt: new Date().toISOString(),
    sha256: { 'model.json': sha256(topology), 'weights.bin': sha256(weights) },
  };
  writeJsonAtomic(join(dir, 'meta.json'), meta);
  return meta;
}

/** Reads meta.json and checks it describes a model of `app`, without loading weights. */
export function readModelMeta(dir: string, app?: string): ModelMeta {
  const metaPath = join(dir, 'meta.json');
  if (!existsSync(metaPath)) {
    throw new UserError(`${dir}: not a saved model (no meta.json). Pass the --out directory of a finished training run.`);
  }
  let meta: Partial<ModelMeta>;
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Partial<ModelMeta>;
  } catch {
    throw new UserError(`${metaPath}: not valid JSON; the model directory is damaged. Train again to recreate it.`);
  }
  if (meta.format !== MODEL_FORMAT) throw new UserError(`${dir}: not a masked-mtl model (meta.json format is ${JSON.stringify(meta.format)}).`);
  if (meta.version !== MODEL_FORMAT_VERSION) {
    throw new UserError(`${dir}: model format version ${meta.version}, this program reads version ${MODEL_FORMAT_VERSION}. Train again with this version.`);
  }
  if (app !== undefined && meta.app !== app) {
    throw new UserError(`${dir}: this model was trained by the "${meta.app}" app, not "${app}". Pass a model directory written by ${app}.`);
  }
  return meta as ModelMeta;
}

export async function loadModel(dir: string, app?: string): Promise<SavedModel> {
  const meta = readModelMeta(dir, app);
  const read = (name: 'model.json' | 'weights.bin'): Buffer => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new UserError(`${path} is missing; the model directory is incomplete. Train again to recreate it.`);
    const bytes = readFileSync(path);
    if (sha256(bytes) !== meta.sha256[name]) {
      throw new UserError(`${path} does not match meta.json (interrupted save or edited file). Train again to recreate the model.`);
    }
    return bytes;
  };
  const { modelTopology, weightSpecs } = JSON.parse(read('model.json').toString('utf8')) as tf.io.ModelArtifacts;
  const weights = read('weights.bin');
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs, weightData }));
  return { model, meta };
}

function artifactBuffers(data: tf.io.WeightData | undefined): ArrayBuffer[] {
  if (data === undefined) return [];
  return Array.isArray(data) ? data : [data];
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
