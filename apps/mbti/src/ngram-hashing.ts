/**
 * Hashed n-gram counts of a person's posts: the hashing trick, so there is no
 * vocabulary to learn, store or ship: an n-gram's column is its hash modulo
 * the number of buckets. Two blocks side by side: word n-grams first, then
 * character n-grams of each word padded with spaces (scikit-learn's
 * `char_wb`), which catch spelling, emoticons, word endings and words the
 * word block splits into rare forms.
 */
export interface NgramSettings {
  /** Word n-grams from `words[0]` to `words[1]` words long (1, 2: unigrams and bigrams), within a post. */
  words: readonly [number, number];
  /** Character n-grams from `chars[0]` to `chars[1]` long, within a space-padded word. */
  chars: readonly [number, number];
  /** Columns of the word block. */
  wordBuckets: number;
  /** Columns of the character block, after the word block. */
  charBuckets: number;
}

/** One person's hashed counts: columns in increasing order, each with how often its n-grams occurred. */
export interface SparseCounts {
  indices: Int32Array;
  counts: Float32Array;
}

/** Bumped whenever tokenising or hashing changes: a saved model's n-gram columns would mean other n-grams. */
export const NGRAM_HASHING_VERSION = 1;

export const DEFAULT_NGRAMS: NgramSettings = { words: [1, 2], chars: [3, 5], wordBuckets: 16384, charBuckets: 16384 };

export function ngramWidth(settings: NgramSettings): number {
  return settings.wordBuckets + settings.charBuckets;
}

/** Letters and digits, with an inner apostrophe kept (don't, I'm); case folded. */
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

export function wordTokens(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).map((word) => word.replace('’', "'"));
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over the UTF-16 code units of `text[start, end)`, continuing from `state`. */
export function fnv1a(text: string, start = 0, end = text.length, state = FNV_OFFSET): number {
  let h = state;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/**
 * Counts of every word and character n-gram of `posts` by hashed column.
 * N-grams never cross posts: the last word of one post and the first of the
 * next were not written together.
 */
export function hashNgrams(posts: readonly string[], settings: NgramSettings): SparseCounts {
  const counter = new BucketCounter(ngramWidth(settings));
  for (const post of posts) {
    const words = wordTokens(post);
    countWordNgrams(words, settings, counter);
    countCharNgrams(words, settings, counter);
  }
  return counter.take();
}

function countWordNgrams(words: readonly string[], settings: NgramSettings, counter: BucketCounter): void {
  const [least, most] = settings.words;
  const wordHashes = words.map((word) => fnv1a(word));
  for (let i = 0; i < words.length; i++) {
    let h = FNV_OFFSET;
    for (let n = 1; n <= most && i + n <= words.length; n++) {
      // "a b" hashes as the text "a b": word n-grams of different lengths never share a string.
      h = n === 1 ? wordHashes[i]! : fnv1a(words[i + n - 1]!, 0, undefined, fnv1a(' ', 0, 1, h));
      if (n >= least) counter.add(h % settings.wordBuckets);
    }
  }
}

function countCharNgrams(words: readonly string[], settings: NgramSettings, counter: BucketCounter): void {
  const [least, most] = settings.chars;
  for (const word of words) {
    const padded = ` ${word} `;
    for (let n = least; n <= most; n++) {
      // A word shorter than n gives its whole padded form once, as char_wb does.
      if (padded.length < n) {
        if (n === least) counter.add(settings.wordBuckets + (fnv1a(padded) % settings.charBuckets));
        break;
      }
      for (let start = 0; start + n <= padded.length; start++) {
        counter.add(settings.wordBuckets + (fnv1a(padded, start, start + n) % settings.charBuckets));
      }
    }
  }
}

/** A dense scratch row that remembers which columns it touched, so taking the counts out costs what was added. */
class BucketCounter {
  private readonly values: Float32Array;
  private readonly touched: number[] = [];

  constructor(width: number) {
    this.values = new Float32Array(width);
  }

  add(column: number): void {
    if (this.values[column] === 0) this.touched.push(column);
    this.values[column]! += 1;
  }

  take(): SparseCounts {
    const indices = Int32Array.from(this.touched).sort();
    const counts = Float32Array.from(indices, (column) => this.values[column]!);
    return { indices, counts };
  }
}
