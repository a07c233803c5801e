import { Command, CommanderError, Option, type OptionValues } from '@commander-js/extra-typings';
import { BACKENDS } from '@mtl/core';
import { ExitError } from './cli-runner.js';
import { foldCount, missingRates, nonNegativeInteger, positiveInteger, positiveNumber, rateList } from './flag-values.js';

/** Default --min-class-labels: below 5 of a class, a head's scores are noise. */
export const MIN_CLASS_LABELS = 5;

/** --best-epoch: which dev score picks the epoch the model ends with, or off (the last epoch). */
export const BEST_EPOCH_CHOICES = ['auc', 'loss', 'off'] as const;
export type BestEpochChoice = (typeof BEST_EPOCH_CHOICES)[number];

/**
 * Default --patience: on small, noisy dev sets the mean AUC wobbles for several
 * epochs before it really turns; 15 epochs rarely stop a run that was still
 * learning, and the restored epoch makes a late stop cost only time.
 */
export const PATIENCE = 15;

/** What differs between apps in the common training flags. */
export interface TrainDefaults {
  epochs: number;
  /** Share of training labels dropped at random (0 for data whose labels are already missing). */
  missingRate: number;
  batchSize: number;
  learningRate: number;
  /** Weight positives by negatives/positives per task against class imbalance ('balanced', the default) or not ('none'). */
  classWeights?: 'balanced' | 'none';
  /**
   * End with the epoch of the best dev mean ROC-AUC ('auc') or dev loss ('loss'),
   * or with the last epoch ('off', the default: a fixed number of epochs).
   */
  bestEpoch?: BestEpochChoice;
  /** With bestEpoch: stop after this many epochs without a better dev score; 0 never stops early (default PATIENCE). */
  patience?: number;
  /** Models from different seeds averaged into one (a seed ensemble); default 1. */
  ensemble?: number;
  /** What a row is called in help texts ("rows", "people", "molecules"). */
  rowNoun?: string;
}

/**
 * The `train` command every app shares, with the common flags and their checks.
 * An app adds its own flags with `.option(...)`; the options type follows
 * (commander's extra typings), so nothing is cast.
 */
export function trainCommand(options: { name: string; description: string; defaults: TrainDefaults }) {
  const { defaults } = options;
  const rows = defaults.rowNoun ?? 'rows';
  return new Command(options.name)
    .description(options.description)
    .option('--epochs <n>', 'training epochs', positiveInteger('--epochs'), defaults.epochs)
    .option('--seed <n>', 'seed for the split, label dropping, weights and batch order', nonNegativeInteger('--seed'), 0)
    .option(
      '--missing-rate <r>',
      'share of training labels dropped at random, each task independently, in [0, 1); or one rate per task: 0.2,0.5,0.9',
      missingRates('--missing-rate'),
      defaults.missingRate as number | number[],
    )
    .option('--out <dir>', 'directory for results.json, the PNGs, the model and the checkpoint', 'out')
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend (default: auto, or $MTL_BACKEND)').choices(BACKENDS))
    .option('--compare', 'also train: naive loss on -1 labels, complete rows only, one model per task', false)
    .option(
      '--sweep <rates>',
      'train every variant at each missing rate (e.g. 0,0.5,0.9) on one split and seed; writes sweep.json and sweep.png',
      rateList('--sweep'),
    )
    .option(
      '--cv <k>',
      'K-fold cross-validation on the training rows (test rows untouched): mean ± sd per task in cv.json, cv.png and a table',
      foldCount('--cv'),
    )
    .option('--no-dashboard', 'plain log lines instead of the live terminal dashboard')
    .option('--batch-size <n>', `${rows} per batch`, positiveInteger('--batch-size'), defaults.batchSize)
    .option('--learning-rate <lr>', 'Adam learning rate', positiveNumber('--learning-rate'), defaults.learningRate)
    .addOption(
      new Option('--class-weights <mode>', 'balanced: a positive label weighs negatives/positives of its task, against imbalance; none: every label weighs 1')
        .choices(['balanced', 'none'] as const)
        .default(defaults.classWeights ?? 'balanced'),
    )
    .addOption(
      new Option(
        '--best-epoch <metric>',
        "end with the weights of the epoch with the best dev mean ROC-AUC (auc) or dev loss (loss); off: the last epoch. With --cv chosen on 15 % of each fold's training rows",
      )
        .choices(BEST_EPOCH_CHOICES)
        .default(defaults.bestEpoch ?? 'off'),
    )
    .option(
      '--patience <n>',
      'with --best-epoch auc|loss: stop after N epochs without a better dev score (0: train every epoch, then restore the best)',
      nonNegativeInteger('--patience'),
      defaults.patience ?? PATIENCE,
    )
    .option(
      '--ensemble <n>',
      'train N models from different seeds and average them into one saved model (also for --compare, --sweep and --cv)',
      positiveInteger('--ensemble'),
      defaults.ensemble ?? 1,
    )
    .option(
      '--min-class-labels <n>',
      'a task with fewer positive or fewer negative training labels than this is reported untrained, not scored',
      nonNegativeInteger('--min-class-labels'),
      MIN_CLASS_LABELS,
    )
    .option('--resume', 'continue the interrupted run whose checkpoint is in --out (same flags; --epochs may grow)', false)
    .option('--verbose', 'show stack traces on errors', false)
    .allowExcessArguments(false);
}

/** The options every app's train command has. */
export type CommonOptions = ReturnType<ReturnType<typeof trainCommand>['opts']>;

/**
 * Parses argv (without node and script) with commander's messages on stderr.
 * Returns false after --help or --version (nothing else to do), true when the
 * command's actions or `opts()` may be read; bad flags become an ExitError.
 */
export function parseCommand(command: Command<unknown[], OptionValues, OptionValues>, argv: readonly string[]): boolean {
  command
    .exitOverride()
    .showHelpAfterError(`(run \`${command.name()} --help\` for the flags)`)
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const sub of command.commands) sub.exitOverride().configureOutput({ writeErr: (text) => process.stderr.write(text) });
  try {
    command.parse(argv, { from: 'user' });
    return true;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)) return false;
      // commander already printed what was wrong and where to find the flags.
      throw new ExitError('', error.exitCode || 2);
    }
    throw error;
  }
}
