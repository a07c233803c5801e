/**
 * Writes the Tox21 training rows of the `mtl` app's default run (its features,
 * split, label handling and class weights) for the Tox21 bench; see tox21-training-set.ts.
 * Usage: node dist/tox21-prepare-run.js --data tox21.csv --out BASE --cache DIR
 * Prints `RESULT {json}` with the set's description.
 */
import { parseArgs } from 'node:util';
import { loadBackend, TrainingControl } from '@mtl/core';
import { applySplit, defaultSplit, parseCommand, positiveWeights } from '@mtl/kit';
import { mtlApp, mtlTrainCommand } from 'mtl';
import { writeTox21TrainingSet } from './tox21-training-set.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' }, cache: { type: 'string' } } });
if (!values.data || !values.out || !values.cache) throw new Error('usage: tox21-prepare-run.js --data CSV --out BASE --cache DIR');

await loadBackend();
const command = mtlTrainCommand();
parseCommand(command, ['--data', values.data, '--smiles', 'smiles', '--cache', values.cache]);
const flags = command.opts();
const control = new TrainingControl();
const data = await mtlApp.load(flags, { onEvent: () => {}, control, commandLine: 'bench', outDir: values.cache });
const splits = applySplit(data, defaultSplit(data, flags.seed), flags.missingRate, flags.seed);
const info = writeTox21TrainingSet(
  values.out,
  {
    tasks: [...data.tasks],
    settings: {
      hidden: flags.hidden,
      dropout: flags.dropout,
      batchSize: flags.batchSize,
      learningRate: flags.learningRate,
      seed: flags.seed,
      adamEpsilon: 1e-7,
      positiveWeights: flags.classWeights === 'none' ? null : positiveWeights(splits.train.y),
    },
    features: String(data.details?.features ?? ''),
    source: values.data,
  },
  splits.train,
);
console.log(`RESULT ${JSON.stringify(info)}`);
