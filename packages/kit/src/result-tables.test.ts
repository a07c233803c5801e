import type { TaskMetrics, VariantResult } from '@mtl/core';
import { describe, expect, it } from 'vitest';
import { sweepTable, taskTable, variantTable } from './result-tables.js';

const metrics = (name: string, score: number | null): TaskMetrics => ({
  name,
  labelled: score === null ? 0 : 3000,
  accuracy: score,
  balancedAccuracy: score,
  f1: score,
  macroF1: score,
  auc: score,
  averagePrecision: score,
  positiveRate: 0.5,
  majorityBaseline: 0.5,
  ...(score === null ? { untrained: true as const } : {}),
});
const variant = (name: VariantResult['name'], scores: Array<number | null>): VariantResult => ({
  name,
  description: '',
  trainRows: [10],
  epochs: 1,
  tasks: scores.map((s, i) => metrics(`y${i}`, s)),
});

describe('result tables', () => {
  it('gives a variant with an untrained task no mean rather than counting it as 0', () => {
    const rows = variantTable([
      variant('masked', [0.9, 0.8, 0.7]),
      variant('complete-rows', [null, null, null]),
      variant('single-task', [0.9, 0.8, null]),
    ]).split('\n');
    expect(rows).toContain('| masked | 0.900 | 0.800 | 0.700 | 0.800 |');
    expect(rows).toContain('| complete-rows | untrained | untrained | untrained | — |');
    expect(rows).toContain('| single-task | 0.900 | 0.800 | untrained | — |');
  });

  it('names the test labels per task and says untrained instead of a score', () => {
    const rows = taskTable([metrics('y0', 0.9), metrics('y1', null)]).split('\n');
    expect(rows).toContain('| y0 | 3000 | 50.0 % | 0.900 | 90.0 % | 0.900 | 0.900 | 50.0 % |');
    expect(rows).toContain('| y1 | 0 | 50.0 % | untrained | untrained | untrained | untrained | 50.0 % |');
  });

  it('lays a sweep out as one row per rate and one column per variant', () => {
    const point = (missingRate: number, v: VariantResult['name'], meanAuc: number | null) => ({
      missingRate,
      variant: v,
      meanAuc,
      meanAveragePrecision: meanAuc,
      meanAccuracy: meanAuc,
      tasks: [],
      trainRows: [],
    });
    const rows = sweepTable([point(0, 'masked', 0.99), point(0, 'naive', 0.98), point(0.9, 'masked', 0.97), point(0.9, 'naive', null)]).split('\n');
    expect(rows[0]).toBe('| missing rate: mean ROC-AUC | masked | naive |');
    expect(rows).toContain('| 0.9 | 0.970 | — |');
  });
});
