import { TrainingControl } from '@mtl/core';
import { describe, expect, it } from 'vitest';
import { type TrainDefaults, trainCommand } from './train-command.js';
import { bestEpochOptions, CV_SELECTION_HOLDOUT, trainingOptions } from './training-settings.js';

const classic: TrainDefaults = { epochs: 20, missingRate: 0, batchSize: 10, learningRate: 0.01 };
const parse = (argv: string[], defaults: TrainDefaults = classic) => {
  const command = trainCommand({ name: 'app', description: 'test', defaults })
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  return command.parse(argv, { from: 'user' }).opts();
};

describe('--best-epoch and --patience', () => {
  it('are off by default: a fixed number of epochs, nothing in the trainer options', () => {
    const options = parse([]);
    expect(options).toMatchObject({ bestEpoch: 'off', patience: 15 });
    expect(bestEpochOptions(options)).toBeUndefined();
    expect(trainingOptions(options, { control: new TrainingControl() }, null)).not.toHaveProperty('bestEpoch');
  });

  it("follow the app's defaults, and the flags beat them", () => {
    const app = parse([], { ...classic, bestEpoch: 'auc', patience: 12 });
    expect(trainingOptions(app, { control: new TrainingControl() }, null).bestEpoch).toEqual({ metric: 'devAuc', patience: 12 });
    expect(bestEpochOptions(parse(['--best-epoch', 'loss', '--patience', '0']))).toEqual({ metric: 'devLoss', patience: 0 });
    expect(bestEpochOptions(parse(['--best-epoch', 'off'], { ...classic, bestEpoch: 'auc' }))).toBeUndefined();
  });

  it('choose on rows held out of each fold with --cv, never on the fold being scored', () => {
    expect(bestEpochOptions(parse(['--best-epoch', 'auc', '--cv', '5']))).toEqual({ metric: 'devAuc', patience: 15, holdout: CV_SELECTION_HOLDOUT });
    expect(CV_SELECTION_HOLDOUT).toBe(0.15);
  });

  it('refuse what they do not accept, naming the flag', () => {
    expect(() => parse(['--best-epoch', 'accuracy'])).toThrow(
      /option '--best-epoch <metric>' argument 'accuracy' is invalid. Allowed choices are auc, loss, off/,
    );
    expect(() => parse(['--patience', '-1'])).toThrow(/--patience -1: expected a whole number of at least 0/);
  });
});
