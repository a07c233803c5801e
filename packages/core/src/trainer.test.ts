import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { dropoutLayers } from './dropout-seeds.js';
import { markUntrained } from './masked-metrics.js';
import { createMatrix, MISSING } from './matrix.js';
import { buildMultiHeadModel } from './model-builder.js';
import { createRng } from './rng.js';
import type { TrainerEvent } from './trainer-events.js';
import { type Dataset, NonFiniteLossError, trainMultiTask } from './trainer.js';
import { TrainingControl } from './training-control.js';

beforeAll(async () => {
  await loadBackend({ request: 'wasm' });
});

/** Two tasks on 3 features: a = x0 > 0, b = x1 + x2 > 0; a third of the labels missing. */
function dataset(rows: number, seed: number): Dataset {
  const rng = createRng(seed);
  const x = createMatrix(rows, 3);
  const y = createMatrix(rows, 2);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < 3; c++) x.data[r * 3 + c] = rng.next() * 2 - 1;
    y.data[r * 2] = rng.next() < 0.33 ? MISSING : x.data[r * 3]! > 0 ? 1 : 0;
    y.data[r * 2 + 1] = rng.next() < 0.33 ? MISSING : x.data[r * 3 + 1]! + x.data[r * 3 + 2]! > 0 ? 1 : 0;
  }
  return { x, y };
}

const TASKS = ['a', 'b'];
const model = () => buildMultiHeadModel({ inputSize: 3, trunk: [{ units: 16 }], heads: TASKS.map((name) => ({ name })), seed: 4 });
/** The three ways a step runs: a Dense chain, a chain with dropout, and the tape (a head with its own hidden layer) with dropout. */
const models: Array<[string, () => ReturnType<typeof model>]> = [
  ['dense chain', model],
  [
    'dense chain with dropout',
    () => buildMultiHeadModel({ inputSize: 3, trunk: [{ units: 16, dropout: 0.3 }], heads: TASKS.map((name) => ({ name })), seed: 4 }),
  ],
  [
    'tape, with dropout',
    () => buildMultiHeadModel({ inputSize: 3, trunk: [{ units: 16, dropout: 0.3 }], heads: [{ name: 'a' }, { name: 'b', hidden: { units: 4 } }], seed: 4 }),
  ],
];
const base = { taskNames: TASKS, batchSize: 64, learningRate: 0.02, seed: 9 };

