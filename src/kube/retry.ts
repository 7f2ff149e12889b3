// The one retry policy, for every request (client.ts's withRetry) and the watch's reconnects (watch.ts): which
// failures are worth another try, and how long to wait before it.
import { answerOf, isTransient } from './errors.ts';

/** Tries of one request before it gives up: a watch reconnects for as long as it runs, with the same waits. */
export const attempts = 5;

/** Whether another try may succeed: a transient failure (errors.ts), or a conflict where asked to retry those. */
export function retryable(err: unknown, conflicts = false): boolean {
  return isTransient(err) || (conflicts && answerOf(err)?.code === 409);
}

/**
 * How long to wait after the `failures`-th failure in a row: the server's Retry-After (at most 10 s), else 200 ms
 * doubling up to 2 s — a server that is restarting is back within seconds, and a watch that runs for days keeps
 * retrying at most every 2 s.
 */
export function retryDelayMs(failures: number, err?: unknown): number {
  const retryAfter = answerOf(err)?.retryAfter;
  return retryAfter !== undefined ? Math.min(retryAfter * 1000, 10_000) : Math.min(100 * 2 ** failures, 2000);
}
