import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type BackendName, type BackendRequest, tf } from '@mtl/core';
import { defaultModelDir, encoderId, loadSentenceEncoder, loadTokenizer, type SentenceEncoder } from './sentence-encoder.js';

/** Embeds batches of texts, in this thread or spread over worker threads. */
export interface TextEmbedder {
  /** `encoderId()` of the weights. */
  readonly id: string;
  /** Batches that may usefully be in flight at once. */
  readonly parallelism: number;
  /** Where the model runs, for people: 'main thread', '2 worker threads'. */
  readonly where: string;
  embed(texts: readonly string[]): Promise<Float32Array>;
  /** SentencePiece ids, in this thread: the caller sorts texts by token count, workers do not tokenize again. */
  tokenize(text: string): number[];
  embedTokens(encodings: ReadonlyArray<ArrayLike<number>>): Promise<Float32Array>;
  close(): Promise<void>;
}

export interface TextEmbedderOptions {
  /** USE-lite files; default: the copy in universal-sentence-encoder-node. */
  modelDir?: string;
  /** The flag that set modelDir, named in errors; default '--model-dir'. */
  flag?: string;
  /** 0 = embed in this thread; n = a pool of n worker threads, one encoder each. */
  workers: number;
  /** Backend of the worker threads; default: the one this thread runs (see `loadBackend`), else 'auto'. */
  backend?: BackendRequest;
}

const WORKER_URL = new URL('./embedding-worker.js', import.meta.url);

/** Loads the encoder once per worker (or once here) and resolves when every copy is ready. */
export async function createTextEmbedder(options: TextEmbedderOptions): Promise<TextEmbedder> {
  const settings = { modelDir: options.modelDir ?? defaultModelDir(), flag: options.flag ?? '--model-dir' };
  // Workers need compiled JavaScript; from TypeScript sources (unit tests) embed in-process.
  const workerFile = fileURLToPath(WORKER_URL);
  if (options.workers > 0 && existsSync(workerFile)) {
    return createWorkerPool({ ...settings, workers: options.workers, backend: options.backend ?? runningBackend() }, workerFile);
  }
  const encoder = await loadSentenceEncoder(settings);
  return inProcess(encoder);
}

const BACKEND_OF_TFJS: Record<string, BackendName> = { tensorflow: 'node', wasm: 'wasm', cpu: 'cpu' };

/** What this thread runs: workers run the same, whatever chose it (a flag, MTL_BACKEND, auto). */
function runningBackend(): BackendRequest {
  return BACKEND_OF_TFJS[tf.getBackend()] ?? 'auto';
}

function inProcess(encoder: SentenceEncoder): TextEmbedder {
  return {
    id: encoder.id,
    parallelism: 1,
    where: 'main thread',
    embed: (texts) => encoder.embed(texts),
    tokenize: (text) => encoder.tokenize(text),
    embedTokens: (encodings) => encoder.embedTokens(encodings),
    async close() {
      encoder.dispose();
    },
  };
}

interface WorkerPoolSettings {
  modelDir: string;
  flag: string;
  workers: number;
  backend: BackendRequest;
}

async function createWorkerPool(options: WorkerPoolSettings, workerFile: string): Promise<TextEmbedder> {
  const id = encoderId(options);
  const tokenizer = loadTokenizer(options);
  const pending = new Map<number, { resolve: (v: Float32Array) => void; reject: (e: Error) => void }>();
  const idle: Worker[] = [];
  const waiting: Array<(worker: Worker) => void> = [];
  let nextId = 0;
  let closed = false;

  const started = await Promise.allSettled(
    Array.from(
      { length: options.workers },
      () =>
        new Promise<Worker>((resolve, reject) => {
          const worker = new Worker(workerFile, { workerData: { backend: options.backend, modelDir: options.modelDir, flag: options.flag } });
          worker.once('message', (message: { ready?: boolean; failed?: string }) => {
            if (message.ready) resolve(worker);
            else reject(new Error(`embedding worker failed to start: ${message.failed}`));
          });
          worker.once('error', reject);
        }),
    ),
  );
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = started.find((s) => s.status === 'rejected');
  if (failure) {
    // The workers that did start would keep the process alive.
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw failure.reason;
  }
  for (const worker of workers) {
    worker.on('message', (message: { id: number; vectors?: Float32Array; error?: string }) => {
      const request = pending.get(message.id);
      if (!request) return;
      pending.delete(message.id);
      release(worker);
      if (message.vectors) request.resolve(message.vectors);
      else request.reject(new Error(`embedding failed in a worker: ${message.error}`));
    });
    worker.on('error', (error) => {
      for (const request of pending.values()) request.reject(error);
      pending.clear();
    });
    // A worker that dies would otherwise leave its batch waiting forever.
    worker.on('exit', (code) => {
      if (closed) return;
      for (const request of pending.values()) request.reject(new Error(`an embedding worker exited (code ${code})`));
      pending.clear();
    });
    idle.push(worker);
  }

  function release(worker: Worker): void {
    const next = waiting.shift();
    if (next) next(worker);
    else idle.push(worker);
  }

  function acquire(): Promise<Worker> {
    const worker = idle.pop();
    return worker ? Promise.resolve(worker) : new Promise((resolve) => waiting.push(resolve));
  }

  async function embedTokens(encodings: ReadonlyArray<ArrayLike<number>>): Promise<Float32Array> {
    const worker = await acquire();
    const requestId = nextId++;
    return new Promise<Float32Array>((resolve, reject) => {
      pending.set(requestId, { resolve, reject });
      worker.postMessage({ id: requestId, encodings: encodings.map((ids) => Array.from(ids)) });
    });
  }

  return {
    id,
    parallelism: workers.length,
    where: `${workers.length} worker thread${workers.length === 1 ? '' : 's'}`,
    embed: (texts) => embedTokens(texts.map((text) => tokenizer.encode(text))),
    tokenize: (text) => tokenizer.encode(text),
    embedTokens,
    async close() {
      closed = true;
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
