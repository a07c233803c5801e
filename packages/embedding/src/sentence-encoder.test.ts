import { loadBackend } from '@mtl/core';
import { EMBEDDING_SIZE, encoderId, loadSentenceEncoder, defaultModelDir, type SentenceEncoder } from './sentence-encoder.js';

function cosine(v: Float32Array, a: number, b: number): number {
  let dot = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < EMBEDDING_SIZE; i++) {
    const x = v[a * EMBEDDING_SIZE + i]!,
      y = v[b * EMBEDDING_SIZE + i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

describe('the real USE-lite encoder, loaded offline from universal-sentence-encoder-node', () => {
  let encoder: SentenceEncoder;
  beforeAll(async () => {
    await loadBackend();
    encoder = await loadSentenceEncoder();
  });
  afterAll(() => encoder.dispose());

  it('gives 512-d vectors, paraphrases closer than an unrelated sentence', async () => {
    const v = await encoder.embed([
      'How old are you?',
      'What is your age?',
      'The stock market fell sharply today.',
      'I love my dog.',
      'My puppy is my favourite.',
    ]);
    expect(v.length).toBe(5 * EMBEDDING_SIZE);
    expect(cosine(v, 0, 1)).toBeGreaterThan(cosine(v, 0, 2) + 0.3);
    expect(cosine(v, 3, 4)).toBeGreaterThan(cosine(v, 3, 2));
  });

  it('embeds a text the same alone or in a batch with longer ones', async () => {
    const alone = await encoder.embed(['short text']);
    const batch = await encoder.embed(['a much longer text that makes the batch pad to more tokens than the short one', 'short text']);
    for (let i = 0; i < EMBEDDING_SIZE; i++) expect(batch[EMBEDDING_SIZE + i]).toBeCloseTo(alone[i]!, 4);
  });

  it('gives the vectors of the stock wasm kernels (fast attention matmuls change only float rounding)', async () => {
    const texts = ['How old are you?', 'I love my dog, and https://www.youtube.com/watch?v=qsXHcwe3krw is my favourite video of him.'];
    // First 6 components computed with the stock tfjs-backend-wasm 4.22 kernels, before useFastWasmKernels.
    const stock = [
      [0.038685, 0.050444, -0.045524, 0.056079, -0.060077, -0.055097],
      [-0.019749, -0.019726, 0.057364, -0.023705, -0.005907, 0.035278],
    ];
    const v = await encoder.embed(texts);
    stock.forEach((row, r) => row.forEach((x, i) => expect(Math.abs(v[r * EMBEDDING_SIZE + i]! - x)).toBeLessThan(1e-4)));
    const fromTokens = await encoder.embedTokens(texts.map((text) => encoder.tokenize(text)));
    expect(Array.from(fromTokens)).toEqual(Array.from(v));
  });

  it('gives an empty text one vector wherever it stands in a batch (the graph has no row for it at the end)', async () => {
    const alone = await encoder.embed(['']);
    const first = await encoder.embed(['', 'hello']);
    const last = await encoder.embed(['hello', '', '']);
    expect(alone.length).toBe(EMBEDDING_SIZE);
    expect(last.length).toBe(3 * EMBEDDING_SIZE);
    for (const i of [0, 7, 511]) {
      expect(alone[i]).toBeCloseTo(first[i]!, 5);
      expect(last[EMBEDDING_SIZE + i]).toBeCloseTo(first[i]!, 5);
      expect(last[2 * EMBEDDING_SIZE + i]).toBeCloseTo(first[i]!, 5);
      expect(last[i]).toBeCloseTo(first[EMBEDDING_SIZE + i]!, 4);
    }
  });

  it('is identified by the content of its files', () => {
    expect(encoder.id).toBe(encoderId(defaultModelDir()));
    expect(encoder.id).toMatch(/^use-lite-[0-9a-f]{16}$/);
  });

  it('names the missing file of a bad --model-dir', async () => {
    await expect(loadSentenceEncoder('/nonexistent/use')).rejects.toThrow(/--model-dir \/nonexistent\/use: \/nonexistent\/use\/model\.json is missing/);
  });

  it("names the caller's flag in errors about the model files", async () => {
    await expect(loadSentenceEncoder({ modelDir: '/nonexistent/use', flag: '--encoder-dir' })).rejects.toThrow(
      /--encoder-dir \/nonexistent\/use: \/nonexistent\/use\/model\.json is missing\. Point --encoder-dir at a USE-lite directory/,
    );
    expect(() => encoderId({ modelDir: '/nonexistent/use', flag: '--encoder-dir' })).toThrow(/^--encoder-dir \/nonexistent\/use:/);
  });
});
