import { type Matrix, MISSING } from './matrix.js';

/** Metrics of one binary task over its labelled entries only. `null` where undefined (no labels, one class). */
export interface TaskMetrics {
  name: string;
  labelled: number;
  accuracy: number | null;
  balancedAccuracy: number | null;
  /** F1 of the positive class. */
  f1: number | null;
  /** Mean F1 of both classes. */
  macroF1: number | null;
  auc: number | null;
  /** Average precision (area under the precision-recall curve): with few positives, the number to read beside ROC-AUC. */
  averagePrecision: number | null;
  /** Share of labelled entries that are positive. */
  positiveRate: number | null;
  /** Accuracy of always predicting the majority class of these labels. */
  majorityBaseline: number | null;
  /** Set when the task had no labels in training: its head learned nothing, so no metric is reported. */
  untrained?: true;
}

/** Blanks the metrics of tasks that had no training labels, so they read as untrained rather than as a score. */
export function markUntrained(metrics: readonly TaskMetrics[], untrainedTasks: readonly string[]): TaskMetrics[] {
  return metrics.map((m) =>
    untrainedTasks.includes(m.name)
      ? { ...m, accuracy: null, balancedAccuracy: null, f1: null, macroF1: null, auc: null, averagePrecision: null, untrained: true }
      : m,
  );
}

/**
 * Metrics for one task. `labels` may contain MISSING (-1); those entries are skipped.
 * `probs` are predicted probabilities of the positive class.
 */
export function taskMetrics(name: string, labels: ArrayLike<number>, probs: ArrayLike<number>, threshold = 0.5): TaskMetrics {
  let tp = 0,
    tn = 0,
    fp = 0,
    fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label === MISSING || Number.isNaN(label)) continue;
    const positive = label >= 0.5;
    const predicted = probs[i]! >= threshold;
    if (positive && predicted) tp++;
    else if (positive) fn++;
    else if (predicted) fp++;
    else tn++;
  }
  // The scores of each class, apart, for the rank metrics (typed arrays: one native sort each).
  const positives = new Float64Array(tp + fn);
  const negatives = new Float64Array(tn + fp);
  for (let i = 0, p = 0, q = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label === MISSING || Number.isNaN(label)) continue;
    if (label >= 0.5) positives[p++] = probs[i]!;
    else negatives[q++] = probs[i]!;
  }
  const n = tp + tn + fp + fn;
  if (n === 0) {
    return {
      name,
      labelled: 0,
      accuracy: null,
      balancedAccuracy: null,
      f1: null,
      macroF1: null,
      auc: null,
      averagePrecision: null,
      positiveRate: null,
      majorityBaseline: null,
    };
  }
  const pos = tp + fn;
  const neg = tn + fp;
  const f1Pos = f1Score(tp, fp, fn);
  const f1Neg = f1Score(tn, fn, fp);
  const recalls = [pos > 0 ? tp / pos : null, neg > 0 ? tn / neg : null].filter((r): r is number => r !== null);
  return {
    name,
    labelled: n,
    accuracy: (tp + tn) / n,
    balancedAccuracy: recalls.reduce((a, b) => a + b, 0) / recalls.length,
    f1: f1Pos,
    macroF1: f1Pos === null || f1Neg === null ? null : (f1Pos + f1Neg) / 2,
    ...(positives.length > 0 && negatives.length > 0
      ? { auc: sortedRocAuc(positives.sort(), negatives.sort()), averagePrecision: sortedAveragePrecision(positives, negatives) }
      : { auc: null, averagePrecision: null }),
    positiveRate: pos / n,
    majorityBaseline: Math.max(pos, neg) / n,
  };
}

function f1Score(tp: number, fp: number, fn: number): number | null {
  const denominator = 2 * tp + fp + fn;
  return denominator === 0 ? null : (2 * tp) / denominator;
}

/** The scores of the positives (label 1) and of the other rows, each sorted ascending (native numeric sort); null with one class. */
function scoresByClass(labels: ArrayLike<number>, scores: ArrayLike<number>): { pos: Float64Array; neg: Float64Array } | null {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positives++;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const pos = new Float64Array(positives);
  const neg = new Float64Array(negatives);
  for (let i = 0, p = 0, q = 0; i < labels.length; i++) {
    if (labels[i] === 1) pos[p++] = scores[i]!;
    else neg[q++] = scores[i]!;
  }
  return { pos: pos.sort(), neg: neg.sort() };
}

/**
 * ROC-AUC as the Mann-Whitney statistic: the chance that a random positive
 * scores above a random negative, ties counting one half. `null` with one class.
 * Sorts the two classes' scores apart and walks them together: a few ms on
 * 10,000 rows, computed for every task every epoch.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  const sorted = scoresByClass(labels, scores);
  return sorted && sortedRocAuc(sorted.pos, sorted.neg);
}

function sortedRocAuc(pos: Float64Array, neg: Float64Array): number {
  const negatives = neg.length;
  // For each positive (ascending): negatives strictly below it count 1, equal ones 1/2.
  let below = 0;
  let notAbove = 0;
  let wins = 0;
  for (const score of pos) {
    while (below < negatives && neg[below]! < score) below++;
    if (notAbove < below) notAbove = below;
    while (notAbove < negatives && neg[notAbove]! <= score) notAbove++;
    wins += below + (notAbove - below) / 2;
  }
  return wins / (pos.length * negatives);
}

/**
 * Average precision: the precision at each distinct score threshold, weighted
 * by the recall gained there (scikit-learn's `average_precision_score`; rows
 * with equal scores enter together). `null` with one class.
 */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  const sorted = scoresByClass(labels, scores);
  return sorted && sortedAveragePrecision(sorted.pos, sorted.neg);
}

/** Walks both classes' sorted scores from the top, one distinct score at a time. */
function sortedAveragePrecision(pos: Float64Array, neg: Float64Array): number {
  let i = pos.length - 1;
  let j = neg.length - 1;
  let truePositives = 0;
  let seen = 0;
  let recall = 0;
  let sum = 0;
  while (i >= 0 || j >= 0) {
    const score = i < 0 ? neg[j]! : j < 0 ? pos[i]! : Math.max(pos[i]!, neg[j]!);
    // NaN scores (sorted last, so met first) are one group, as equal scores are.
    const same = (value: number) => value === score || (value !== value && score !== score);
    for (; i >= 0 && same(pos[i]!); i--) {
      truePositives++;
      seen++;
    }
    for (; j >= 0 && same(neg[j]!); j--) seen++;
    const nextRecall = truePositives / pos.length;
    sum += (nextRecall - recall) * (truePositives / seen);
    recall = nextRecall;
  }
  return sum;
}

/** Metrics of every task: `labels` and `probs` are rows x tasks. */
export function maskedMetrics(labels: Matrix, probs: Matrix, taskNames: readonly string[], threshold = 0.5): TaskMetrics[] {
  if (labels.rows !== probs.rows || labels.cols !== probs.cols) {
    throw new Error(`labels are ${labels.rows}x${labels.cols} but predictions are ${probs.rows}x${probs.cols}`);
  }
  if (taskNames.length !== labels.cols) {
    throw new Error(`${taskNames.length} task names for ${labels.cols} label columns`);
  }
  return taskNames.map((name, col) => {
    const y = new Float32Array(labels.rows);
    const p = new Float32Array(labels.rows);
    for (let r = 0; r < labels.rows; r++) {
      y[r] = labels.data[r * labels.cols + col]!;
      p[r] = probs.data[r * probs.cols + col]!;
    }
    return taskMetrics(name, y, p, threshold);
  });
}
