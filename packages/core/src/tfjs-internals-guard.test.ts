import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadBackend } from './backend.js';
import { maskedBinaryCrossentropy } from './masked-loss.js';
import { createMatrix, MISSING } from './matrix.js';
import { buildMultiHeadModel } from './model-builder.js';
import { createRng, permutation } from './rng.js';
import { ShuffledBatches } from './shuffled-batches.js';
import { checkTfjsInternals, plainPathNotice, VERIFIED_TFJS_VERSION } from './tfjs-internals-guard.js';
import type { TrainerEvent } from './trainer-events.js';
import { type Dataset, trainMultiTask } from './trainer.js';
import { useFastWasmKernels } from './wasm-kernels.js';

// Another tfjs release without installing one: every module of this file sees
// tfjs report the version set here, as it would report an upgraded package's.
const installed = vi.hoisted(() => ({ version: '' }));
vi.mock('@tensorflow/tfjs', async (importOriginal) => {
  const real = await importOriginal<typeof import('@tensorflow/tfjs')>();
  installed.version = real.version_core;
  return {
    ...real,
    get version_core() {
      return installed.version;
    },
  };
});

const REAL_VERSION = installed.version;
const OTHER_VERSION = '4.99.0';

beforeAll(async () => {
  await loadBackend({ request: 'wasm' });
});

beforeEach(() => {
  installed.version = REAL_VERSION;
});

describe('checkTfjsInternals', () => {
  it('accepts the verified release only', () => {
    expect(checkTfjsInternals({ installed: VERIFIED_TFJS_VERSION })).toEqual({
      verified: true,
      installed: VERIFIED_TFJS_VERSION,
      verifiedVersion: VERIFIED_TFJS_VERSION,
    });
    for (const other of ['4.22.1', '4.21.0', '5.0.0', '4.22.0-rc.0']) expect(checkTfjsInternals({ installed: other }).verified).toBe(false);
  });

  it('reads the installed tfjs-core by default; the tfjs this repository installs is the verified one', () => {
    expect(checkTfjsInternals()).toMatchObject({ verified: true, installed: VERIFIED_TFJS_VERSION });
    installed.version = OTHER_VERSION;
    expect(checkTfjsInternals()).toMatchObject({ verified: false, installed: OTHER_VERSION });
  });

  it('words the fallback notice with both versions and the path taken', () => {
    expect(plainPathNotice(checkTfjsInternals({ installed: OTHER_VERSION }))).toEqual({
      type: 'notice',
      level: 'info',
      message: expect.stringMatching(
        /^tfjs-core 4\.99\.0 is installed, but the trainer's fast paths were verified against 4\.22\.0 only: training on tfjs' plain tape path/,
      ) as string,
    });
  });
});

/** Two tasks on 3 features, a third of the labels missing. */
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

/** A plain Dense chain: on the verified release the trainer would take every fast path with it. */
const model = () => buildMultiHeadModel({ inputSize: 3, trunk: [{ units: 16 }], heads: [{ name: 'a' }, { name: 'b' }], seed: 4 });
const settings = { epochs: 4, batchSize: 64, learningRate: 0.02, seed: 9 };

/** The plain tape path written out: tf.train.adam and `minimize`, on the trainer's batches in the trainer's order. */
function trainOnTape(net: tf.LayersModel, data: Dataset): void {
  const optimizer = tf.train.adam(settings.learningRate);
  const rng = createRng(settings.seed);
  const rows = data.x.rows;
  const batches = new ShuffledBatches(data.x, data.y);
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    batches.reorder(permutation(rows, rng));
    for (let start = 0; start < rows; start += settings.batchSize) {
      tf.tidy(() => {
        const { xb, yb } = batches.batch(start, Math.min(rows, start + settings.batchSize));
        optimizer.minimize(() => maskedBinaryCrossentropy(yb, net.apply(xb, { training: true }) as tf.Tensor), true);
      });
    }
  }
  optimizer.dispose();
}

const weights = (net: tf.LayersModel) => net.getWeights().map((w) => Array.from(w.dataSync()));

describe('the trainer on a tfjs release the fast paths were not verified against', () => {
  it('trains on the plain tape path, to exactly its weights, and says so once', async () => {
    installed.version = OTHER_VERSION;
    const data = dataset(600, 1);
    const events: TrainerEvent[] = [];
    const trained = model();
    const result = await trainMultiTask(trained, data, { ...settings, taskNames: ['a', 'b'], dev: dataset(200, 2), onEvent: (e) => events.push(e) });

    const notices = events.filter((e) => e.type === 'notice');
    expect(notices).toEqual([plainPathNotice(checkTfjsInternals({ installed: OTHER_VERSION }))]);
    expect(events.at(-1)!.type).toBe('end');
    for (const task of result.history.at(-1)!.tasks) expect(task.accuracy).toBeGreaterThan(0.85);

    const reference = model();
    trainOnTape(reference, data);
    expect(weights(trained)).toEqual(weights(reference));
  });

  it('leaves the wasm kernels alone', () => {
    installed.version = OTHER_VERSION;
    expect(useFastWasmKernels()).toBe(false);
  });
});
