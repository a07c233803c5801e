#!/usr/bin/env node
import { openRunSession, runCli, runTrainCommand, taskTable } from '@mtl/kit';
import { runEvaluate } from './evaluate-command.js';
import { mbtiApp } from './mbti-app.js';
import { parseMbtiCommand } from './mbti-options.js';
import { formatPrediction, runPredict } from './predict-command.js';

async function main(argv: readonly string[]): Promise<number> {
  const command = parseMbtiCommand(argv);
  if (!command) return 0;
  const commandLine = ['mbti', ...argv].join(' ');
  switch (command.name) {
    case 'train':
      return runTrainCommand({ app: mbtiApp, flags: command.options, commandLine });
    case 'predict': {
      const prediction = await runPredict(command.settings);
      process.stdout.write(command.json ? `${JSON.stringify(prediction, null, 2)}\n` : `${formatPrediction(prediction)}\n`);
      return 0;
    }
    case 'evaluate': {
      const session = openRunSession({ app: 'mbti', dashboard: command.dashboard });
      try {
        const results = await runEvaluate(command.settings, { onEvent: session.onEvent, control: session.control, resumeHint: commandLine });
        await session.close();
        process.stdout.write(
          `\nper-axis metrics on ${results.people} people of ${results.data} (backend ${results.backend}):\n${taskTable(results.tasks)}\n` +
            `wrote ${Object.values(results.files).join(', ')} in ${command.settings.out}\n`,
        );
        return 0;
      } finally {
        await session.close();
      }
    }
  }
}

runCli('mbti', main);
