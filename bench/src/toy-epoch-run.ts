/**
 * One toy timing run in its own process (a backend is process-wide state).
 * Usage: node dist/toy-epoch-run.js --backend wasm|cpu|node --mode trainer|fit --epochs N [--core DIR]
 * --core takes loadBackend/trainMultiTask from another build of @mtl/core (A/B of two trainers).
 * Prints `RESULT {json}` with one entry per epoch; the caller drops the warm-up epochs.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as installedCore from '@mtl/core';
import { maskedLoss, tf, type BackendName } from '@mtl/core';
import { buildToyModel, TOY_TASKS } from 'toy';
import { TOY_BATCH, toyTrainingSet } from './toy-dataset.js';

const { values } = parseArgs({ options: { backend: { type: 'string' }, mode: { type: 'string' }, epochs: { type: 'string' }, core: { type: 'string' } } });
const backend = values.backend as BackendName;
const mode = values.mode ?? 'trainer';
const epochs = Number(values.epochs ?? 4);
const core = values.core ? ((await import(pathToFileURL(resolve(values.core, 'index.js')).href)) as typeof installedCore) : installedCore;
const { loadBackend, trainMultiTask } = core;

// Through MTL_BACKEND, which every build of core reads whatever its loadBackend's
// signature: --core may be a build from before loadBackend took an options object.
if (backend) process.env.MTL_BACKEND = backend;
await loadBackend();
const train = toyTrainingSet();
const model = buildToyModel(TOY_TASKS, 0);
const epochSeconds: number[] = [];
const trainLoss: number[] = [];

if (mode === 'trainer') {
  await trainMultiTask(model, train, {
    taskNames: TOY_TASKS,
    epochs,
    batchSize: TOY_BATCH,
    learningRate: 0.001,
    seed: 0,
    onEvent: (e) => {
      if (e.type === 'epoch') {
        epochSeconds.push(e.seconds);
        trainLoss.push(e.trainLoss);
      }
    },
  });
} else if (mode === 'fit') {
  model.compile({ optimizer: tf.train.adam(0.001), loss: maskedLoss() });
  const x = tf.tensor2d(train.x.data, [train.x.rows, train.x.cols]);
  const y = tf.tensor2d(train.y.data, [train.y.rows, train.y.cols]);
  let started = 0;
  await model.fit(x, y, {
    epochs,
    batchSize: TOY_BATCH,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochBegin: () => {
        started = performance.now();
      },
      onEpochEnd: (_epoch, logs) => {
        epochSeconds.push((performance.now() - started) / 1000);
        trainLoss.push(Number(logs?.loss));
      },
    },
  });
} else {
  throw new Error(`--mode must be trainer or fit, got ${mode}`);
}
console.log(`RESULT ${JSON.stringify({ epochSeconds, trainLoss, backend: tf.getBackend() })}`);
