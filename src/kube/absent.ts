// The one rule for reads whose failure is an answer: the object is not there (404 Not Found), or this user may not
// read it (403 Forbidden) where the command can do without it (one check fewer, a column empty). Which of the two
// counts is said at each call, with why; every other failure is thrown as it is.
import { httpStatusOf } from '../errors.ts';

export type Absence = 403 | 404;

/** `read`'s answer, or `absent(err)` when it failed with one of the statuses that mean "not there". */
export async function orAbsent<T, F>(
  read: Promise<T>,
  absentOn: readonly Absence[],
  absent: (err: Error) => F,
): Promise<T | F> {
  try {
    return await read;
  } catch (err) {
    if ((absentOn as readonly (number | undefined)[]).includes(httpStatusOf(err))) return absent(err as Error);
    throw err;
  }
}
