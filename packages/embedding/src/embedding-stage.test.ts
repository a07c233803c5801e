import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '@mtl/core';
import { EmbeddingCache } from './embedding-cache.js';
import { EmbeddingStage } from './embedding-stage.js';
import { EMBEDDING_SIZE } from './sentence-encoder.js';
import type { TextEmbedder } from './text-embedder.js';

/** Vector of a text = its length in every component; counts the texts it embeds. */
function fakeEmbedder(embeddedTexts: string[]): () => Promise<TextEmbedder> {
  const embedTokens = async (encodings: ReadonlyArray<ArrayLike<number>>) => {
    const out = new Float32Array(encodings.length * EMBEDDING_SIZE);
    encodings.forEach((e, i) => {
      embeddedTexts.push(String.fromCharCode(...Array.from(e)));
      out.fill(e.length, i * EMBEDDING_SIZE, (i + 1) * EMBEDDING_SIZE);
    });
    return out;
  };
  const tokenize = (text: string) => Array.from(text, (c) => c.charCodeAt(0));
  return async () => ({ id: 'fake', parallelism: 1, where: 'here', tokenize, embedTokens, embed: (t) => embedTokens(t.map(tokenize)), close: async () => {} });
}

describe('EmbeddingStage', () => {
  it('embeds a text once across chunks: a later chunk reads it from the cache; progress ends exactly at the total', async () => {
    const cache = new EmbeddingCache({ dir: mkdtempSync(join(tmpdir(), 'embedding-stage-')), encoder: 'fake' });
    const embedded: string[] = [];
    const events: RunEvent[] = [];
    const stage = new EmbeddingStage({ cache, createEmbedder: fakeEmbedder(embedded), onEvent: (e) => events.push(e), unit: 'posts' });
    const chunks = [['aa', 'b'], ['b', 'cccc', 'aa'], ['dd']];
    for (const chunk of chunks) for (const text of chunk) stage.count(text);
    const vectors = [];
    for (const chunk of chunks) vectors.push(await stage.vectors(chunk));
    const stats = stage.finish();
    await stage.close();

    expect(embedded).toEqual(['aa', 'b', 'cccc', 'dd']); // the first chunk's two in token order, longest first
    expect(vectors.map((v) => Array.from({ length: v.length / EMBEDDING_SIZE }, (_, r) => v[r * EMBEDDING_SIZE]))).toEqual([[2, 1], [1, 4, 2], [2]]);
    expect(stats).toMatchObject({ texts: 6, unique: 4, cacheHits: 0, embedded: 4, where: 'here' });
    expect(events.at(-1)).toMatchObject({ type: 'stage', unit: 'posts', done: 4, total: 4, finished: true });
    cache.close();
  });

  it('refuses to count once vectors were asked for: the total would be wrong', async () => {
    const cache = new EmbeddingCache({ dir: mkdtempSync(join(tmpdir(), 'embedding-stage-')), encoder: 'fake' });
    const stage = new EmbeddingStage({ cache, createEmbedder: fakeEmbedder([]) });
    stage.count('a');
    await stage.vectors(['a']);
    expect(() => stage.count('b')).toThrow(/count every text first/);
    await stage.close();
    cache.close();
  });

  it('refuses a batch size that is not a whole number of at least 1', () => {
    const cache = new EmbeddingCache({ dir: mkdtempSync(join(tmpdir(), 'embedding-stage-')), encoder: 'fake' });
    expect(() => new EmbeddingStage({ cache, createEmbedder: fakeEmbedder([]), batchSize: 0 })).toThrow(/batchSize 0: expected a whole number of at least 1/);
    cache.close();
  });
});
