import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { createMatrix, MISSING } from './matrix.js';
import { buildMultiHeadModel } from './model-builder.js';
import { createRng } from './rng.js';
import type { Dataset } from './trainer.js';
import { trainVariants } from './training-variants.js';

beforeAll(async () => {
  await loadBackend({ request: 'wasm' });
});

/** a = x0 > 0, b = x1 > 0; in training, b is missing in half of the rows and c in every row. */
function dataset(rows: number, seed: number, dropB: boolean): Dataset {
  const rng = createRng(seed);
  const x = createMatrix(rows, 2);
  const y = createMatrix(rows, 3);
  for (let r = 0; r < rows; r++) {
    x.data[2 * r] = rng.next() * 2 - 1;
    x.data[2 * r + 1] = rng.next() * 2 - 1;
    y.data[3 * r] = x.data[2 * r]! > 0 ? 1 : 0;
    y.data[3 * r + 1] = dropB && r % 2 === 0 ? MISSING : x.data[2 * r + 1]! > 0 ? 1 : 0;
    y.data[3 * r + 2] = dropB ? MISSING : 1;
  }
  return { x, y };
}

describe('trainVariants', () => {
  it('trains every variant with per-task loss weights, and reports a task without labels as untrained', async () => {
    const tasks = ['a', 'b', 'c'];
    const labels: Array<string | undefined> = [];
    const results = await trainVariants({
      taskNames: tasks,
      train: dataset(600, 1, true),
      test: dataset(200, 2, false),
      buildModel: (heads) => buildMultiHeadModel({ inputSize: 2, trunk: [{ units: 8 }], heads: heads.map((name) => ({ name })), seed: 3 }),
      training: { epochs: 15, batchSize: 50, learningRate: 0.03, seed: 1, loss: { positiveWeights: [1, 2, 1] } },
      variants: ['masked', 'single-task'],
      onEvent: (e) => {
        if (e.type === 'start') labels.push(e.label);
      },
    });
    // Each model's start names it, for the dashboard and the log (c has no labels: no model).
    expect(labels).toEqual(['masked', 'single-task a', 'single-task b']);
    expect(results.map((r) => r.name)).toEqual(['masked', 'single-task']);
    const single = results.find((r) => r.name === 'single-task')!;
    expect(single.trainRows).toEqual([600, 300, 0]);
    expect(single.tasks[0]!.accuracy).toBeGreaterThan(0.9);
    expect(single.tasks[1]!.accuracy).toBeGreaterThan(0.85);
    expect(single.tasks[2]).toMatchObject({ name: 'c', untrained: true, accuracy: null });
    const masked = results.find((r) => r.name === 'masked')!;
    expect(masked.tasks[2]!.untrained).toBe(true);
  });

  it('reports complete-rows as untrained, with a warning, when no training row has every label', async () => {
    const notices: string[] = [];
    const [result] = await trainVariants({
      taskNames: ['a', 'b', 'c'],
      train: dataset(100, 1, true),
      test: dataset(50, 2, false),
      buildModel: (heads) => buildMultiHeadModel({ inputSize: 2, trunk: [{ units: 4 }], heads: heads.map((name) => ({ name })), seed: 3 }),
      training: { epochs: 1, batchSize: 50, seed: 1 },
      variants: ['complete-rows'],
      onEvent: (e) => {
        if (e.type === 'notice') notices.push(e.message);
      },
    });
    expect(result).toMatchObject({ name: 'complete-rows', trainRows: [0], epochs: 0 });
    expect(result!.tasks.map((t) => [t.name, t.untrained, t.accuracy, t.labelled])).toEqual([
      ['a', true, null, 50],
      ['b', true, null, 50],
      ['c', true, null, 50],
    ]);
    expect(notices.some((m) => /complete-rows: no training row has every label present/.test(m))).toBe(true);
  });
});
