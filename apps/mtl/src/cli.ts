#!/usr/bin/env node
import { openRunSession, runCli, runTrainCommand, taskTable } from '@mtl/kit';
import { runEvaluate } from './evaluate-command.js';
import { mtlApp } from './mtl-app.js';
import { parseMtlCommand } from './mtl-options.js';
import { runPredict } from './predict-command.js';

async function main(argv: readonly string[]): Promise<number> {
  const command = parseMtlCommand(argv);
  if (!command) return 0;
  const commandLine = ['mtl', ...argv].join(' ');
  if (command.name === 'train') return runTrainCommand({ app: mtlApp, flags: command.options, commandLine });
  const session = openRunSession({ app: 'mtl', dashboard: command.dashboard });
  try {
    if (command.name === 'predict') {
      const summary = await runPredict(command.settings, { onEvent: session.onEvent, control: session.control, commandLine });
      await session.close();
      process.stdout.write(`predicted ${summary.predicted} of ${summary.rows} rows (backend ${summary.backend}); wrote ${summary.out}\n`);
      return 0;
    }
    const results = await runEvaluate(command.settings, { onEvent: session.onEvent, control: session.control, commandLine });
    await session.close();
    process.stdout.write(
      `\nper-task metrics on ${results.rows.scored} rows of ${results.data} (backend ${results.backend}):\n${taskTable(results.tasks)}\n` +
        `wrote ${Object.values(results.files).join(', ')} in ${command.settings.out}\n`,
    );
    return 0;
  } finally {
    await session.close();
  }
}

runCli('mtl', main);
