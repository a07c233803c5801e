import { UserError } from '@mtl/core';
import { nonNegativeInteger, positiveInteger } from '@mtl/kit';

/** A comma-separated list of column names, none empty, none twice. */
export function nameList(flag: string): (value: string) => string[] {
  return (value) => {
    const names = value.split(',').map((name) => name.trim());
    if (names.some((name) => name === '')) throw new UserError(`${flag} ${value}: an empty column name; list names separated by commas, e.g. ${flag} a,b,c.`);
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated !== undefined) throw new UserError(`${flag} ${value}: "${repeated}" is listed twice.`);
    return names;
  };
}

/** Hidden layer sizes, e.g. "1024,512"; "0" or "" for none (a linear model per task on shared inputs). */
export function hiddenLayers(flag: string): (value: string) => number[] {
  const size = positiveInteger(flag);
  return (value) => (value.trim() === '' || value.trim() === '0' ? [] : value.split(',').map((part) => size(part.trim())));
}

export function workerCount(flag: string): (value: string) => number {
  return nonNegativeInteger(flag);
}
