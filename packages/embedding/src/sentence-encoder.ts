import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { tf, UserError } from '@mtl/core';
import { useFastWasmKernels } from '@mtl/core/internal';
import { useFastEncoderKernels } from './encoder-kernels.js';
import { fuseBiasAdds, type GraphNode } from './graph-fusion.js';
import { SentencePieceTokenizer, type Vocabulary } from './sentence-piece.js';

/** Width of a Universal Sentence Encoder vector. */
export const EMBEDDING_SIZE = 512;

/** SentencePiece ids of one text: what the graph reads. */
export interface TextTokenizer {
  encode(input: string): number[];
}

export interface SentenceEncoder {
  /** Identifies the weights: part of every cache key, stored with trained models. */
  readonly id: string;
  readonly modelDir: string;
  /** One 512-d row per text, row-major. */
  embed(texts: readonly string[]): Promise<Float32Array>;
  tokenize(text: string): number[];
  /** The same as `embed` for texts already tokenized (so batches can be sorted by token count first). */
  embedTokens(encodings: ReadonlyArray<ArrayLike<number>>): Promise<Float32Array>;
  dispose(): void;
}

/** Where the USE-lite files are, and how the user chose that place (for errors). */
export interface ModelDirOptions {
  /** model.json, its weight shards and vocab.json; default: the copy in universal-sentence-encoder-node. */
  modelDir?: string;
  /** The flag (or setting) that set modelDir, named in errors; default '--model-dir'. */
  flag?: string;
}

/** A plain string is the model directory, chosen by --model-dir. */
export type ModelDirSource = ModelDirOptions | string;

const require = createRequire(import.meta.url);

function modelDirOf(source: ModelDirSource): { modelDir: string; flag: string } {
  const options = typeof source === 'string' ? { modelDir: source } : source;
  return { modelDir: options.modelDir ?? defaultModelDir(), flag: options.flag ?? '--model-dir' };
}

/** The USE-lite files (TF Hub layout) shipped inside the npm package universal-sentence-encoder-node. */
export function defaultModelDir(): string {
  const pkg = require.resolve('universal-sentence-encoder-node/package.json');
  return join(dirname(pkg), 'models', 'universal-sentence-encoder-lite_1');
}

/**
 * Loads USE-lite from a directory (model.json, its weight shards, vocab.json)
 * without any network access. The package's own `load()` fetches from
 * tfhub/googleapis, so the graph model is built through an in-memory IO
 * handler (biases folded into their matmuls: `fuseBiasAdds`), and the tokenizer
 * reads the vocabulary from disk.
 */
export async function loadSentenceEncoder(source: ModelDirSource = {}): Promise<SentenceEncoder> {
  const { modelDir, flag } = modelDirOf(source);
  requireModelFiles(modelDir, flag);
  // The attention products are batched matmuls, which the stock wasm kernel
  // runs in a scalar loop (~20 % of a batch's time); the embedding lookup and
  // the Q/K/V split copy element by element (~4 %). Profile: README.md.
  if (tf.getBackend() === 'wasm') {
    useFastWasmKernels();
    useFastEncoderKernels();
  }

  const artifacts = readModelArtifacts({ modelDir, flag });
  const nodes = (artifacts.modelTopology as { node: GraphNode[] }).node;
  const model = await tf.loadGraphModel(tf.io.fromMemory({ ...artifacts, modelTopology: { ...artifacts.modelTopology, node: fuseBiasAdds(nodes) } }));
  const tokenizer = loadTokenizer({ modelDir, flag });
  const runGraph = async (encodings: ReadonlyArray<ArrayLike<number>>): Promise<Float32Array> => {
    if (encodings.length === 0) return new Float32Array(0);
    const tokens = encodings.reduce((n, e) => n + e.length, 0);
    const indices = new Int32Array(tokens * 2);
    const values = new Int32Array(tokens);
    let k = 0;
    encodings.forEach((ids, row) => {
      for (let j = 0; j < ids.length; j++, k++) {
        indices[2 * k] = row;
        indices[2 * k + 1] = j;
        values[k] = ids[j]!;
      }
    });
    const inputs = { indices: tf.tensor2d(indices, [tokens, 2], 'int32'), values: tf.tensor1d(values, 'int32') };
    try {
      const output = (await model.executeAsync(inputs)) as tf.Tensor;
      try {
        return (await output.data()) as Float32Array;
      } finally {
        output.dispose();
      }
    } finally {
      inputs.indices.dispose();
      inputs.values.dispose();
    }
  };
  // A text without tokens ('') has no entry in the sparse input, and the graph
  // sizes its output by the last row that has one: such texts at the end of a
  // batch would get no row, and a batch of only such texts fails. They get the
  // vector the graph gives an empty row that comes before a non-empty one.
  let emptyRow: Float32Array | undefined;
  const embedTokens = async (encodings: ReadonlyArray<ArrayLike<number>>): Promise<Float32Array> => {
    const last = encodings.findLastIndex((ids) => ids.length > 0);
    if (last === encodings.length - 1) return runGraph(encodings);
    emptyRow ??= (await runGraph([[], tokenizer.encode('a')])).slice(0, EMBEDDING_SIZE);
    const out = new Float32Array(encodings.length * EMBEDDING_SIZE);
    out.set(await runGraph(encodings.slice(0, last + 1)));
    for (let row = last + 1; row < encodings.length; row++) out.set(emptyRow, row * EMBEDDING_SIZE);
    return out;
  };
  return {
    id: encoderId({ modelDir, flag }),
    modelDir,
    embed: (texts) => embedTokens(texts.map((text) => tokenizer.encode(text))),
    tokenize: (text) => tokenizer.encode(text),
    embedTokens,
    dispose() {
      model.dispose();
    },
  };
}

