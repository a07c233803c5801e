import { UserError } from './user-error.js';

/**
 * Runs a CLI's main function and turns its outcome into an exit code: a
 * UserError prints its message alone (the stack only with --verbose), any other
 * error prints its message and how to see the stack.
 */
export function runCli(app: string, main: (argv: readonly string[]) => Promise<number>, argv: readonly string[] = process.argv.slice(2)): void {
  const verbose = argv.includes('--verbose');
  main(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UserError) {
        if (error.message) process.stderr.write(`${app}: ${error.message}\n`);
        if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
        process.exit(error.exitCode);
      }
      process.stderr.write(`${app}: ${error instanceof Error ? (verbose ? error.stack : error.message) : String(error)}\n`);
      if (!verbose) process.stderr.write('(run with --verbose for the stack trace)\n');
      process.exit(1);
    },
  );
}

/**
 * Exit code of a run that stopped early: a stop by signal keeps the shell
 * convention (128 + signal number); a stop asked for in the dashboard (`q`) is a normal end.
 */
export function stopExitCode(reason: string): number {
  const signal = /^(SIGINT|SIGTERM)\b/.exec(reason)?.[1];
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 0;
}
