import { UserError } from '@mtl/core';
import { bucketCount, featureList, poolingList } from './feature-flags.js';

function message(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('mbti feature flags', () => {
  it('read lists of names', () => {
    expect(featureList('--features')('use, ngrams')).toEqual(['use', 'ngrams']);
    expect(poolingList('--pooling')('mean,max')).toEqual(['mean', 'max']);
    expect(bucketCount('--ngram-buckets')('4096')).toBe(4096);
  });

  it('name the flag, the wrong value and what would do', () => {
    expect(message(() => featureList('--features')('use,words'))).toBe('--features use,words: "words" is not one of use, ngrams; e.g. --features use,ngrams.');
    expect(message(() => featureList('--features')('ngrams'))).toMatch(/^--features ngrams: the sentence vectors \(use\) are the app's core feature/);
    expect(message(() => poolingList('--pooling')('mean,mean'))).toBe('--pooling mean,mean: "mean" is given twice; list each once, e.g. --pooling mean,max.');
    expect(message(() => bucketCount('--ngram-buckets')('8'))).toMatch(/^--ngram-buckets 8: expected a whole number of columns from 16 to 1048576/);
  });
});