/** model.json's graph and the weights of its shards, as `tf.io.fromMemory` takes them. */
export function readModelArtifacts(source: ModelDirSource = {}): tf.io.ModelArtifacts & { modelTopology: object } {
  const { modelDir, flag } = modelDirOf(source);
  requireModelFiles(modelDir, flag);
  const manifestJson = readJson<{ modelTopology: object; weightsManifest: tf.io.WeightsManifestConfig }>(join(modelDir, 'model.json'), flag);
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const shards: Buffer[] = [];
  for (const group of manifestJson.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const shard of group.paths) shards.push(readFileSync(shardPath(modelDir, shard, flag)));
  }
  const weights = Buffer.concat(shards);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  return { modelTopology: manifestJson.modelTopology, weightSpecs, weightData };
}

/** The tokenizer alone (vocab.json, no graph): cheap enough for the main thread that sorts texts into batches. */
export function loadTokenizer(source: ModelDirSource = {}): TextTokenizer {
  const { modelDir, flag } = modelDirOf(source);
  requireModelFiles(modelDir, flag);
  return new SentencePieceTokenizer(readJson<Vocabulary>(join(modelDir, 'vocab.json'), flag));
}

function requireModelFiles(modelDir: string, flag: string): void {
  for (const path of [join(modelDir, 'model.json'), join(modelDir, 'vocab.json')]) {
    if (!existsSync(path))
      throw new UserError(`${flag} ${modelDir}: ${path} is missing. Point ${flag} at a USE-lite directory (model.json, weight shards, vocab.json).`);
  }
}

/**
 * The content hash of model.json, the shards and vocab.json, not the path: the
 * same files anywhere share cache entries, and changed files never reuse the
 * old vectors. Cheap enough to compute without loading the graph, so the main
 * thread knows the cache key while workers load the model.
 */
export function encoderId(source: ModelDirSource = {}): string {
  const { modelDir, flag } = modelDirOf(source);
  const modelPath = join(modelDir, 'model.json');
  requireModelFiles(modelDir, flag);
  const hash = createHash('sha256');
  hash.update(readFileSync(modelPath));
  const manifest = readJson<{ weightsManifest: tf.io.WeightsManifestConfig }>(modelPath, flag);
  for (const group of manifest.weightsManifest) for (const shard of group.paths) hash.update(readFileSync(shardPath(modelDir, shard, flag)));
  hash.update(readFileSync(join(modelDir, 'vocab.json')));
  return `use-lite-${hash.digest('hex').slice(0, 16)}`;
}

function shardPath(modelDir: string, shard: string, flag: string): string {
  const path = join(modelDir, shard);
  if (!existsSync(path))
    throw new UserError(`${flag} ${modelDir}: weight shard ${path} is missing. The model directory is incomplete: point ${flag} at a complete USE-lite copy.`);
  return path;
}

function readJson<T>(path: string, flag: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new UserError(`${flag}: ${path} is not valid JSON (${(error as Error).message}). Point ${flag} at an intact USE-lite directory.`);
  }
}
