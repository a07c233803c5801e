import { UserError } from '@mtl/core';
import { FEATURE_KINDS, type FeatureKind } from './person-features.js';
import { POOLINGS, type Pooling } from './person-vectors.js';

/** A comma list of distinct names out of `choices`, e.g. "use,ngrams"; the flag and the choices are named when it is wrong. */
function nameList<T extends string>(flag: string, choices: readonly T[], example: string): (value: string) => T[] {
  return (value) => {
    const names = value.split(',').map((part) => part.trim());
    const unknown = names.find((name) => !(choices as readonly string[]).includes(name));
    if (unknown !== undefined) throw new UserError(`${flag} ${value}: "${unknown}" is not one of ${choices.join(', ')}; e.g. ${flag} ${example}.`);
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated !== undefined) throw new UserError(`${flag} ${value}: "${repeated}" is given twice; list each once, e.g. ${flag} ${example}.`);
    return names as T[];
  };
}

/** --features: the sentence vectors always, hashed n-grams beside them on request. */
export function featureList(flag: string): (value: string) => FeatureKind[] {
  const parse = nameList(flag, FEATURE_KINDS, 'use,ngrams');
  return (value) => {
    const features = parse(value);
    if (!features.includes('use')) {
      throw new UserError(
        `${flag} ${value}: the sentence vectors (use) are the app's core feature; add n-grams beside them with ${flag} use,ngrams (--compare trains a bag-of-words model on its own).`,
      );
    }
    return features;
  };
}

/** --pooling: how a person's post vectors become one vector, e.g. "mean,max". */
export function poolingList(flag: string): (value: string) => Pooling[] {
  return nameList(flag, POOLINGS, 'mean,max');
}

/** --ngram-buckets: columns of each hashed block; fewer than 16 would make every n-gram collide. */
export function bucketCount(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 16 || n > 1 << 20) {
      throw new UserError(`${flag} ${value}: expected a whole number of columns from 16 to 1048576, e.g. ${flag} 8192.`);
    }
    return n;
  };
}
