import type { TaskMetrics } from '@mtl/core';
import { describe, expect, it } from 'vitest';
import { resultsTable, type ToyResults } from './run-toy.js';

const metrics = (name: string, accuracy: number | null): TaskMetrics => ({
  name, labelled: accuracy === null ? 0 : 3000, accuracy, balancedAccuracy: accuracy, f1: accuracy, macroF1: accuracy, auc: accuracy, positiveRate: 0.5, majorityBaseline: 0.5,
  ...(accuracy === null ? { untrained: true as const } : {}),
});

describe('resultsTable', () => {
  it('gives a variant with an untrained task no mean accuracy rather than counting it as 0', () => {
    const results = {
      tasks: [metrics('y0', 0.9), metrics('y1', 0.8), metrics('y2', 0.7)],
      variants: [
        { name: 'masked', description: '', trainRows: [10], epochs: 1, tasks: [metrics('y0', 0.9), metrics('y1', 0.8), metrics('y2', 0.7)] },
        { name: 'complete-rows', description: '', trainRows: [0], epochs: 0, tasks: [metrics('y0', null), metrics('y1', null), metrics('y2', null)] },
        { name: 'single-task', description: '', trainRows: [10, 10, 0], epochs: 1, tasks: [metrics('y0', 0.9), metrics('y1', 0.8), metrics('y2', null)] },
      ],
    } as unknown as ToyResults;
    const rows = resultsTable(results).split('\n');
    expect(rows).toContain('| masked | 0.900 | 0.800 | 0.700 | 0.800 | 0.900 | 0.800 | 0.700 |');
    expect(rows).toContain('| complete-rows | - | - | - | - | - | - | - |');
    expect(rows).toContain('| single-task | 0.900 | 0.800 | - | - | 0.900 | 0.800 | - |');
  });
});
