import { UserError } from '@mtl/core';

/** Exit codes every app uses: 2 for bad input, 128 + signal number for a stop by signal. */
export const EXIT = { ok: 0, failure: 1, usage: 2, sigint: 130, sigterm: 143 } as const;

/** A UserError that ends the program with a given exit code (e.g. 130 after an interrupted embedding). */
export class ExitError extends UserError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}

/**
 * Runs a CLI's main function and turns its outcome into an exit code: a
 * UserError prints its message alone (the stack only with --verbose) and exits
 * 2 (or its ExitError code), any other error prints its message and how to see the stack.
 */
export function runCli(app: string, main: (argv: readonly string[]) => Promise<number>, argv: readonly string[] = process.argv.slice(2)): void {
  const verbose = argv.includes('--verbose');
  main(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UserError) {
        if (error.message) process.stderr.write(`${app}: ${error.message}\n`);
        if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
        process.exit(error instanceof ExitError ? error.exitCode : EXIT.usage);
      }
      process.stderr.write(`${app}: ${error instanceof Error ? (verbose ? error.stack : error.message) : String(error)}\n`);
      if (!verbose) process.stderr.write('(run with --verbose for the stack trace)\n');
      process.exit(EXIT.failure);
    },
  );
}

/**
 * Exit code of a run that stopped early: a stop by signal keeps the shell
 * convention (128 + signal number); a stop asked for in the dashboard (`q`) is a normal end.
 */
export function stopExitCode(reason: string): number {
  const signal = /^(SIGINT|SIGTERM)\b/.exec(reason)?.[1];
  return signal === 'SIGINT' ? EXIT.sigint : signal === 'SIGTERM' ? EXIT.sigterm : EXIT.ok;
}
