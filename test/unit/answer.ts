// Pure code answers a problem as a CommandError value (src/errors.ts); the unit tests assert its message.
import { type CommandError, isCommandError } from '../../src/errors.ts';

/** `f` with its CommandError answers given as their messages, anything else as it is. */
export function answering<A extends unknown[], R>(f: (...args: A) => R) {
  return (...args: A): Exclude<R, CommandError> | string => {
    const r = f(...args);
    return isCommandError(r) ? r.message : (r as Exclude<R, CommandError>);
  };
}
