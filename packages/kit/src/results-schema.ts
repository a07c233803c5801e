import type { BestEpoch, EpochRecord, TaskMetrics, VariantResult } from '@mtl/core';

/** Written as `schema` in every results.json: what the file is. */
export const RESULTS_SCHEMA = 'masked-mtl-results';
/** Bumped on any change a reader must know about; see packages/kit/README.md for each version. */
export const RESULTS_VERSION = 1;

/** The training settings every app shares. */
export interface CommonSettings {
  epochs: number;
  seed: number;
  /** One rate for all tasks, or one per task. */
  missingRate: number | number[];
  batchSize: number;
  learningRate: number;
  /** Fewest positive and negative training labels for a task to be scored (--min-class-labels). */
  minClassLabels: number;
  /** Positive-class weight per task (negatives / positives in training), or null when the app trains unweighted. */
  positiveWeights: number[] | null;
  /**
   * --best-epoch and --patience, or null when off. `holdout`: with --cv, the share
   * of each fold's training rows the epoch is chosen on (null: on the dev rows).
   */
  bestEpoch: { metric: 'auc' | 'loss'; patience: number; holdout: number | null } | null;
}

/**
 * results.json: the same fields in every app. Paths are relative to the
 * output directory, so a results folder can be moved or shared.
 */
export interface ExperimentResults {
  schema: typeof RESULTS_SCHEMA;
  version: typeof RESULTS_VERSION;
  app: string;
  createdAt: string;
  backend: { name: string; reason: string };
  machine: { cpus: number; cpuModel: string; platform: string; node: string };
  settings: CommonSettings;
  /** The app's own flags that change the result. */
  appSettings: Record<string, unknown>;
  data: {
    rows: number;
    tasks: string[];
    split: { train: number; dev: number; test: number };
    /** Training labels dropped by --missing-rate, per task. */
    droppedLabels: Record<string, number>;
    /** Labels present per task in each part, after dropping. */
    labelled: Record<string, { train: number; dev: number; test: number }>;
    details: Record<string, string | number>;
  };
  /** Test metrics of the masked model, per task; an untrained task has `untrained: true` and null scores. */
  tasks: TaskMetrics[];
  /** Tasks with no training label: their heads learned nothing. */
  untrained: string[];
  epochsTrained: number;
  stopped: { epoch: number; reason: string } | null;
  /**
   * With --best-epoch: the epoch whose weights the masked model ends with (and is
   * saved and tested with), its dev score, and `stoppedEarly` when --patience ended
   * training; null when off or when no epoch could be scored.
   */
  bestEpoch: (BestEpoch & { stoppedEarly: { epoch: number; patience: number } | null }) | null;
  history: Array<Pick<EpochRecord, 'epoch' | 'trainLoss' | 'devLoss' | 'seconds'>>;
  /** --compare: the masked model first, then naive, complete-rows and single-task, scored on the same test rows. */
  variants: VariantResult[] | null;
  /** --sweep: the file with the label-efficiency sweep (sweep.json). */
  sweep: string | null;
  /** --cv: the file with the cross-validation folds and their mean ± sd (cv.json). */
  cv: string | null;
  /** Facts only this app has (e.g. embedding statistics). */
  appFacts: Record<string, unknown>;
  /** What was written, relative to the output directory. */
  files: Record<string, string>;
}

export const SWEEP_SCHEMA = 'masked-mtl-sweep';
export const SWEEP_VERSION = 1;

/** One variant at one missing rate. */
export interface SweepPoint {
  missingRate: number;
  variant: VariantResult['name'];
  /** Mean test ROC-AUC / accuracy over tasks; null when a task of this variant is untrained (a mean over fewer tasks would not compare). */
  meanAuc: number | null;
  meanAveragePrecision: number | null;
  meanAccuracy: number | null;
  tasks: TaskMetrics[];
  trainRows: number[];
}

/** sweep.json: written after every finished rate, so a stopped sweep keeps what it measured and --resume goes on from there. */
export interface SweepResults {
  schema: typeof SWEEP_SCHEMA;
  version: typeof SWEEP_VERSION;
  app: string;
  /** Everything that must match for --resume to reuse finished rates. */
  fingerprint: Record<string, unknown>;
  rates: number[];
  variants: VariantResult['name'][];
  points: SweepPoint[];
  complete: boolean;
}
