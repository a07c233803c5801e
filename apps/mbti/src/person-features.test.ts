import { createMatrix } from '@mtl/core';
import { EMBEDDING_SIZE } from '@mtl/embedding';
import { hashNgrams, type NgramSettings, type SparseCounts } from './ngram-hashing.js';
import { featureRecipe, fitPersonFeatures, personFeatures } from './person-features.js';
import { poolInto } from './person-vectors.js';
import { fitIdf, tfidfInto } from './tfidf-weighting.js';

const sparse = (entries: Record<number, number>): SparseCounts => {
  const indices = Int32Array.from(Object.keys(entries).map(Number)).sort();
  return { indices, counts: Float32Array.from(indices, (c) => entries[c]!) };
};

describe('fitIdf', () => {
  // Columns 0..3 over 4 people: column 0 used by everyone, 1 by two, 2 by one, 3 by nobody.
  const counts = [sparse({ 0: 3, 1: 1 }), sparse({ 0: 1, 1: 2, 2: 5 }), sparse({ 0: 1 }), sparse({ 0: 2 })];

  it('is ln((1 + n) / (1 + df)) + 1 over the training people, by hand', () => {
    const idf = fitIdf({ counts, trainRows: [0, 1, 2, 3], width: 4, minPeople: 1 });
    expect(idf[0]).toBeCloseTo(1, 6);
    expect(idf[1]).toBeCloseTo(Math.log(5 / 3) + 1, 6);
    expect(idf[2]).toBeCloseTo(Math.log(5 / 2) + 1, 6);
    expect(idf[3]).toBe(0);
  });

  it('gives 0 to a column fewer than minPeople training people use', () => {
    const idf = fitIdf({ counts, trainRows: [0, 1, 2, 3], width: 4, minPeople: 2 });
    expect(idf[2]).toBe(0);
    expect(idf[1]).toBeGreaterThan(0);
  });

  it('reads only the training rows: what others wrote changes nothing', () => {
    const before = fitIdf({ counts, trainRows: [0, 2], width: 4, minPeople: 1 });
    const changed = [...counts];
    changed[1] = sparse({ 2: 9, 3: 9 });
    changed[3] = sparse({ 1: 4 });
    expect(fitIdf({ counts: changed, trainRows: [0, 2], width: 4, minPeople: 1 })).toEqual(before);
    // With rows 0 and 2 only: column 1 in one of two people, column 2 in none.
    expect(before[1]).toBeCloseTo(Math.log(3 / 2) + 1, 6);
    expect(before[2]).toBe(0);
  });
});

describe('tfidfInto', () => {
  it('weighs 1 + ln(count) by idf and scales each block to unit length on its own', () => {
    const target = new Float32Array(4);
    tfidfInto(target, sparse({ 0: 1, 1: Math.E, 3: 1 }), Float32Array.from([1, 2, 7, 3]), [2, 2]);
    // Block 1: (1, 2 * 2) / sqrt(17); block 2: (0, 3) / 3.
    [1 / Math.sqrt(17), 4 / Math.sqrt(17), 0, 1].forEach((v, i) => expect(target[i]).toBeCloseTo(v, 6));
  });
});

