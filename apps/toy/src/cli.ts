#!/usr/bin/env node
import { TrainingControl } from '@mtl/core';
import { runCli, stopExitCode } from '@mtl/kit';
import { createReporter } from '@mtl/dashboard';
import { resultsTable, runToy } from './run-toy.js';
import { parseToyOptions } from './toy-options.js';

async function main(argv: readonly string[]): Promise<number> {
  const options = parseToyOptions(argv);
  if (!options) return 0;
  const control = new TrainingControl();
  const onSignal = (signal: NodeJS.Signals) => {
    if (control.stopRequested) process.exit(130);
    control.requestStop(`${signal} received`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The CLI owns signals (SIGTERM too, and the exit code); the dashboard only renders and takes keys.
  const reporter = createReporter({ app: 'toy', live: options.dashboard ? undefined : false, control, handleSignals: false });
  let results;
  try {
    results = await runToy(options, { control, onEvent: (event) => reporter.onEvent(event) });
  } finally {
    await reporter.close();
  }
  process.stdout.write(`\n${resultsTable(results)}\n\nbackend: ${results.backend}; wrote ${Object.values(results.files).join(', ')}, results.json to ${options.out}\n`);
  if (!results.stopped) return 0;
  process.stdout.write(
    `training stopped after epoch ${results.stopped.epoch} (${results.stopped.reason}); outputs hold the model as it was then.\n` +
      `To continue: the same command with --resume (the checkpoint is ${options.out}/checkpoint.json).\n`,
  );
  return stopExitCode(results.stopped.reason);
}

runCli('toy', main);
