import { describe, expect, it } from 'vitest';
import { matrixFromRows } from './matrix.js';
import { averagePrecision, maskedMetrics, rocAuc, taskMetrics } from './masked-metrics.js';

describe('taskMetrics', () => {
  it('counts only labelled entries (hand-computed)', () => {
    // labelled: (1,.9) TP, (0,.2) TN, (1,.4) FN, (0,.7) FP, (1,.8) TP; two missing
    const m = taskMetrics('A', [1, 0, -1, 1, 0, 1, -1], [0.9, 0.2, 0.99, 0.4, 0.7, 0.8, 0.01]);
    expect(m.labelled).toBe(5);
    expect(m.accuracy).toBeCloseTo(3 / 5);
    expect(m.balancedAccuracy).toBeCloseTo((2 / 3 + 1 / 2) / 2);
    expect(m.f1).toBeCloseTo((2 * 2) / (2 * 2 + 1 + 1));
    expect(m.macroF1).toBeCloseTo((4 / 6 + 2 / 4) / 2);
    expect(m.positiveRate).toBeCloseTo(3 / 5);
    expect(m.majorityBaseline).toBeCloseTo(3 / 5);
    // positives .9 .4 .8 vs negatives .2 .7: every pair ordered right but (.4, .7): 5 of 6
    expect(m.auc).toBeCloseTo(5 / 6);
    // by score: .9 TP, .8 TP (recall 2/3 at precision 1), .7 FP, .4 TP (recall 1 at precision 3/4)
    expect(m.averagePrecision).toBeCloseTo(2 / 3 + (1 / 3) * (3 / 4));
  });

  it('reports null, not a number, where a metric is undefined', () => {
    const none = taskMetrics('A', [-1, -1], [0.3, 0.6]);
    expect(none).toMatchObject({ labelled: 0, accuracy: null, auc: null, f1: null });
    const oneClass = taskMetrics('B', [1, 1], [0.3, 0.6]);
    expect(oneClass.auc).toBeNull();
    expect(oneClass.accuracy).toBe(0.5);
  });
});

/** Average precision the slow way: every distinct threshold from the top, precision times the recall it adds. */
function referenceAveragePrecision(labels: number[], scores: number[]): number {
  const positives = labels.filter((l) => l === 1).length;
  let sum = 0;
  let recall = 0;
  for (const t of [...new Set(scores)].sort((a, b) => b - a)) {
    const chosen = labels.filter((_, i) => scores[i]! >= t);
    const hits = chosen.filter((l) => l === 1).length;
    sum += (hits / positives - recall) * (hits / chosen.length);
    recall = hits / positives;
  }
  return sum;
}

describe('averagePrecision', () => {
  it('equals the threshold-by-threshold definition on scores with many ties', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 20; trial++) {
      const labels = Array.from({ length: 200 }, () => (next() < 0.3 ? 1 : 0));
      labels[0] = 1;
      labels[1] = 0;
      const scores = labels.map((l) => Math.round((next() + l * 0.3) * 20) / 20);
      expect(averagePrecision(labels, scores)).toBeCloseTo(referenceAveragePrecision(labels, scores), 12);
    }
  });

  it('ends, with a value in [0, 1], when a score is NaN', () => {
    const value = averagePrecision([1, 0, 1, 0], [0.9, NaN, NaN, 0.2])!;
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(1);
  });

  it('matches scikit-learn on hand-checked cases, ties entering together', () => {
    // sklearn.metrics.average_precision_score gives the same three values.
    expect(averagePrecision([1, 0], [0.5, 0.5])).toBe(0.5);
    expect(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.8333333);
    expect(averagePrecision([1, 0, 0, 0, 1], [0.9, 0.8, 0.8, 0.1, 0.8])).toBeCloseTo(1 * 0.5 + (2 / 4) * 0.5);
  });

  it('is null with one class, and the share of positives for a score that says nothing', () => {
    expect(averagePrecision([1, 1], [0.2, 0.3])).toBeNull();
    expect(averagePrecision([0, 0], [0.2, 0.3])).toBeNull();
    expect(averagePrecision([1, 0, 0, 0], [0.5, 0.5, 0.5, 0.5])).toBeCloseTo(0.25);
  });
});

describe('rocAuc', () => {
  it('counts ties as one half', () => {
    expect(rocAuc([1, 0], [0.5, 0.5])).toBe(0.5);
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75);
  });

  it('equals the pairwise definition on data with many ties', () => {
    let seed = 5;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const labels = Array.from({ length: 400 }, () => (next() < 0.3 ? 1 : 0));
    const scores = labels.map((y) => Math.round((next() + y * 0.3) * 10) / 10);
    let wins = 0;
    let pairs = 0;
    labels.forEach((a, i) =>
      labels.forEach((b, j) => {
        if (a !== 1 || b !== 0) return;
        pairs++;
        wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }),
    );
    expect(rocAuc(labels, scores)).toBeCloseTo(wins / pairs, 12);
    expect(rocAuc([1, 1], [0.2, 0.9])).toBeNull();
  });
});

describe('maskedMetrics', () => {
  it('computes each column separately in task order', () => {
    const labels = matrixFromRows([
      [1, -1],
      [0, 1],
      [1, 0],
    ]);
    const probs = matrixFromRows([
      [0.9, 0.1],
      [0.1, 0.8],
      [0.8, 0.3],
    ]);
    const [a, b] = maskedMetrics(labels, probs, ['a', 'b']);
    expect(a).toMatchObject({ name: 'a', labelled: 3, accuracy: 1, auc: 1 });
    expect(b).toMatchObject({ name: 'b', labelled: 2, accuracy: 1, auc: 1 });
  });

  it('rejects mismatched shapes', () => {
    expect(() => maskedMetrics(matrixFromRows([[1]]), matrixFromRows([[1, 0]]), ['a'])).toThrow(/labels are 1x1 but predictions are 1x2/);
  });
});
