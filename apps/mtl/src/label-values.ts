import { MISSING } from '@mtl/core';

/** Cells that mean "nobody gave this value" (compared trimmed and case-insensitively). */
export const MISSING_TOKENS = ['', 'na', 'n/a', 'nan', 'null', '-1'] as const;

const POSITIVE = new Set(['1', '1.0', 'true', 'yes']);
const NEGATIVE = new Set(['0', '0.0', 'false', 'no']);
const MISSING_SET = new Set<string>(MISSING_TOKENS);

/** True when a cell is one of the missing-value tokens. */
export function isMissingCell(cell: string): boolean {
  return MISSING_SET.has(cell.trim().toLowerCase());
}

/**
 * A label cell as the label matrix holds it: 1, 0 or MISSING; undefined when the
 * cell is not a label value at all (e.g. "maybe", "0.5").
 * Accepted: 0/1, 0.0/1.0, true/false, yes/no in any case; missing: blank, NA, N/A, NaN, null, -1.
 */
export function parseLabel(cell: string): number | undefined {
  const value = cell.trim().toLowerCase();
  if (POSITIVE.has(value)) return 1;
  if (NEGATIVE.has(value)) return 0;
  if (MISSING_SET.has(value)) return MISSING;
  return undefined;
}

/** A numeric feature cell: a finite number, NaN when missing, undefined when not a number. */
export function parseNumber(cell: string): number | undefined {
  if (isMissingCell(cell) && cell.trim() !== '-1') return Number.NaN;
  const trimmed = cell.trim();
  const value = Number(trimmed);
  return trimmed !== '' && Number.isFinite(value) ? value : undefined;
}
