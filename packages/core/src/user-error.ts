/**
 * An error caused by the caller's input (a file, a row, a setting): its message
 * says what was wrong, where, and what to do, and is meant to be shown alone,
 * without a stack trace. How a program reports it (an exit code, a dialog) is
 * the program's business, not the library's.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
