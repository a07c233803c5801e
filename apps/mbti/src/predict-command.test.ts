import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBackend, TrainingControl } from '@mtl/core';
import { createTextEmbedder, defaultModelDir, type TextEmbedder } from '@mtl/embedding';
import { readPeople } from './csv-reader.js';
import { embedCsv } from './embedding-run.js';
import { DEFAULT_NGRAMS } from './ngram-hashing.js';
import { featureRecipe, fitPersonFeatures, personFeatures } from './person-features.js';
import { personInput } from './predict-command.js';

const FIXTURE = 'test/fixtures/mbti-tiny.csv';

describe('predict builds the input evaluate and train build, from the saved recipe', () => {
  let embedder: TextEmbedder;
  beforeAll(async () => {
    await loadBackend();
    embedder = await createTextEmbedder({ modelDir: defaultModelDir(), workers: 0 });
  });
  afterAll(() => embedder.close());

  it('pooling, the cap on posts embedded and the fitted n-grams agree person by person', async () => {
    const recipe = featureRecipe({
      features: ['use', 'ngrams'],
      pooling: ['mean', 'sd'],
      maxPosts: 2,
      ngrams: { ...DEFAULT_NGRAMS, wordBuckets: 128, charBuckets: 256 },
    });
    const settings = { cacheDir: mkdtempSync(join(tmpdir(), 'mbti-input-')), modelDir: defaultModelDir(), workers: 0, backend: undefined };
    const context = { onEvent: () => {}, control: new TrainingControl(), resumeHint: '' };
    const { vectors, ngrams } = await embedCsv(FIXTURE, settings, context, recipe);
    const raw = { pooled: vectors.x, ngrams };
    const fitted = fitPersonFeatures(raw, recipe, Int32Array.from([0, 1, 2]));
    const fromFile = personFeatures(raw, recipe, fitted);
    expect(vectors.stats.posts).toBe(12); // 13 posts: the INTJ's 3 capped at 2
    let person = 0;
    for await (const { posts } of readPeople(FIXTURE).people) {
      const row = await personInput({ posts, recipe, fitted, embed: (texts) => embedder.embed(texts) });
      const expected = fromFile.data.subarray(person * fromFile.cols, (person + 1) * fromFile.cols);
      expect(row.cols).toBe(fromFile.cols);
      // Batches of other posts pad differently: the encoder's vectors agree to about 1e-6.
      expect(Math.max(...row.data.map((v, j) => Math.abs(v - expected[j]!)))).toBeLessThan(1e-4);
      person++;
    }
    expect(person).toBe(6);
  });
});
