import { Command, Option } from '@commander-js/extra-typings';
import { BACKENDS } from '@mtl/core';
import { inputPath, parseCommand } from '@mtl/kit';
import type { EvaluateSettings } from './evaluate-command.js';
import { DEFAULT_CACHE, mtlTrainCommand, type MtlTrainOptions } from './mtl-app.js';
import { workerCount } from './mtl-flags.js';
import type { PredictSettings } from './predict-command.js';

export type ParsedCommand =
  | { name: 'train'; options: MtlTrainOptions }
  | { name: 'predict'; settings: PredictSettings; dashboard: boolean }
  | { name: 'evaluate'; settings: EvaluateSettings; dashboard: boolean };

/** The flags predict and evaluate share: where the model and data are, the backend, the caches. */
function scoringCommand(name: string, description: string, outHelp: string) {
  return new Command(name)
    .description(description)
    .requiredOption('--model <dir>', 'a model directory written by `mtl train` (its --out/model)')
    .requiredOption('--data <path>', 'CSV file with the columns the model was trained on')
    .requiredOption('--out <path>', outHelp)
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend (default: auto, or $MTL_BACKEND)').choices(BACKENDS))
    .option('--cache <dir>', 'cache of text vectors and molecule features', DEFAULT_CACHE)
    .addOption(new Option('--model-dir <dir>', 'USE-lite files for a text column; default: the copy in universal-sentence-encoder-node'))
    .addOption(new Option('--workers <n>', 'embedding worker threads (default: one per core)').argParser(workerCount('--workers')))
    .option('--no-dashboard', 'plain log lines instead of the live terminal dashboard')
    .option('--verbose', 'show stack traces on errors', false);
}

function scoringInputs(o: { model: string; data: string }): { model: string; data: string } {
  return { model: inputPath(o.model), data: inputPath(o.data) };
}

/** Parses argv (without node and script). Returns undefined after --help. */
export function parseMtlCommand(argv: readonly string[]): ParsedCommand | undefined {
  let parsed: ParsedCommand | undefined;
  const train = mtlTrainCommand().action((options) => {
    parsed = { name: 'train', options: { ...options, data: inputPath(options.data) } };
  });
  const predict = scoringCommand(
    'predict',
    'write one probability column per task (and the id column or row number) for every row of a CSV',
    'CSV file to write',
  )
    .option('--id <column>', "the column that names each row in the output (default: the model's --id column if the file has it, else the row number)")
    .action((o) => {
      parsed = {
        name: 'predict',
        dashboard: o.dashboard,
        settings: { ...scoringInputs(o), out: o.out, backend: o.backend, cache: o.cache, modelDir: o.modelDir, workers: o.workers, id: o.id },
      };
    });
  const evaluate = scoringCommand(
    'evaluate',
    'score a saved model on another labelled CSV: evaluation.json (ROC-AUC, PR-AUC, balanced accuracy per task) and evaluation.png',
    'directory for evaluation.json and evaluation.png',
  ).action((o) => {
    parsed = {
      name: 'evaluate',
      dashboard: o.dashboard,
      settings: { ...scoringInputs(o), out: o.out, backend: o.backend, cache: o.cache, modelDir: o.modelDir, workers: o.workers },
    };
  });
  const program = new Command('mtl')
    .description('Masked multi-task learning on any CSV whose label columns have blanks: numeric, text (USE-lite) or SMILES (RDKit) features.')
    .addCommand(train, { isDefault: true })
    .addCommand(predict)
    .addCommand(evaluate);
  return parseCommand(program, argv) ? parsed : undefined;
}
