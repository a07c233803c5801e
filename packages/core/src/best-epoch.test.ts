import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { BestEpochTracker, checkScorable, epochScore, isBetter, planSelection, scoreLabel } from './best-epoch.js';
import type { TaskMetrics } from './masked-metrics.js';
import { createMatrix, MISSING } from './matrix.js';
import { buildMultiHeadModel } from './model-builder.js';
import type { Dataset } from './trainer.js';

beforeAll(async () => {
  await loadBackend({ request: 'cpu' });
});

const metrics = (name: string, auc: number | null): TaskMetrics => ({
  name,
  labelled: 10,
  accuracy: null,
  balancedAccuracy: null,
  f1: null,
  macroF1: null,
  auc,
  averagePrecision: null,
  positiveRate: null,
  majorityBaseline: null,
});

/** Rows 0..n-1 with feature = row number and one label column. */
function rows(labels: number[]): Dataset {
  return {
    x: createMatrix(
      labels.length,
      1,
      Float32Array.from(labels, (_, i) => i),
    ),
    y: createMatrix(labels.length, 1, Float32Array.from(labels)),
  };
}

describe('epochScore', () => {
  it('is the mean ROC-AUC over the tasks where it is defined, leaving out ignored tasks', () => {
    const tasks = [metrics('a', 0.5), metrics('b', 0.9), metrics('c', null)];
    // (0.5 + 0.9) / 2 = 0.7: c has no AUC and does not pull the mean down.
    expect(epochScore({ metric: 'devAuc', devLoss: 0.3, tasks })).toBeCloseTo(0.7, 12);
    expect(epochScore({ metric: 'devAuc', devLoss: 0.3, tasks, ignore: ['b'] })).toBe(0.5);
    expect(epochScore({ metric: 'devAuc', devLoss: 0.3, tasks: [metrics('c', null)] })).toBeNull();
  });

  it('is the dev loss for devLoss, and null when there is none or it is not finite', () => {
    expect(epochScore({ metric: 'devLoss', devLoss: 0.25, tasks: [] })).toBe(0.25);
    expect(epochScore({ metric: 'devLoss', devLoss: null, tasks: [] })).toBeNull();
    expect(epochScore({ metric: 'devLoss', devLoss: Number.NaN, tasks: [] })).toBeNull();
  });
});

describe('isBetter and scoreLabel', () => {
  it('wants a higher AUC and a lower loss; a tie keeps the earlier epoch', () => {
    expect(isBetter('devAuc', 0.8, 0.7)).toBe(true);
    expect(isBetter('devAuc', 0.7, 0.7)).toBe(false);
    expect(isBetter('devLoss', 0.3, 0.4)).toBe(true);
    expect(isBetter('devLoss', 0.4, 0.4)).toBe(false);
    expect(isBetter('devLoss', 9, null)).toBe(true);
    expect(scoreLabel('devAuc', 'dev')).toBe('dev mean AUC');
    expect(scoreLabel('devLoss', 'holdout')).toBe('held-out loss');
  });
});

