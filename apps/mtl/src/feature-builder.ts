import { availableParallelism } from 'node:os';
import { createMatrix, type Matrix, type RunEventListener, UserError } from '@mtl/core';
import { createTextEmbedder, EmbeddingCache, EmbeddingInterrupted, embedTexts, encoderId } from '@mtl/embedding';
import { ExitError, EXIT } from '@mtl/kit';
import { FEATURE_RECIPE_VERSION, type FeatureRecipe } from './feature-recipe.js';
import { FeatureCache } from './feature-cache.js';
import { featurizeMolecules, FeaturizingStopped, type InvalidMolecules, type MoleculeRecipe } from './molecule-features.js';
import type { TableColumns } from './table-columns.js';

/** Where features come from: the same for training, predicting and evaluating. */
export interface FeatureSources {
  numeric: readonly string[];
  text: string | null;
  smiles: { column: string; recipe: MoleculeRecipe } | null;
}

export interface FeatureRuntime {
  /** Directory of the embedding cache and the molecule feature cache. */
  cacheDir: string;
  /** USE-lite files; undefined: the copy in universal-sentence-encoder-node. */
  modelDir: string | undefined;
  /** Embedding worker threads; undefined: one per core. */
  workers: number | undefined;
  onEvent: RunEventListener;
  shouldStop: () => boolean;
  /** The command as typed, to say how to resume an interrupted embedding. */
  commandLine: string;
}

/** Rows that could not be featurised: they are left out of training and get no prediction. */
export interface SkippedRows {
  emptyText: { count: number; rows: number[] };
  invalidSmiles: InvalidMolecules | null;
}

export interface BuiltFeatures {
  /** rows x width, before standardisation: NaN where a numeric value is missing. */
  x: Matrix;
  /** 1 where the row has every feature. */
  valid: Uint8Array;
  recipe: FeatureRecipe;
  skipped: SkippedRows;
  /** What the slow stages did, for results.json. */
  facts: Record<string, unknown>;
}

const FIRST_ROWS_NAMED = 10;

/**
 * Builds the model's input from a table's columns: numeric values as they are,
 * a text column as USE-lite sentence vectors (through the embedding cache), a
 * SMILES column as RDKit features (through the feature cache). Blocks in that
 * order; a row with an empty text or an unparsable SMILES is marked invalid.
 */
export async function buildFeatures(columns: TableColumns, sources: FeatureSources, runtime: FeatureRuntime): Promise<BuiltFeatures> {
  const blocks: Array<{ x: Matrix; standardise: number[] }> = [];
  const valid = new Uint8Array(columns.rows).fill(1);
  const skipped: SkippedRows = { emptyText: { count: 0, rows: [] }, invalidSmiles: null };
  const facts: Record<string, unknown> = {};
  blocks.push({ x: columns.numeric, standardise: columns.numeric.cols > 0 ? range(columns.numeric.cols) : [] });
  let text: FeatureRecipe['text'] = null;
  if (sources.text !== null) {
    const texts = columns.text!;
    texts.forEach((t, r) => {
      if (t.trim() !== '') return;
      valid[r] = 0;
      skipped.emptyText.count++;
      if (skipped.emptyText.rows.length < FIRST_ROWS_NAMED) skipped.emptyText.rows.push(r + 1);
    });
    const embedded = await embedColumn(texts, runtime);
    blocks.push({ x: embedded.x, standardise: [] });
    text = { column: sources.text, encoder: embedded.encoder };
    facts['embedding'] = embedded.stats;
  }
  let smiles: FeatureRecipe['smiles'] = null;
  if (sources.smiles !== null) {
    const molecules = await featurizeColumn(columns.smiles!, sources.smiles, runtime);
    molecules.valid.forEach((ok, r) => {
      if (!ok) valid[r] = 0;
    });
    skipped.invalidSmiles = molecules.invalid;
    // Descriptors are on their own scales (weights in daltons, areas in Å²): standardised; bits and log counts are not.
    const descriptors = molecules.featureNames.flatMap((name, i) => (name.startsWith('desc:') || name.startsWith('vsa:') ? [i] : []));
    blocks.push({ x: molecules.x, standardise: descriptors });
    smiles = { column: sources.smiles.column, recipe: sources.smiles.recipe, rdkitVersion: molecules.rdkitVersion };
    facts['molecules'] = { width: molecules.width, invalid: molecules.invalid.count, fromCache: molecules.fromCache, seconds: molecules.seconds };
  }
  const { x, standardised } = concatColumns(columns.rows, blocks);
  return {
    x,
    valid,
    recipe: { version: FEATURE_RECIPE_VERSION, numeric: [...sources.numeric], text, smiles, width: x.cols, standardised },
    skipped,
    facts,
  };
}

async function embedColumn(texts: readonly string[], runtime: FeatureRuntime) {
  const modelDir = runtime.modelDir === undefined ? {} : { modelDir: runtime.modelDir };
  const encoder = encoderId(modelDir);
  const cache = new EmbeddingCache({ dir: runtime.cacheDir, encoder, preparation: 'raw' });
  try {
    const { x, stats } = await embedTexts({
      texts: texts.map((t) => t.trim()),
      cache,
      createEmbedder: () => createTextEmbedder({ ...modelDir, workers: runtime.workers ?? Math.max(1, availableParallelism()) }),
      onEvent: runtime.onEvent,
      shouldStop: runtime.shouldStop,
      unit: 'rows',
    });
    return { x, stats, encoder };
  } catch (error) {
    if (error instanceof EmbeddingInterrupted) {
      throw new ExitError(
        `interrupted: ${error.embedded} new text vectors were saved in ${error.cachePath}. Run the same command again (${runtime.commandLine}) to resume: cached texts are not embedded again.`,
        EXIT.sigint,
      );
    }
    throw error;
  } finally {
    cache.close();
  }
}

async function featurizeColumn(smiles: readonly string[], source: NonNullable<FeatureSources['smiles']>, runtime: FeatureRuntime) {
  try {
    return await featurizeMolecules({
      smiles,
      recipe: source.recipe,
      column: source.column,
      onEvent: runtime.onEvent,
      shouldStop: runtime.shouldStop,
      cache: new FeatureCache({ dir: runtime.cacheDir, onEvent: runtime.onEvent }),
    });
  } catch (error) {
    if (error instanceof FeaturizingStopped) throw new ExitError(`interrupted: ${error.message}.`, EXIT.sigint);
    throw error;
  }
}

function concatColumns(rows: number, blocks: ReadonlyArray<{ x: Matrix; standardise: number[] }>): { x: Matrix; standardised: number[] } {
  const width = blocks.reduce((s, b) => s + b.x.cols, 0);
  if (width === 0) throw new UserError('no feature columns: nothing to learn from.');
  const x = createMatrix(rows, width);
  const standardised: number[] = [];
  let offset = 0;
  for (const block of blocks) {
    for (let r = 0; r < rows; r++) x.data.set(block.x.data.subarray(r * block.x.cols, (r + 1) * block.x.cols), r * width + offset);
    standardised.push(...block.standardise.map((c) => c + offset));
    offset += block.x.cols;
  }
  return { x, standardised };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
