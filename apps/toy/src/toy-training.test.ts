import { loadBackend, maskedMetrics, predictProbabilities, trainMultiTask } from '@mtl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOY_TASKS } from './toy-data.js';
import { buildToyModel, prepareToySplits } from './toy-experiment.js';

beforeAll(async () => {
  await loadBackend({ request: 'wasm' });
});

describe('toy experiment (short run)', () => {
  it('reaches >= 0.95 held-out accuracy on every task with half of the labels dropped', async () => {
    const splits = prepareToySplits(23_000, 0.5, 1);
    expect(splits.dropped.every((d) => d / splits.train.x.rows > 0.45 && d / splits.train.x.rows < 0.55)).toBe(true);
    const model = buildToyModel(TOY_TASKS, 1);
    await trainMultiTask(model, splits.train, { taskNames: TOY_TASKS, epochs: 40, batchSize: 256, learningRate: 0.01, seed: 1, dev: splits.dev });
    const metrics = maskedMetrics(splits.test.y, predictProbabilities(model, splits.test.x), TOY_TASKS);
    for (const m of metrics) {
      expect(m.labelled).toBe(3000);
      expect(m.accuracy!, m.name).toBeGreaterThanOrEqual(0.95);
    }
  });
});
