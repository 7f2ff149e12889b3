// Errors are values with a message a user can act on; the exit code says whose mistake it was (kubectl: 2 = usage).
export class UsageError extends Error {
  readonly exitCode = 2;
}

export class CommandError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

export const isError = (v: unknown): v is UsageError | CommandError => v instanceof UsageError || v instanceof CommandError;
