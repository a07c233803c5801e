import type { Command } from '@commander-js/extra-typings';
import { stopExitCode } from './cli-runner.js';
import type { ExperimentApp } from './experiment.js';
import type { ExperimentResults } from './results-schema.js';
import { cvTable, sweepTable, taskTable, variantTable } from './result-tables.js';
import { runExperiment } from './run-experiment.js';
import { openRunSession } from './run-session.js';
import { readCv, readSweep } from './sweep-file.js';
import { parseCommand, type CommonOptions } from './train-command.js';

/**
 * Runs an app's train command to an exit code: opens the dashboard or plain
 * lines, owns the signals, runs the experiment, prints the tables and says how
 * to continue a stopped run.
 */
export async function runTrainCommand<O extends CommonOptions>(options: { app: ExperimentApp<O>; flags: O; commandLine: string }): Promise<number> {
  const { app, flags } = options;
  const session = openRunSession({ app: app.name, dashboard: flags.dashboard });
  let results: ExperimentResults;
  try {
    results = await runExperiment(app, flags, { onEvent: session.onEvent, control: session.control, commandLine: options.commandLine });
  } finally {
    await session.close();
  }
  process.stdout.write(`\n${summary(app, flags, results)}\n`);
  if (!results.stopped) return 0;
  const { reason, epoch } = results.stopped;
  const what = flags.cv
    ? `cross-validation stopped (${reason}); cv.json holds the folds it finished`
    : flags.sweep
      ? `the sweep stopped (${reason}); sweep.json holds the missing rates it finished`
      : `training stopped after epoch ${epoch} (${reason}); the outputs hold the model as it was then`;
  process.stdout.write(`${what}.\nTo continue: the same command with --resume (${options.commandLine} --resume).\n`);
  return stopExitCode(results.stopped.reason);
}

/** The single-command app's whole main: parse, then train. */
export async function trainCli<O extends CommonOptions>(options: { app: ExperimentApp<O>; command: Command<[], O>; argv: readonly string[] }): Promise<number> {
  if (!parseCommand(options.command, options.argv)) return 0;
  const commandLine = [options.app.name, ...options.argv].join(' ');
  return runTrainCommand({ app: options.app, flags: options.command.opts(), commandLine });
}

function summary<O extends CommonOptions>(app: ExperimentApp<O>, flags: O, results: ExperimentResults): string {
  const parts: string[] = [];
  if (flags.cv) {
    parts.push(
      `cross-validation on the training rows (${results.data.split.train + results.data.split.dev} rows; backend ${results.backend.name}):`,
      cvTable(readCv(flags.out)),
    );
  } else if (flags.sweep) {
    const sweep = readSweep(flags.out);
    parts.push(`label efficiency on the test split (${results.data.split.test} rows; backend ${results.backend.name}):`, sweepTable(sweep.points));
  } else {
    parts.push(`test metrics per task (${results.data.split.test} rows; backend ${results.backend.name}):`, taskTable(results.tasks));
    if (results.variants) parts.push('', variantTable(results.variants));
  }
  const extra = app.summary?.(results) ?? [];
  if (extra.length > 0) parts.push('', ...extra);
  parts.push('', `wrote ${Object.values(results.files).join(', ')} in ${flags.out}`);
  return parts.join('\n');
}
