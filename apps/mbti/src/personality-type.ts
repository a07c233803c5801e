import { MISSING } from '@mtl/core';

/** Heads in label-column order; label 1 is the first letter of the name. */
export const AXES = ['IE', 'NS', 'TF', 'JP'] as const;
export type Axis = (typeof AXES)[number];

const TYPE_PATTERN = /^[IE][NS][TF][JP]$/;

/** Normalised type code ('INTJ') or null when the text is not one of the 16 codes. */
export function parseTypeCode(text: string): string | null {
  const code = text.trim().toUpperCase();
  return TYPE_PATTERN.test(code) ? code : null;
}

/** 1 = I, N, T, J; 0 = E, S, F, P. */
export function axisLabels(code: string): number[] {
  return AXES.map((axis, i) => (code[i] === axis[0] ? 1 : 0));
}

/** The 4-letter type from per-axis probabilities of the first letter; '?' for an axis without a probability. */
export function typeFromProbabilities(probabilities: ArrayLike<number>): string {
  return AXES.map((axis, i) => {
    const p = probabilities[i];
    if (p === undefined || p === MISSING || Number.isNaN(p)) return '?';
    return p >= 0.5 ? axis[0] : axis[1];
  }).join('');
}
