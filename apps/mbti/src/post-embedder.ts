import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BackendRequest } from '@mtl/core';
import { encoderId, loadSentenceEncoder, loadTokenizer, type SentenceEncoder } from './sentence-encoder.js';

/** Embeds batches of posts, in this thread or spread over worker threads. */
export interface PostEmbedder {
  readonly id: string;
  /** Batches that may usefully be in flight at once. */
  readonly parallelism: number;
  readonly where: string;
  embed(texts: readonly string[]): Promise<Float32Array>;
  /** SentencePiece ids, in this thread: the caller sorts posts by token count, workers do not tokenize again. */
  tokenize(text: string): number[];
  embedTokens(encodings: ReadonlyArray<ArrayLike<number>>): Promise<Float32Array>;
  close(): Promise<void>;
}

export interface PostEmbedderOptions {
  modelDir: string;
  backend: BackendRequest;
  /** 0 = embed in this thread. */
  workers: number;
}

const WORKER_URL = new URL('./embedding-worker.js', import.meta.url);

export async function createPostEmbedder(options: PostEmbedderOptions): Promise<PostEmbedder> {
  // Workers need compiled JavaScript; from TypeScript sources (unit tests) embed in-process.
  const workerFile = fileURLToPath(WORKER_URL);
  if (options.workers > 0 && existsSync(workerFile)) return createWorkerPool(options, workerFile);
  const encoder = await loadSentenceEncoder(options.modelDir);
  return inProcess(encoder);
}

function inProcess(encoder: SentenceEncoder): PostEmbedder {
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

async function createWorkerPool(options: PostEmbedderOptions, workerFile: string): Promise<PostEmbedder> {
  const id = encoderId(options.modelDir);
  const tokenizer = loadTokenizer(options.modelDir);
  const pending = new Map<number, { resolve: (v: Float32Array) => void; reject: (e: Error) => void }>();
  const idle: Worker[] = [];
  const waiting: Array<(worker: Worker) => void> = [];
  let nextId = 0;
  let closed = false;

  const workers = await Promise.all(
    Array.from({ length: options.workers }, () =>
      new Promise<Worker>((resolve, reject) => {
        const worker = new Worker(workerFile, { workerData: { backend: options.backend, modelDir: options.modelDir } });
        worker.once('message', (message: { ready?: boolean; failed?: string }) => {
          if (message.ready) resolve(worker);
          else reject(new Error(`embedding worker failed to start: ${message.failed}`));
        });
        worker.once('error', reject);
      }),
    ),
  );
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
