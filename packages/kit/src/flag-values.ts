import { UserError } from '@mtl/core';

/** Parsers for numeric CLI flags; each names the flag and what it accepts. */
export function positiveInteger(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
      throw new UserError(`${flag} ${value}: expected a whole number of at least 1.`);
    }
    return n;
  };
}

export function nonNegativeInteger(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new UserError(`${flag} ${value}: expected a whole number of at least 0.`);
    return n;
  };
}

/** A rate in [0, 1): 1 would drop every label. */
export function missingRate(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) {
      throw new UserError(`${flag} ${value}: expected a number in [0, 1), e.g. 0.5 to drop half of the labels.`);
    }
    return n;
  };
}

export function positiveNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UserError(`${flag} ${value}: expected a number greater than 0.`);
    return n;
  };
}

/** One rate for every task ("0.5"), or one per task ("0.2,0.5,0.9"), each in [0, 1). */
export function missingRates(flag: string, tasks: readonly string[]): (value: string) => number | number[] {
  const one = missingRate(flag);
  return (value) => {
    if (!value.includes(',')) return one(value);
    const parts = value.split(',');
    if (parts.length !== tasks.length) {
      throw new UserError(`${flag} ${value}: ${parts.length} rates for ${tasks.length} tasks (${tasks.join(', ')}); give one rate, or one per task.`);
    }
    return parts.map((part) => one(part.trim()));
  };
}
