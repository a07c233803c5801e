import type { Matrix, RunEventListener, Split, tf, TrainingControl, VariantResult } from '@mtl/core';
import type { ExperimentResults } from './results-schema.js';
import type { ExperimentSplits } from './experiment-splits.js';
import type { CommonOptions } from './train-command.js';

/** A data set as an app hands it to the kit: features, labels with -1 where missing, task names. */
export interface ExperimentData {
  x: Matrix;
  /** rows x tasks; MISSING (-1) where nobody gave the label. */
  y: Matrix;
  tasks: readonly string[];
  /** Shown in the run header and kept in results.json (file, encoder, rows skipped...). */
  details?: Record<string, string | number>;
  /** Whatever identifies this data for a checkpoint: a --resume on other data is refused. */
  fingerprint: Record<string, unknown>;
  /** One key per row to stratify the split by; default: each row's label pattern. */
  strata?: ArrayLike<string | number>;
  /**
   * Features that must be fitted on training rows only (standardisation, a
   * vocabulary): given the training rows of a split (or of a CV fold), returns
   * every row's features and what a saved model must remember to redo them.
   * Without it, `x` is used as it is.
   */
  fit?(trainRows: Int32Array): { x: Matrix; recipe: Record<string, unknown> };
  /** What a saved model must remember to rebuild these features from another file (columns, encoder id, fingerprint settings). */
  recipe?: Record<string, unknown>;
  /** App facts for results.json (e.g. embedding statistics), under `appFacts`. */
  facts?: Record<string, unknown>;
}

/** What a run hands to an app's hooks. */
export interface ExperimentContext {
  onEvent: RunEventListener;
  control: TrainingControl;
  /** The command line as typed, for messages that say how to resume. */
  commandLine: string;
  /** Absolute output directory, created and writable. */
  outDir: string;
}

/**
 * An app on the kit: its name, how it reads its data, its model and, optionally,
 * its own split, live panel, charts and what its saved model must remember.
 * Everything else (flags, signals, outputs, backend, splits, checkpoints,
 * --compare, --sweep, results.json, charts, reporter) the kit does the same way
 * for every app.
 */
export interface ExperimentApp<O extends CommonOptions = CommonOptions> {
  name: string;
  load(options: O, context: ExperimentContext): Promise<ExperimentData>;
  /** The same architecture every time for the same arguments: the variants and the sweep rebuild it. */
  buildModel(spec: { inputSize: number; heads: readonly string[]; seed: number; options: O }): tf.LayersModel;
  /** The app's own flags that change the result: kept in results.json, the checkpoint fingerprint and the saved model. */
  settings?(options: O): Record<string, unknown>;
  /** A fixed split (e.g. a held-out tail); default: seeded, stratified 70 / 15 / 15. */
  split?(data: ExperimentData, seed: number): Split;
  /** A live panel redrawn every `every` epochs (and at the end). */
  panel?: { title: string; every: number; lines(model: tf.LayersModel, tasks: readonly string[]): string[] };
  /** Extra PNGs after training; returns their names relative to the output directory, keyed by what they show. */
  charts?(input: { model: tf.LayersModel; splits: ExperimentSplits; outDir: string }): Promise<Record<string, string>>;
  /** What a saved model must remember beyond its tasks and settings (feature recipe, encoder id...). */
  modelSettings?(data: ExperimentData, options: O): Record<string, unknown>;
  /**
   * The app's own baselines for --compare and --cv --compare (e.g. a linear model
   * on bag-of-words features): trained on the training rows of `splits` and
   * scored on its test rows, like the kit's variants. `baselineNames` lists
   * their names in the order `baselines` returns them.
   */
  baselines?(input: { data: ExperimentData; splits: ExperimentSplits; options: O; context: ExperimentContext }): Promise<VariantResult[]>;
  baselineNames?: readonly string[];
  /** Lines printed after the results table (e.g. embedding statistics). */
  summary?(results: ExperimentResults): string[];
}
