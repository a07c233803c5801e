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

/**
 * One rate for every task ("0.5"), or one per task ("0.2,0.5,0.9"), each in [0, 1).
 * Without `tasks` the count is checked later, once the data says how many tasks there are
 * (see `checkMissingRates`).
 */
export function missingRates(flag: string, tasks?: readonly string[]): (value: string) => number | number[] {
  const one = missingRate(flag);
  return (value) => {
    if (!value.includes(',')) return one(value);
    const rates = value.split(',').map((part) => one(part.trim()));
    if (tasks) checkMissingRates(flag, rates, tasks);
    return rates;
  };
}

/** A per-task rate list must name one rate per task. */
export function checkMissingRates(flag: string, rates: number | readonly number[], tasks: readonly string[]): void {
  if (typeof rates === 'number' || rates.length === tasks.length) return;
  throw new UserError(`${flag} ${rates.join(',')}: ${rates.length} rates for ${tasks.length} tasks (${tasks.join(', ')}); give one rate, or one per task.`);
}

/** Distinct rates in [0, 1), e.g. "0,0.5,0.9": the missing rates of a --sweep, in the order given. */
export function rateList(flag: string): (value: string) => number[] {
  const one = missingRate(flag);
  return (value) => {
    const rates = value.split(',').map((part) => one(part.trim()));
    const repeated = rates.find((r, i) => rates.indexOf(r) !== i);
    if (repeated !== undefined) throw new UserError(`${flag} ${value}: ${repeated} is given twice; list each missing rate once, e.g. 0,0.5,0.9.`);
    return rates;
  };
}

/** A number of cross-validation folds: a whole number of at least 2. */
export function foldCount(flag: string): (value: string) => number {
  const whole = positiveInteger(flag);
  return (value) => {
    const n = whole(value);
    if (n < 2) throw new UserError(`${flag} ${value}: cross-validation needs at least 2 folds, e.g. ${flag} 5.`);
    return n;
  };
}
