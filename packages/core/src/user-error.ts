/**
 * An error caused by the user's input (a flag, a file, a row). CLIs print its
 * message alone — no stack trace — and exit with `exitCode`.
 */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}
