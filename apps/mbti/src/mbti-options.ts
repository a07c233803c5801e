import { BACKENDS, type BackendRequest, UserError } from '@mtl/core';
import { ExitError, missingRate, nonNegativeInteger, positiveInteger, positiveNumber } from '@mtl/kit';
import { Command, CommanderError, Option } from 'commander';
import { defaultModelDir } from '@mtl/embedding';
import { dataPath, resolveUserPath } from './data-location.js';
import type { EvaluateSettings } from './evaluate-command.js';
import type { PredictSettings } from './predict-command.js';
import type { TrainSettings } from './train-command.js';

export type ParsedCommand =
  | { name: 'train'; settings: TrainSettings; dashboard: boolean }
  | { name: 'predict'; settings: PredictSettings; json: boolean }
  | { name: 'evaluate'; settings: EvaluateSettings; dashboard: boolean };

export const DEFAULT_EPOCHS = 100;
const DEFAULT_CACHE = '.cache/mbti';
const DEFAULT_OUT = 'out';

const backendOption = () => new Option('--backend <name>', 'TensorFlow.js backend (default: auto, or $MTL_BACKEND)').choices(BACKENDS);
const modelDirOption = () => new Option('--model-dir <dir>', 'USE-lite files (model.json, shards, vocab.json); default: the copy in universal-sentence-encoder-node');
const workersOption = () => new Option('--workers <n>', 'embedding worker threads (default: one per core; 0 = main thread)').argParser(nonNegativeIntegerOrZero);
const cacheOption = () => new Option('--cache <dir>', `embedding cache directory`).default(DEFAULT_CACHE);

function nonNegativeIntegerOrZero(value: string): number {
  return nonNegativeInteger('--workers')(value);
}

/** Parses argv (without node and script). Returns undefined after --help. */
export function parseMbtiCommand(argv: readonly string[]): ParsedCommand | undefined {
  let parsed: ParsedCommand | undefined;
  const program = new Command('mbti')
    .description('MBTI axes (IE, NS, TF, JP) from forum posts: Universal Sentence Encoder vectors, four masked heads.')
    .exitOverride()
    .showHelpAfterError('(run `mbti --help` or `mbti <command> --help` for the flags)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('train', { isDefault: true })
    .description('read the CSV, embed posts (cached), train the four heads, evaluate, write results.json, the model and a chart')
    .option('--data <path>', 'Kaggle-format CSV (type,posts); default datasets/mbti/mbti_1.csv')
    .option('--epochs <n>', 'training epochs', positiveInteger('--epochs'), DEFAULT_EPOCHS)
    .option('--seed <n>', 'seed for the split, label dropping, weights and batch order', nonNegativeInteger('--seed'), 0)
    .option('--missing-rate <r>', 'share of training labels dropped per axis, in [0, 1)', missingRate('--missing-rate'), 0.3)
    .option('--out <dir>', 'directory for results.json, axis-metrics.png and model/', DEFAULT_OUT)
    .addOption(backendOption())
    .option('--compare', 'also train: naive loss on -1 labels, complete rows only, one model per axis', false)
    .option('--no-dashboard', 'plain log lines instead of the live terminal dashboard')
    .addOption(cacheOption())
    .addOption(modelDirOption())
    .addOption(workersOption())
    .option('--batch-size <n>', 'people per training batch', positiveInteger('--batch-size'), 32)
    .option('--learning-rate <lr>', 'Adam learning rate', positiveNumber('--learning-rate'), 0.001)
    .option('--resume', 'continue the interrupted training whose checkpoint is in --out (same flags; --epochs may grow)', false)
    .option('--verbose', 'show stack traces on errors', false)
    .allowExcessArguments(false)
    .action((o: Record<string, unknown>) => {
      parsed = {
        name: 'train',
        dashboard: o['dashboard'] !== false,
        settings: {
          data: dataPath(o['data'] as string | undefined),
          epochs: o['epochs'] as number, seed: o['seed'] as number, missingRate: o['missingRate'] as number,
          out: o['out'] as string, compare: o['compare'] as boolean, resume: o['resume'] as boolean,
          batchSize: o['batchSize'] as number, learningRate: o['learningRate'] as number,
          ...embeddingSettings(o),
        },
      };
    });

  program
    .command('predict')
    .description('print the four axis probabilities and the 4-letter type for some text')
    .argument('[text]', 'posts of one person; several posts may be joined with |||')
    .option('--file <path>', 'read the text from a file instead')
    .option('--model <dir>', 'a model directory written by `mbti train`', `${DEFAULT_OUT}/model`)
    .option('--json', 'print JSON', false)
    .addOption(backendOption())
    .addOption(modelDirOption())
    .option('--verbose', 'show stack traces on errors', false)
    .action((text: string | undefined, o: Record<string, unknown>) => {
      parsed = {
        name: 'predict',
        json: o['json'] as boolean,
        settings: {
          text, file: o['file'] === undefined ? undefined : resolveUserPath(o['file'] as string),
          model: resolveUserPath(o['model'] as string),
          modelDir: o['modelDir'] === undefined ? defaultModelDir() : resolveUserPath(o['modelDir'] as string),
          backend: o['backend'] as BackendRequest | undefined,
        },
      };
    });

  program
    .command('evaluate')
    .description('score a saved model on another labelled CSV (all labels kept); writes evaluation.json and evaluation.png')
    .requiredOption('--data <path>', 'Kaggle-format CSV (type,posts)')
    .option('--model <dir>', 'a model directory written by `mbti train`', `${DEFAULT_OUT}/model`)
    .option('--out <dir>', 'directory for evaluation.json and evaluation.png', `${DEFAULT_OUT}/evaluation`)
    .addOption(backendOption())
    .option('--no-dashboard', 'plain log lines instead of the live terminal dashboard')
    .addOption(cacheOption())
    .addOption(modelDirOption())
    .addOption(workersOption())
    .option('--verbose', 'show stack traces on errors', false)
    .action((o: Record<string, unknown>) => {
      parsed = {
        name: 'evaluate',
        dashboard: o['dashboard'] !== false,
        settings: { data: resolveUserPath(o['data'] as string), model: resolveUserPath(o['model'] as string), out: o['out'] as string, ...embeddingSettings(o) },
      };
    });

  try {
    program.parse(argv as string[], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return undefined;
      // commander already printed what was wrong and the help hint.
      throw new ExitError('', error.exitCode || 2);
    }
    throw error;
  }
  return parsed;
}

function embeddingSettings(o: Record<string, unknown>): Pick<TrainSettings, 'cacheDir' | 'modelDir' | 'workers' | 'backend'> {
  return {
    // Output places stay relative to the working directory: they may not exist yet, so there is nothing to search for.
    cacheDir: o['cache'] as string,
    modelDir: o['modelDir'] === undefined ? defaultModelDir() : resolveUserPath(o['modelDir'] as string),
    workers: o['workers'] as number | undefined,
    backend: o['backend'] as BackendRequest | undefined,
  };
}
