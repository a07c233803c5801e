import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { createMatrix } from './matrix.js';
import { buildMultiHeadModel } from './model-builder.js';
import { createRng } from './rng.js';
import type { EpochRecord, TrainerEvent } from './trainer-events.js';
import { type Dataset, type TrainOptions, trainMultiTask } from './trainer.js';
import { TrainingControl } from './training-control.js';

beforeAll(async () => {
  await loadBackend({ request: 'wasm' });
});

/** a = x0 > 0, b = x1 + x2 > 0, each label flipped with probability `flip`. */
function noisy(rows: number, seed: number, flip: number): Dataset {
  const rng = createRng(seed);
  const x = createMatrix(rows, 3);
  const y = createMatrix(rows, 2);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < 3; c++) x.data[r * 3 + c] = rng.next() * 2 - 1;
    const a = x.data[r * 3]! > 0 ? 1 : 0;
    const b = x.data[r * 3 + 1]! + x.data[r * 3 + 2]! > 0 ? 1 : 0;
    y.data[r * 2] = rng.next() < flip ? 1 - a : a;
    y.data[r * 2 + 1] = rng.next() < flip ? 1 - b : b;
  }
  return { x, y };
}

/**
 * 40 training rows with 30 % of their labels flipped and a wide net with a high
 * learning rate: it fits the clean rule within a few epochs, then learns the
 * flipped labels by heart, and the clean dev rows' AUC peaks and falls.
 */
const train = noisy(40, 1, 0.3);
const dev = noisy(200, 2, 0);
const TASKS = ['a', 'b'];
const model = () => buildMultiHeadModel({ inputSize: 3, trunk: [{ units: 64 }], heads: TASKS.map((name) => ({ name })), seed: 4 });
const base = { taskNames: TASKS, batchSize: 8, learningRate: 0.05, seed: 9, dev };
const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
const meanAuc = (record: EpochRecord) => (record.tasks[0]!.auc! + record.tasks[1]!.auc!) / 2;

/** Trains and keeps a copy of the weights after every epoch. */
async function trainKeepingWeights(options: Omit<TrainOptions, 'taskNames' | 'batchSize'>) {
  const m = model();
  const after: number[][][] = [];
  const events: TrainerEvent[] = [];
  const result = await trainMultiTask(m, train, {
    ...base,
    ...options,
    onEvent: (e) => events.push(e),
    afterEpoch: (_record, net) => {
      after.push(weightsOf(net));
    },
  });
  return { result, after, final: weightsOf(m), events };
}