describe('person features', () => {
  const settings: NgramSettings = { words: [1, 2], chars: [3, 5], wordBuckets: 64, charBuckets: 128 };
  const posts = [
    ['I plan everything.', 'Lists keep me calm.'],
    ['Spontaneous trip!', 'Who is in?'],
    ['Reading alone tonight.'],
    ['Party at mine, everyone come!'],
  ];
  const raw = () => {
    const pooled = createMatrix(posts.length, EMBEDDING_SIZE);
    pooled.data.forEach((_, i) => (pooled.data[i] = (i % 7) / 10));
    return { pooled, ngrams: posts.map((p) => hashNgrams(p, settings)) };
  };

  it('the recipe says what the columns are: 512 per pooling, then the n-gram blocks', () => {
    expect(featureRecipe({ features: ['use'], pooling: ['mean'], maxPosts: null, ngrams: settings })).toMatchObject({ width: 512, ngrams: null });
    const both = featureRecipe({ features: ['use', 'ngrams'], pooling: ['mean', 'max'], maxPosts: 20, ngrams: settings });
    expect(both).toMatchObject({ width: 1024 + 192, maxPosts: 20, ngrams: { wordBuckets: 64, charBuckets: 128, hashing: 1, weight: 0.1 } });
  });

  it('sentence vectors pass through; n-gram blocks are TF-IDF rows of unit length times the weight', () => {
    const recipe = featureRecipe({ features: ['use', 'ngrams'], pooling: ['mean'], maxPosts: null, ngrams: settings });
    const data = raw();
    const fitted = fitPersonFeatures(data, recipe, Int32Array.from([0, 1, 2, 3]));
    const x = personFeatures(data, recipe, fitted);
    expect(x.cols).toBe(512 + 192);
    expect(Array.from(x.data.subarray(x.cols, x.cols + 512))).toEqual(Array.from(data.pooled.data.subarray(512, 1024)));
    const norm = (from: number, to: number) => Math.hypot(...x.data.subarray(x.cols + from, x.cols + to));
    expect(norm(512, 512 + 64)).toBeCloseTo(0.1, 5);
    expect(norm(512 + 64, 512 + 192)).toBeCloseTo(0.1, 5);
  });

  it('fitted on training people only: changing a held-out person changes their row and nothing learnt', () => {
    const recipe = featureRecipe({ features: ['use', 'ngrams'], pooling: ['mean'], maxPosts: null, ngrams: settings });
    const train = Int32Array.from([0, 1, 2]);
    const data = raw();
    const fitted = fitPersonFeatures(data, recipe, train);
    const other = raw();
    other.ngrams[3] = hashNgrams(['Completely different words about astronomy and telescopes'], settings);
    const refitted = fitPersonFeatures(other, recipe, train);
    expect(refitted).toEqual(fitted);
    const x = personFeatures(data, recipe, fitted);
    const y = personFeatures(other, recipe, refitted);
    expect(x.data.subarray(0, 3 * x.cols)).toEqual(y.data.subarray(0, 3 * y.cols));
    expect(x.data.subarray(3 * x.cols)).not.toEqual(y.data.subarray(3 * y.cols));
    // Fitted on other people, the idf differs: the fit does read the training rows.
    expect(fitPersonFeatures(data, recipe, Int32Array.from([1, 2, 3]))).not.toEqual(fitted);
  });

  it('a model without n-grams learns nothing from the training people', () => {
    const recipe = featureRecipe({ features: ['use'], pooling: ['mean'], maxPosts: null, ngrams: settings });
    expect(fitPersonFeatures(raw(), recipe, Int32Array.from([0]))).toEqual({ idf: null });
  });
});

describe('poolInto', () => {
  it('mean, max and standard deviation of the post vectors, block by block', () => {
    const vectors = new Float32Array(2 * EMBEDDING_SIZE);
    vectors[0] = 1;
    vectors[EMBEDDING_SIZE] = 3;
    vectors[5] = -2;
    vectors[EMBEDDING_SIZE + 5] = -4;
    const x = createMatrix(2, 3 * EMBEDDING_SIZE);
    poolInto(x, 1, vectors, ['mean', 'max', 'sd']);
    const row = x.data.subarray(3 * EMBEDDING_SIZE);
    expect([row[0], row[5], row[1]]).toEqual([2, -3, 0]);
    expect([row[EMBEDDING_SIZE], row[EMBEDDING_SIZE + 5]]).toEqual([3, -2]);
    expect([row[2 * EMBEDDING_SIZE], row[2 * EMBEDDING_SIZE + 5]]).toEqual([1, 1]);
    expect(x.data.subarray(0, 3 * EMBEDDING_SIZE).every((v) => v === 0)).toBe(true);
  });
});
