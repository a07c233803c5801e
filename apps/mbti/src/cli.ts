#!/usr/bin/env node
import { TrainingControl } from '@mtl/core';
import { runCli, stopExitCode } from '@mtl/kit';
import { createReporter } from '@mtl/dashboard';
import { runEvaluate } from './evaluate-command.js';
import { axisTable, variantTable } from './metrics-table.js';
import { parseMbtiCommand } from './mbti-options.js';
import { formatPrediction, runPredict } from './predict-command.js';
import { runTraining } from './train-command.js';

async function main(argv: readonly string[]): Promise<number> {
  const command = parseMbtiCommand(argv);
  if (!command) return 0;
  if (command.name === 'predict') {
    const prediction = await runPredict(command.settings);
    process.stdout.write(command.json ? `${JSON.stringify(prediction, null, 2)}\n` : `${formatPrediction(prediction)}\n`);
    return 0;
  }
  const control = new TrainingControl();
  // SIGTERM (a killed CI job, `kill`) stops as gently as Ctrl-C; the reporter handles SIGINT.
  const onSigterm = () => (control.stopRequested ? process.exit(130) : control.requestStop('SIGTERM received'));
  process.on('SIGTERM', onSigterm);
  const reporter = createReporter({ app: 'mbti', control, ...(command.dashboard ? {} : { live: false }) });
  const resumeHint = `mbti ${argv.join(' ')}`.trim();
  try {
    if (command.name === 'train') {
      const results = await runTraining(command.settings, { onEvent: reporter.onEvent, control, resumeHint });
      await reporter.close();
      const e = results.embedding;
      process.stdout.write(
        `\nper-axis metrics on the test split (${results.people.test} people; backend ${results.backend}):\n${axisTable(results.tasks, results.untrained)}\n` +
          (results.variants ? `\n${variantTable(results.variants)}\n` : '') +
          `\nembedding: ${e.posts} posts (${e.unique} distinct), ${e.cacheHits} from the cache, ${e.embedded} embedded` +
          (e.embedded > 0 ? ` at ${e.postsPerSecond.toFixed(1)} posts/s (${e.where})` : '') +
          `\nwrote ${results.files['results']}, ${results.files['chart']}, ${results.files['model']}/\n`,
      );
      if (results.stopped) {
        process.stdout.write(
          `training stopped after epoch ${results.stopped.epoch} (${results.stopped.reason}); the outputs hold the model as it was then.\n` +
            `To continue training: the same command with --resume (the embeddings are cached).\n`,
        );
        return stopExitCode(results.stopped.reason);
      }
    } else {
      const results = await runEvaluate(command.settings, { onEvent: reporter.onEvent, control, resumeHint });
      await reporter.close();
      process.stdout.write(`\nper-axis metrics on ${results.people} people of ${results.data} (backend ${results.backend}):\n${axisTable(results.tasks)}\nwrote ${results.files['results']}, ${results.files['chart']}\n`);
    }
    return 0;
  } finally {
    await reporter.close();
    process.off('SIGTERM', onSigterm);
  }
}

runCli('mbti', main);
