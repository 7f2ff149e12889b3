// The errors every layer throws: a message a user can act on, the exit code that says whose mistake it was (kubectl:
// 2 for wrong usage, 1 for everything else), and, when an API answer caused it, that answer's HTTP status.
//
// The single binary is made of parts (src/part.ts) that each bundle their own copy of these classes: an error thrown
// in the kube part is not `instanceof` the CLI part's CommandError. So never test an error with instanceof where it may
// come from another part; read its fields by value (exitCodeOf, httpStatusOf).

export class CommandError extends Error {
  readonly exitCode: number;
  /** The HTTP status of the API server's answer this error reports, if it reports one (404, 403, 409…). */
  readonly status?: number;
  constructor(message: string, options: { exitCode?: number; status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? 1;
    this.status = options.status;
  }
}

/** Wrong flags or arguments: exit 2, and the user is pointed to --help. */
export class UsageError extends CommandError {
  constructor(message: string) {
    super(message, { exitCode: 2 });
  }
}

/** The exit code an error asks for; anything that is not one of ours is a failure (1). */
export function exitCodeOf(err: unknown): number {
  const code = (err as { exitCode?: unknown } | undefined)?.exitCode;
  return typeof code === 'number' ? code : 1;
}

/** Whether the error is one of ours (from any part), as opposed to a bug or a library's error. */
export function isCommandError(err: unknown): err is CommandError {
  return err instanceof Error && typeof (err as { exitCode?: unknown }).exitCode === 'number';
}

/** The HTTP status behind an error, if an API answer caused it. */
export function httpStatusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}
