import { Command } from '@commander-js/extra-typings';
import { inputPath, parseCommand } from '@mtl/kit';
import { backendOption, cacheOption, embeddingSettings, modelDirOption, workersOption } from './embedding-flags.js';
import type { EvaluateSettings } from './evaluate-command.js';
import { mbtiTrainCommand, type MbtiTrainOptions } from './mbti-app.js';
import type { PredictSettings } from './predict-command.js';
import { defaultModelDir } from '@mtl/embedding';

export type ParsedCommand =
  | { name: 'train'; options: MbtiTrainOptions }
  | { name: 'predict'; settings: PredictSettings; json: boolean }
  | { name: 'evaluate'; settings: EvaluateSettings; dashboard: boolean };

const DEFAULT_OUT = 'out';

/** Parses argv (without node and script). Returns undefined after --help. */
export function parseMbtiCommand(argv: readonly string[]): ParsedCommand | undefined {
  let parsed: ParsedCommand | undefined;
  const train = mbtiTrainCommand().action((options) => {
    parsed = { name: 'train', options };
  });
  const predict = new Command('predict')
    .description('print the four axis probabilities and the 4-letter type for some text')
    .argument('[text]', 'posts of one person; several posts may be joined with |||')
    .option('--file <path>', 'read the text from a file instead')
    .option('--model <dir>', 'a model directory written by `mbti train`', `${DEFAULT_OUT}/model`)
    .option('--json', 'print JSON', false)
    .addOption(backendOption())
    .addOption(modelDirOption())
    .option('--verbose', 'show stack traces on errors', false)
    .action((text, o) => {
      parsed = {
        name: 'predict',
        json: o.json,
        settings: {
          text,
          file: o.file === undefined ? undefined : inputPath(o.file),
          model: inputPath(o.model),
          modelDir: o.modelDir === undefined ? defaultModelDir() : inputPath(o.modelDir),
          backend: o.backend,
        },
      };
    });
  const evaluate = new Command('evaluate')
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
    .action((o) => {
      parsed = {
        name: 'evaluate',
        dashboard: o.dashboard,
        settings: { data: inputPath(o.data), model: inputPath(o.model), out: o.out, ...embeddingSettings(o) },
      };
    });
  const program = new Command('mbti')
    .description('MBTI axes (IE, NS, TF, JP) from forum posts: Universal Sentence Encoder vectors, four masked heads.')
    .addCommand(train, { isDefault: true })
    .addCommand(predict)
    .addCommand(evaluate);
  return parseCommand(program, argv) ? parsed : undefined;
}
