import { BACKENDS, type BackendRequest, UserError } from '@mtl/core';
import { ExitError, missingRates, nonNegativeInteger, positiveInteger, positiveNumber } from '@mtl/kit';
import { Command, CommanderError, Option } from 'commander';
import { TOY_TASKS } from './toy-data.js';

export interface ToyOptions {
  epochs: number;
  seed: number;
  /** One rate for every task, or one per task. */
  missingRate: number | number[];
  out: string;
  backend: BackendRequest | undefined;
  compare: boolean;
  dashboard: boolean;
  points: number;
  batchSize: number;
  learningRate: number;
  verbose: boolean;
  resume: boolean;
}

/** Default epochs: about 1.5 minutes on a 2-core machine with wasm; the classic post used 2000. */
export const DEFAULT_EPOCHS = 200;

export function toyCommand(): Command {
  return new Command('toy')
    .description('The 2-D multi-task experiment: 3 binary labels on [0,1]^2, some dropped, masked loss vs the alternatives.')
    .option('--epochs <n>', `training epochs (the classic run used 2000)`, positiveInteger('--epochs'), DEFAULT_EPOCHS)
    .option('--seed <n>', 'seed for data, splits, label dropping, weights and batch order', nonNegativeInteger('--seed'), 0)
    .option('--missing-rate <r>', 'share of training labels dropped, each task independently, in [0, 1); or one per task: 0.2,0.5,0.9', missingRates('--missing-rate', TOY_TASKS), 0.5)
    .option('--out <dir>', 'directory for results.json, PNGs and the model', 'out')
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend (default: auto, or $MTL_BACKEND)').choices(BACKENDS))
    .option('--compare', 'also train: naive loss on -1 labels, complete rows only, one model per task', false)
    .option('--no-dashboard', 'plain log lines instead of the live terminal dashboard')
    .option('--points <n>', 'points generated (the last 3,000 are the test set)', positiveInteger('--points'), 100_000)
    .option('--batch-size <n>', 'rows per batch', positiveInteger('--batch-size'), 5000)
    .option('--learning-rate <lr>', 'Adam learning rate', positiveNumber('--learning-rate'), 0.001)
    .option('--resume', 'continue the interrupted run whose checkpoint is in --out (same flags; --epochs may grow)', false)
    .option('--verbose', 'show stack traces on errors', false)
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
}

/** Parses argv (without node and script); throws UserError with commander's message on bad flags. */
export function parseToyOptions(argv: readonly string[]): ToyOptions | undefined {
  const command = toyCommand();
  try {
    command.parse(argv as string[], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return undefined;
      // commander already printed its message; add what to do.
      throw new ExitError('run `toy --help` for the flags.', error.exitCode || 2);
    }
    throw error;
  }
  const o = command.opts();
  return { ...o, backend: o.backend as BackendRequest | undefined } as ToyOptions;
}