describe('trainMultiTask', () => {
  it('emits start, batches, epochs with dev metrics, and end; learns both tasks', async () => {
    const events: TrainerEvent[] = [];
    const result = await trainMultiTask(model(), dataset(1000, 1), { ...base, epochs: 8, dev: dataset(300, 2), onEvent: (e) => events.push(e) });
    expect(events[0]).toMatchObject({ type: 'start', epochs: 8, batchesPerEpoch: 16, trainRows: 1000, devRows: 300 });
    expect(events.filter((e) => e.type === 'batch')).toHaveLength(8 * 16);
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(8);
    expect(events.at(-1)!.type).toBe('end');
    const last = result.history.at(-1)!;
    expect(last.devLoss).toBeLessThan(result.history[0]!.devLoss!);
    for (const task of last.tasks) expect(task.accuracy).toBeGreaterThan(0.9);
  });

  it.each(models)('gives the same history for the same seed on the same backend (%s)', async (_name, model) => {
    const run = () => trainMultiTask(model(), dataset(500, 1), { ...base, epochs: 3, dev: dataset(100, 2) });
    const [first, second] = [await run(), await run()];
    const strip = (h: typeof first.history) => h.map(({ seconds: _s, samplesPerSecond: _r, ...rest }) => rest);
    expect(strip(second.history)).toEqual(strip(first.history));
  });

  it.each(models)('resumes from a checkpoint to the same weights as an uninterrupted run (%s)', async (_name, model) => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const data = dataset(500, 3);
    const straight = model();
    await trainMultiTask(straight, data, { ...base, epochs: 6 });

    const path = join(dir, 'checkpoint.json');
    const checkpoint = { path, fingerprint: { data: 'test' } };
    const control = new TrainingControl();
    const interrupted = model();
    await trainMultiTask(interrupted, data, {
      ...base,
      epochs: 6,
      checkpoint,
      control,
      onEvent: (e) => {
        if (e.type === 'epoch' && e.epoch === 3) control.requestStop('test stop');
      },
    });
    const resumed = model();
    const result = await trainMultiTask(resumed, data, { ...base, epochs: 6, checkpoint: { ...checkpoint, resume: true } });
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    const a = straight.getWeights().map((w) => Array.from(w.dataSync()));
    const b = resumed.getWeights().map((w) => Array.from(w.dataSync()));
    expect(b).toEqual(a);

    await expect(trainMultiTask(model(), data, { ...base, epochs: 6, checkpoint: { path, fingerprint: { data: 'other' }, resume: true } })).rejects.toThrow(
      /made with other settings \(data: checkpoint "test", now "other"\)/,
    );
    const valid = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...valid, model: undefined }));
    await expect(trainMultiTask(model(), data, { ...base, epochs: 6, checkpoint: { ...checkpoint, resume: true } })).rejects.toThrow(
      /the checkpoint is incomplete/,
    );
    writeFileSync(path, '{"format": "masked-mtl-checkp');
    await expect(trainMultiTask(model(), data, { ...base, epochs: 6, checkpoint: { ...checkpoint, resume: true } })).rejects.toThrow(/invalid JSON/);
  });

  it('leaves dropout unseeded after training, so model.fit afterwards still draws a new mask per call', async () => {
    const net = models[1]![1]();
    await trainMultiTask(net, dataset(200, 3), { ...base, epochs: 1 });
    const layer = dropoutLayers(net)[0]!;
    const ones = tf.ones([8, 16]);
    const a = Array.from((layer.apply(ones, { training: true }) as tf.Tensor).dataSync());
    const b = Array.from((layer.apply(ones, { training: true }) as tf.Tensor).dataSync());
    expect(a).not.toEqual(b);
  });

  it('creates the checkpoint directory, and refuses one it cannot create before training', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-dir-'));
    const path = join(dir, 'nested', 'run', 'checkpoint.json');
    await trainMultiTask(model(), dataset(200, 3), { ...base, epochs: 1, checkpoint: { path, fingerprint: {} } });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ epoch: 1 });
    writeFileSync(join(dir, 'a-file'), '');
    const events: TrainerEvent[] = [];
    await expect(
      trainMultiTask(model(), dataset(200, 3), {
        ...base,
        epochs: 1,
        checkpoint: { path: join(dir, 'a-file', 'checkpoint.json'), fingerprint: {} },
        onEvent: (e) => events.push(e),
      }),
    ).rejects.toThrow(/checkpoint .*a-file\/checkpoint\.json: cannot create its directory \(.*a-file is a file, not a directory\)/);
    expect(events.map((e) => e.type)).toEqual(['error']);
  });

  it('stops gracefully between batches and reports where', async () => {
    const control = new TrainingControl();
    const events: TrainerEvent[] = [];
    const result = await trainMultiTask(model(), dataset(640, 1), {
      ...base,
      epochs: 5,
      control,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'batch' && e.epoch === 2 && e.batch === 4) control.requestStop('q pressed');
      },
    });
    expect(result.stopped).toEqual({ epoch: 1, reason: 'q pressed' });
    expect(events.at(-1)).toMatchObject({ type: 'stopped', epoch: 1, reason: 'q pressed' });
    expect(events.filter((e) => e.type === 'batch' && e.epoch === 2)).toHaveLength(4);
  });

  it('pauses between batches until resumed', async () => {
    const control = new TrainingControl();
    const events: string[] = [];
    const training = trainMultiTask(model(), dataset(256, 1), {
      ...base,
      epochs: 2,
      control,
      onEvent: (e) => {
        events.push(e.type);
        if (e.type === 'batch' && e.epoch === 1 && e.batch === 2) {
          control.pause();
          setTimeout(() => control.resume(), 50);
        }
      },
    });
    await training;
    expect(events).toContain('paused');
    expect(events.indexOf('resumed')).toBeGreaterThan(events.indexOf('paused'));
    expect(events.at(-1)).toBe('end');
  });

  it('stops on a NaN loss with a message that says what to do', async () => {
    // A loss that blows up, as a too-large learning rate would.
    const exploding = (_y: tf.Tensor, p: tf.Tensor) => tf.mul<tf.Scalar>(tf.mean(p), Number.NaN);
    const events: TrainerEvent[] = [];
    await expect(
      trainMultiTask(model(), dataset(128, 1), { ...base, epochs: 2, batchSize: 128, lossFunction: exploding, onEvent: (e) => events.push(e) }),
    ).rejects.toThrow(NonFiniteLossError);
    expect(events.some((e) => e.type === 'nan')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'error', message: expect.stringMatching(/NaN or infinite at epoch 1, batch 1.*check the inputs/) as string });
  });

  it('leaves no tensors behind', async () => {
    const m = model();
    const data = dataset(200, 1);
    await trainMultiTask(m, data, { ...base, epochs: 1, dev: dataset(50, 2) });
    const before = tf.memory().numTensors;
    await trainMultiTask(m, data, { ...base, epochs: 2, dev: dataset(50, 2) });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves no tensors behind when it resumes from a checkpoint', async () => {
    const checkpoint = { path: join(mkdtempSync(join(tmpdir(), 'ckpt-leak-')), 'checkpoint.json'), fingerprint: {} };
    const data = dataset(200, 1);
    await trainMultiTask(model(), data, { ...base, epochs: 1, checkpoint });
    const m = model();
    const before = tf.memory().numTensors;
    await trainMultiTask(m, data, { ...base, epochs: 2, checkpoint: { ...checkpoint, resume: true } });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('a task with no training labels', () => {
  it('trains the other tasks, warns, and is reported as untrained', async () => {
    const data = dataset(400, 1);
    for (let r = 0; r < data.y.rows; r++) data.y.data[r * 2 + 1] = MISSING;
    const events: TrainerEvent[] = [];
    const result = await trainMultiTask(model(), data, { ...base, epochs: 4, dev: dataset(100, 2), onEvent: (e) => events.push(e) });
    expect(result.untrainedTasks).toEqual(['b']);
    expect(events).toContainEqual({ type: 'notice', level: 'warning', message: expect.stringMatching(/task b has no labels in the training rows/) as string });
    const metrics = markUntrained(result.history.at(-1)!.tasks, result.untrainedTasks);
    expect(metrics[0]!.accuracy).toBeGreaterThan(0.8);
    expect(metrics[1]).toMatchObject({ name: 'b', untrained: true, accuracy: null, auc: null });
    expect(metrics[1]!.labelled).toBeGreaterThan(50);
  });
});
