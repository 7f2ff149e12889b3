import { describe, expect, it } from 'vitest';
import { CommandError, exitCodeOf, httpStatusOf, isCommandError, UsageError } from '../../src/errors.ts';

describe('errors', () => {
  it('carry their exit code and HTTP status as fields', () => {
    expect(new UsageError('bad flag')).toMatchObject({ exitCode: 2, status: undefined });
    expect(new CommandError('gone', { status: 404 })).toMatchObject({ exitCode: 1, status: 404 });
    expect(exitCodeOf(new UsageError('x'))).toBe(2);
    expect(exitCodeOf(new Error('a bug'))).toBe(1);
    expect(httpStatusOf(new CommandError('x', { status: 409 }))).toBe(409);
    expect(httpStatusOf(new Error('x'))).toBeUndefined();
  });
  it('are read by value, so a copy of the classes from another part of the single binary counts too', () => {
    // What the kube part's own copy of CommandError looks like to the CLI part: same fields, another class.
    class OtherPartsError extends Error {
      readonly exitCode = 1;
      readonly status = 403;
    }
    const err = new OtherPartsError('forbidden');
    expect(err).not.toBeInstanceOf(CommandError);
    expect(isCommandError(err)).toBe(true);
    expect(httpStatusOf(err)).toBe(403);
    expect(exitCodeOf(err)).toBe(1);
  });
});
