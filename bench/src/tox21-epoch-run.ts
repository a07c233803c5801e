/**
 * One Tox21 timing run of our trainer in its own process, on the rows
 * tox21-prepare-run.js wrote, with the `mtl` app's default network and settings.
 * Usage: node dist/tox21-epoch-run.js --set BASE --epochs N [--dense-first-layer]
 * --dense-first-layer turns the sparse first layer off (the trainer's sparseInput: false).
 * Prints `RESULT {json}` with the training seconds and loss of every epoch.
 */
import { parseArgs } from 'node:util';
import { loadBackend, tf, trainMultiTask } from '@mtl/core';
import { parseCommand } from '@mtl/kit';
import { mtlApp, mtlTrainCommand } from 'mtl';
import { readTox21TrainingSet } from './tox21-training-set.js';

const { values } = parseArgs({ options: { set: { type: 'string' }, epochs: { type: 'string' }, 'dense-first-layer': { type: 'boolean', default: false } } });
if (!values.set) throw new Error('usage: tox21-epoch-run.js --set BASE --epochs N');
const { info, train } = readTox21TrainingSet(values.set);
const { settings } = info;

await loadBackend();
const command = mtlTrainCommand();
parseCommand(command, ['--data', info.source]);
const flags = command.opts();
const model = mtlApp.buildModel({ inputSize: info.cols, heads: info.tasks, seed: settings.seed, options: flags });
const epochSeconds: number[] = [];
const trainLoss: number[] = [];
await trainMultiTask(model, train, {
  taskNames: info.tasks,
  epochs: Number(values.epochs ?? 4),
  batchSize: settings.batchSize,
  learningRate: settings.learningRate,
  seed: settings.seed,
  sparseInput: !values['dense-first-layer'],
  ...(settings.positiveWeights ? { loss: { positiveWeights: settings.positiveWeights } } : {}),
  onEvent: (e) => {
    if (e.type === 'epoch') {
      epochSeconds.push(e.seconds);
      trainLoss.push(e.trainLoss);
    }
  },
});
console.log(`RESULT ${JSON.stringify({ epochSeconds, trainLoss, backend: tf.getBackend() })}`);
