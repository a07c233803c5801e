import { parentPort, workerData } from 'node:worker_threads';
import { loadBackend, type BackendRequest } from '@mtl/core';
import { loadSentenceEncoder } from './sentence-encoder.js';

/**
 * Worker-thread entry: one encoder per thread, so both cores run the model
 * (tfjs on wasm runs one thread per process). Messages: {id, encodings} (token ids) in,
 * {id, vectors} or {id, error} out; one {ready} or {failed} after loading.
 */
const { backend, modelDir, flag } = workerData as { backend: BackendRequest; modelDir: string; flag: string };
const port = parentPort!;
try {
  await loadBackend({ request: backend });
  const encoder = await loadSentenceEncoder({ modelDir, flag });
  port.postMessage({ ready: true });
  port.on('message', (message: { id: number; encodings: number[][] }) => {
    encoder.embedTokens(message.encodings).then(
      (vectors) => port.postMessage({ id: message.id, vectors }, [vectors.buffer as ArrayBuffer]),
      (error: unknown) => port.postMessage({ id: message.id, error: String((error as Error).message ?? error) }),
    );
  });
} catch (error) {
  port.postMessage({ failed: String((error as Error).message ?? error) });
}
