import { fnv1a, hashNgrams, type NgramSettings, ngramWidth, wordTokens } from './ngram-hashing.js';

/** Counts by column, for comparing with hand-hashed n-grams. */
function byColumn(counts: { indices: Int32Array; counts: Float32Array }): Record<number, number> {
  return Object.fromEntries(Array.from(counts.indices, (column, k) => [column, counts.counts[k]!]));
}

/** Adds one to the column of each n-gram, hashed by hand. */
function expected(words: string[], chars: string[], settings: NgramSettings): Record<number, number> {
  const out: Record<number, number> = {};
  for (const w of words) out[fnv1a(w) % settings.wordBuckets] = (out[fnv1a(w) % settings.wordBuckets] ?? 0) + 1;
  for (const c of chars) {
    const column = settings.wordBuckets + (fnv1a(c) % settings.charBuckets);
    out[column] = (out[column] ?? 0) + 1;
  }
  return out;
}

describe('fnv1a', () => {
  it('matches the published 32-bit FNV-1a values', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('hashes a range as the substring, and continues from a state as the concatenation', () => {
    expect(fnv1a('xxfooyy', 2, 5)).toBe(fnv1a('foo'));
    expect(fnv1a('bar', 0, 3, fnv1a('foo'))).toBe(fnv1a('foobar'));
  });
});

describe('wordTokens', () => {
  it('folds case, keeps inner apostrophes and digits, drops punctuation', () => {
    expect(wordTokens("I'm SO tired... can’t sleep at 3am :)")).toEqual(["i'm", 'so', 'tired', "can't", 'sleep', 'at', '3am']);
  });
});

describe('hashNgrams', () => {
  const settings: NgramSettings = { words: [1, 2], chars: [3, 4], wordBuckets: 1 << 20, charBuckets: 1 << 20 };

  it('counts word 1-2-grams and padded character 3-4-grams of each word, by hashed column', () => {
    const counts = hashNgrams(['Hi hi there'], settings);
    const words = ['hi', 'hi', 'there', 'hi hi', 'hi there'];
    const chars = [' hi', 'hi ', ' hi ', ' hi', 'hi ', ' hi ', ' th', 'the', 'her', 'ere', 're ', ' the', 'ther', 'here', 'ere '];
    expect(byColumn(counts)).toEqual(expected(words, chars, settings));
    expect(Array.from(counts.indices)).toEqual([...counts.indices].sort((a, b) => a - b));
  });

  it('never joins the last word of one post with the first of the next', () => {
    const apart = hashNgrams(['good night', 'morning all'], settings);
    const together = hashNgrams(['good night morning all'], settings);
    const bridge = fnv1a('night morning') % settings.wordBuckets;
    expect(byColumn(together)[bridge]).toBe(1);
    expect(byColumn(apart)[bridge]).toBeUndefined();
  });

  it('a short word gives its padded form once, as scikit-learn char_wb does', () => {
    const counts = hashNgrams(['a'], { ...settings, words: [1, 1], chars: [4, 5] });
    expect(byColumn(counts)).toEqual(expected(['a'], [' a '], settings));
  });

  it('folds every n-gram into the buckets: the word block first, the character block after it', () => {
    const small: NgramSettings = { words: [1, 2], chars: [3, 5], wordBuckets: 16, charBuckets: 32 };
    const counts = hashNgrams(['The quick brown fox jumps over the lazy dog, again and again.'], small);
    expect(Math.max(...counts.indices)).toBeLessThan(ngramWidth(small));
    const wordTotal = Array.from(counts.indices).reduce((sum, column, k) => sum + (column < 16 ? counts.counts[k]! : 0), 0);
    // 12 words, 11 pairs.
    expect(wordTotal).toBe(23);
  });

  it('is the same for the same text on every call (no vocabulary, no state)', () => {
    const posts = ['Small talk drains me.', 'I plan everything ahead!'];
    expect(hashNgrams(posts, settings)).toEqual(hashNgrams([...posts], settings));
  });
});