describe('trainMultiTask with bestEpoch', () => {
  it('ends with the weights of the epoch with the best dev mean AUC, and says so', async () => {
    const { result, after, final, events } = await trainKeepingWeights({ epochs: 12, bestEpoch: { metric: 'devAuc' } });
    const aucs = result.history.map(meanAuc);
    const peak = aucs.indexOf(Math.max(...aucs)) + 1;
    // The premise of the test: the metric peaks early and falls.
    expect(peak).toBeLessThan(6);
    expect(aucs.at(-1)!).toBeLessThan(aucs[peak - 1]! - 0.05);
    expect(result.history).toHaveLength(12);
    expect(result.bestEpoch).toEqual({ epoch: peak, metric: 'devAuc', score: aucs[peak - 1], selectedOn: 'dev', rows: 200 });
    expect(result.stoppedEarly).toBeUndefined();
    expect(final).toEqual(after[peak - 1]);
    expect(final).not.toEqual(after.at(-1));
    const notice = events.find((e) => e.type === 'notice' && e.message.startsWith('restored'));
    expect(notice).toEqual({ type: 'notice', level: 'info', message: `restored epoch ${peak} of 12: dev mean AUC ${aucs[peak - 1]!.toFixed(4)}` });
    expect(events.indexOf(notice!)).toBe(events.length - 2);
    expect(events.at(-1)!.type).toBe('end');
  });

  it('by dev loss, ends with the epoch of the lowest dev loss', async () => {
    const { result, after, final } = await trainKeepingWeights({ epochs: 12, bestEpoch: { metric: 'devLoss' } });
    const losses = result.history.map((h) => h.devLoss!);
    const best = losses.indexOf(Math.min(...losses)) + 1;
    expect(best).toBeLessThan(12);
    expect(result.bestEpoch).toMatchObject({ epoch: best, metric: 'devLoss', score: losses[best - 1] });
    expect(final).toEqual(after[best - 1]);
  });

  it('stops after `patience` epochs without a better score', async () => {
    const { result, after, final, events } = await trainKeepingWeights({ epochs: 30, bestEpoch: { metric: 'devAuc', patience: 3 } });
    const aucs = result.history.map(meanAuc);
    const best = result.bestEpoch!.epoch;
    // Every epoch up to the stop: the best is the first maximum, and the three after it are no better.
    expect(aucs.indexOf(Math.max(...aucs)) + 1).toBe(best);
    expect(result.history).toHaveLength(best + 3);
    expect(result.stoppedEarly).toEqual({ epoch: best + 3, patience: 3 });
    expect(result.stopped).toBeUndefined();
    expect(final).toEqual(after[best - 1]);
    expect(events).toContainEqual({
      type: 'notice',
      level: 'info',
      message: `early stop after epoch ${best + 3} of 30: no better dev mean AUC in 3 epochs since epoch ${best}`,
    });
  });

  it('resumed in the middle of its patience, ends where a straight run ends, with the same weights', async () => {
    const bestEpoch = { metric: 'devAuc' as const, patience: 4 };
    const straight = await trainKeepingWeights({ epochs: 30, bestEpoch });
    const peak = straight.result.bestEpoch!.epoch;
    const stopAt = peak + 2;
    const checkpoint = { path: join(mkdtempSync(join(tmpdir(), 'best-')), 'checkpoint.json'), fingerprint: { data: 'noisy' } };
    const control = new TrainingControl();
    const interrupted = await trainMultiTask(model(), train, {
      ...base,
      epochs: 30,
      bestEpoch,
      checkpoint,
      control,
      onEvent: (e) => {
        if (e.type === 'epoch' && e.epoch === stopAt) control.requestStop('test stop');
      },
    });
    expect(interrupted.stopped).toEqual({ epoch: stopAt, reason: 'test stop' });
    // A stopped run also ends with its best epoch so far.
    expect(interrupted.bestEpoch!.epoch).toBe(peak);
    const saved = JSON.parse(readFileSync(checkpoint.path, 'utf8')) as { best: { epoch: number; epochsWithoutImprovement: number } };
    expect(saved.best).toMatchObject({ epoch: peak, epochsWithoutImprovement: 2 });

    const m = model();
    const resumed = await trainMultiTask(m, train, { ...base, epochs: 30, bestEpoch, checkpoint: { ...checkpoint, resume: true } });
    expect(resumed.history.map((h) => h.epoch)).toEqual(straight.result.history.map((h) => h.epoch));
    expect(resumed.bestEpoch).toEqual(straight.result.bestEpoch);
    expect(resumed.stoppedEarly).toEqual(straight.result.stoppedEarly);
    expect(weightsOf(m)).toEqual(straight.final);

    // Resuming the finished run trains nothing more and ends with the same weights.
    const again = model();
    const finished = await trainMultiTask(again, train, { ...base, epochs: 30, bestEpoch, checkpoint: { ...checkpoint, resume: true } });
    expect(finished.stoppedEarly).toEqual(straight.result.stoppedEarly);
    expect(weightsOf(again)).toEqual(straight.final);
  });

  it('resumes a checkpoint written without best-epoch state, choosing from the resumed epoch on', async () => {
    const checkpoint = { path: join(mkdtempSync(join(tmpdir(), 'best-old-')), 'checkpoint.json'), fingerprint: {} };
    await trainMultiTask(model(), train, { ...base, epochs: 3, checkpoint });
    const old = JSON.parse(readFileSync(checkpoint.path, 'utf8')) as Record<string, unknown>;
    expect(old['best']).toBeUndefined();
    const events: TrainerEvent[] = [];
    const result = await trainMultiTask(model(), train, {
      ...base,
      epochs: 8,
      bestEpoch: { metric: 'devAuc' },
      checkpoint: { ...checkpoint, resume: true },
      onEvent: (e) => events.push(e),
    });
    expect(events).toContainEqual({
      type: 'notice',
      level: 'warning',
      message: 'best epoch: the checkpoint has no best-epoch state; choosing among epochs 3 to the end (the earlier ones cannot be restored)',
    });
    const aucs = result.history.slice(2).map(meanAuc);
    expect(result.bestEpoch!.epoch).toBe(aucs.indexOf(Math.max(...aucs)) + 3);

    writeFileSync(checkpoint.path, JSON.stringify({ ...old, best: { metric: 'devLoss', epoch: 1, score: 0.5, epochsWithoutImprovement: 0, weights: [] } }));
    await expect(
      trainMultiTask(model(), train, { ...base, epochs: 8, bestEpoch: { metric: 'devAuc' }, checkpoint: { ...checkpoint, resume: true } }),
    ).rejects.toThrow(/chose its best epoch by devLoss, this run by devAuc/);
  });

  it('chooses on held-out training rows when asked, and trains on the rest', async () => {
    const { result, events } = await trainKeepingWeights({ epochs: 6, bestEpoch: { metric: 'devLoss', holdout: 0.25 } });
    expect(events[0]).toMatchObject({ type: 'start', trainRows: 30, devRows: 200 });
    expect(events).toContainEqual({
      type: 'notice',
      level: 'info',
      message: 'best epoch: chosen on 10 training rows held out (25 %), not on the dev rows; the other 30 train',
    });
    expect(result.bestEpoch).toMatchObject({ metric: 'devLoss', selectedOn: 'holdout', rows: 10 });
    expect(result.bestEpoch!.score).not.toBe(result.history[result.bestEpoch!.epoch - 1]!.devLoss);
  });

  it('without dev rows, trains every epoch like a run without it, and says so once', async () => {
    const plain = await trainKeepingWeights({ epochs: 4, dev: undefined });
    const asked = await trainKeepingWeights({ epochs: 4, dev: undefined, bestEpoch: { metric: 'devAuc', patience: 1 } });
    expect(asked.final).toEqual(plain.final);
    expect(asked.result.bestEpoch).toBeUndefined();
    expect(asked.result.history).toHaveLength(4);
    expect(asked.events.filter((e) => e.type === 'notice')).toEqual([
      { type: 'notice', level: 'warning', message: 'best epoch: no dev rows to choose it on; training every epoch and keeping the last' },
    ]);
  });

  it('gives the same weights as before when it is off, and leaves no tensors behind when on', async () => {
    const m = model();
    await trainMultiTask(m, train, { ...base, epochs: 1 });
    const before = tf.memory().numTensors;
    const checkpoint = { path: join(mkdtempSync(join(tmpdir(), 'best-leak-')), 'checkpoint.json'), fingerprint: {} };
    await trainMultiTask(m, train, { ...base, epochs: 5, bestEpoch: { metric: 'devAuc', patience: 2 }, checkpoint });
    await trainMultiTask(m, train, { ...base, epochs: 7, bestEpoch: { metric: 'devAuc', patience: 2 }, checkpoint: { ...checkpoint, resume: true } });
    expect(tf.memory().numTensors).toBe(before);
  });
});