describe('BestEpochTracker', () => {
  const model = () => buildMultiHeadModel({ inputSize: 1, trunk: [], heads: [{ name: 'a' }], seed: 1 });
  /** Sets every weight of the model to `value`, standing for "the weights after some epoch". */
  const fill = (m: tf.LayersModel, value: number) => m.setWeights(m.weights.map((w) => tf.fill(w.shape as number[], value)));
  const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

  it('keeps the best epoch, counts the epochs since it, and puts its weights back', () => {
    const m = model();
    const tracker = new BestEpochTracker({ metric: 'devAuc', patience: 2 });
    // AUC 0.6, 0.8, 0.7, null, 0.75: epoch 2 is best; epochs 3 and 4 bring nothing better, so patience 2 runs out after epoch 4.
    const scores = [0.6, 0.8, 0.7, null];
    scores.forEach((score, i) => {
      fill(m, i + 1);
      tracker.observe({ epoch: i + 1, score, model: m });
      expect(tracker.patienceRanOut).toBe(i === 3);
    });
    expect(tracker.state).toMatchObject({ metric: 'devAuc', epoch: 2, score: 0.8, epochsWithoutImprovement: 2 });
    const before = tf.memory().numTensors;
    expect(tracker.restore(m)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(values(m)).toEqual([[2], [2]]);
  });

  it('never runs out of patience without one, and has nothing to restore before a scored epoch', () => {
    const m = model();
    fill(m, 5);
    const tracker = new BestEpochTracker({ metric: 'devLoss' });
    for (let epoch = 1; epoch <= 50; epoch++) tracker.observe({ epoch, score: null, model: m });
    expect(tracker.patienceRanOut).toBe(false);
    expect(tracker.restore(m)).toBe(false);
    expect(tracker.state).toMatchObject({ epoch: 0, score: null, epochsWithoutImprovement: 50, weights: [] });
  });

  it('copies the weights: training on after the best epoch does not change them', () => {
    const m = model();
    fill(m, 1);
    const tracker = new BestEpochTracker({ metric: 'devLoss' });
    tracker.observe({ epoch: 1, score: 0.2, model: m });
    fill(m, 3);
    tracker.observe({ epoch: 2, score: 0.5, model: m });
    expect(Array.from(tracker.state.weights[0]!.values)).toEqual([1]);
    tracker.restore(m);
    expect(values(m)).toEqual([[1], [1]]);
  });

  it('continues from a saved state as if it had never stopped', () => {
    const m = model();
    const first = new BestEpochTracker({ metric: 'devAuc', patience: 3 });
    fill(m, 1);
    first.observe({ epoch: 1, score: 0.9, model: m });
    first.observe({ epoch: 2, score: 0.8, model: m });
    const second = new BestEpochTracker({ metric: 'devAuc', patience: 3, state: first.state });
    second.observe({ epoch: 3, score: 0.85, model: m });
    expect(second.patienceRanOut).toBe(false);
    second.observe({ epoch: 4, score: 0.9, model: m });
    expect(second.patienceRanOut).toBe(true);
    expect(second.state).toMatchObject({ epoch: 1, score: 0.9, epochsWithoutImprovement: 3 });
  });
});

describe('planSelection', () => {
  const train = rows([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);

  it('chooses on the dev rows when there are some', () => {
    const dev = rows([0, 1]);
    const plan = planSelection({ train, dev, bestEpoch: { metric: 'devAuc' }, seed: 0 });
    expect(plan.train).toBe(train);
    expect(plan.on).toEqual({ data: dev, kind: 'dev' });
    expect(plan.notice).toBeUndefined();
  });

  it('without dev rows, does nothing and says so', () => {
    for (const dev of [undefined, rows([])]) {
      const plan = planSelection({ train, dev, bestEpoch: { metric: 'devAuc' }, seed: 0 });
      expect(plan).toEqual({
        train,
        notice: { level: 'warning', message: 'best epoch: no dev rows to choose it on; training every epoch and keeping the last' },
      });
    }
  });

  it('holds out a seeded share of the training rows: round(20 x 0.25) = 5 rows, disjoint from the 15 that train', () => {
    const plan = planSelection({ train, dev: rows([0, 1]), bestEpoch: { metric: 'devAuc', holdout: 0.25 }, seed: 3 });
    expect(plan.on!.kind).toBe('holdout');
    const held = Array.from(plan.on!.data.x.data);
    const trained = Array.from(plan.train.x.data);
    expect(held).toHaveLength(5);
    expect(trained).toHaveLength(15);
    expect([...held, ...trained].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Labels travel with their rows (label = row number mod 2).
    expect(Array.from(plan.on!.data.y.data)).toEqual(held.map((r) => r % 2));
    expect(plan.notice!.message).toBe('best epoch: chosen on 5 training rows held out (25 %), not on the dev rows; the other 15 train');
    const again = planSelection({ train, dev: undefined, bestEpoch: { metric: 'devAuc', holdout: 0.25 }, seed: 3 });
    expect(Array.from(again.on!.data.x.data)).toEqual(held);
    const other = planSelection({ train, dev: undefined, bestEpoch: { metric: 'devAuc', holdout: 0.25 }, seed: 4 });
    expect(Array.from(other.on!.data.x.data)).not.toEqual(held);
  });

  it('refuses a share outside (0, 1), and skips a holdout too small to leave a row on either side', () => {
    expect(() => planSelection({ train, dev: undefined, bestEpoch: { metric: 'devAuc', holdout: 1 }, seed: 0 })).toThrow(/between 0 and 1/);
    const two = rows([0, 1]);
    // round(2 x 0.15) = 0 rows held out.
    expect(planSelection({ train: two, dev: undefined, bestEpoch: { metric: 'devAuc', holdout: 0.15 }, seed: 0 })).toEqual({
      train: two,
      notice: {
        level: 'warning',
        message: 'best epoch: 2 training rows are too few to hold out 15 % to choose it on; training every epoch and keeping the last',
      },
    });
  });
});

describe('checkScorable', () => {
  const train = rows([0, 1, 0, 1]);
  const plan = (dev: Dataset) => planSelection({ train, dev, bestEpoch: { metric: 'devAuc' }, seed: 0 });

  it('keeps a plan whose rows give a trained task both classes', () => {
    const p = plan(rows([0, 1, MISSING]));
    expect(checkScorable({ plan: p, train, metric: 'devAuc', ignore: () => false })).toBe(p);
  });

  it('drops the choice when no ROC-AUC can be defined (one class, or only untrained tasks), or no label for the loss', () => {
    const oneClass = plan(rows([1, 1, MISSING]));
    expect(checkScorable({ plan: oneClass, train, metric: 'devAuc', ignore: () => false })).toEqual({
      train,
      notice: {
        level: 'warning',
        message: 'best epoch: no trained task has both classes (ROC-AUC undefined) among the 3 dev rows; training every epoch and keeping the last',
      },
    });
    expect(checkScorable({ plan: plan(rows([0, 1])), train, metric: 'devAuc', ignore: () => true }).on).toBeUndefined();
    expect(checkScorable({ plan: oneClass, train, metric: 'devLoss', ignore: () => false }).on).toBeDefined();
    expect(checkScorable({ plan: plan(rows([MISSING])), train, metric: 'devLoss', ignore: () => false }).notice!.message).toMatch(
      /no label among the 1 dev rows/,
    );
  });

  it('trains on every row again when a holdout cannot be scored', () => {
    const held = planSelection({ train: rows([1, 1, 1, 1]), dev: undefined, bestEpoch: { metric: 'devAuc', holdout: 0.5 }, seed: 0 });
    const all = rows([1, 1, 1, 1]);
    const checked = checkScorable({ plan: held, train: all, metric: 'devAuc', ignore: () => false });
    expect(checked.train).toBe(all);
    expect(checked.notice!.message).toMatch(/among the 2 held-out rows/);
  });
});
