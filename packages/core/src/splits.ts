import { type Rng, shuffleInPlace } from './rng.js';

export interface SplitFractions {
  train: number;
  dev: number;
  test: number;
}

export interface Split {
  train: Int32Array;
  dev: Int32Array;
  test: Int32Array;
}

/**
 * Seeded split of 0..n-1 into train / dev / test by fractions (summing to 1).
 * With `strata` (one key per row), each stratum is split in the same
 * proportions, so rare classes appear in every part.
 */
export function splitIndices(n: number, fractions: SplitFractions, rng: Rng, strata?: ArrayLike<string | number>): Split {
  const total = fractions.train + fractions.dev + fractions.test;
  if (Math.abs(total - 1) > 1e-9 || [fractions.train, fractions.dev, fractions.test].some((f) => f < 0)) {
    throw new Error(`split fractions must be non-negative and sum to 1, got ${fractions.train}/${fractions.dev}/${fractions.test}`);
  }
  const groups = strata ? groupByStratum(n, strata) : [Array.from({ length: n }, (_, i) => i)];
  const parts = { train: [] as number[], dev: [] as number[], test: [] as number[] };
  for (const group of groups) {
    shuffleInPlace(group, rng);
    const nTest = Math.round(group.length * fractions.test);
    const nDev = Math.round(group.length * fractions.dev);
    parts.test.push(...group.slice(0, nTest));
    parts.dev.push(...group.slice(nTest, nTest + nDev));
    parts.train.push(...group.slice(nTest + nDev));
  }
  // Interleave strata again so that a prefix of a part is not one class.
  return {
    train: shuffleInPlace(Int32Array.from(parts.train), rng),
    dev: shuffleInPlace(Int32Array.from(parts.dev), rng),
    test: shuffleInPlace(Int32Array.from(parts.test), rng),
  };
}

function groupByStratum(n: number, strata: ArrayLike<string | number>): number[][] {
  if (strata.length !== n) throw new Error(`${strata.length} strata keys for ${n} rows`);
  const groups = new Map<string | number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = strata[i]!;
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }
  return [...groups.keys()].sort().map((k) => groups.get(k)!);
}
