import type { MoleculeRecipe } from './molecule-features.js';

/**
 * How a table becomes the model's input, saved with the model so predict and
 * evaluate build the same columns in the same order: numeric columns, then the
 * text column's sentence vector, then the SMILES column's molecular features.
 */
export interface FeatureRecipe {
  version: 1;
  numeric: string[];
  text: { column: string; encoder: string } | null;
  smiles: { column: string; recipe: MoleculeRecipe; rdkitVersion: string } | null;
  /** The model's input width. */
  width: number;
  /** Input columns standardised with training statistics (numeric columns, RDKit descriptors). */
  standardised: number[];
}

/** Means and standard deviations of the standardised columns, learnt on training rows only. */
export interface Standardisation {
  columns: number[];
  mean: number[];
  sd: number[];
  /**
   * Standardised values are clipped to ±clip (--clip): a molecule 60 sd out on
   * one descriptor would otherwise dominate its hidden units. Absent: no clipping.
   */
  clip?: number;
}

export const FEATURE_RECIPE_VERSION = 1;
