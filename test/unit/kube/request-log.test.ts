import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { requestLog } from '../../../src/kube/request-log.ts';

/** Runs one request through the log with a dispatch that answers 200 at once; returns what was logged. */
function logOf(verbosity: number, headers: Dispatcher.DispatchOptions['headers']): string[] {
  const lines: string[] = [];
  const dispatch = requestLog(verbosity, (level, message) => {
    if (level <= verbosity) lines.push(message);
  })((_opts, handler) => {
    handler.onResponseStart?.({} as Dispatcher.DispatchController, 200, {}, '');
    return true;
  });
  dispatch({ method: 'GET', origin: 'https://127.0.0.1:6443', path: '/api/v1/services', headers }, {});
  return lines;
}

describe('request log', () => {
  it('-v 6: one line per request with kubectl-style status and time, no headers', () => {
    const lines = logOf(6, { Authorization: 'Bearer s3cr3t' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET https:\/\/127\.0\.0\.1:6443\/api\/v1\/services 200 OK in \d+ milliseconds$/);
  });

  it('-v 8: headers too, with every credential masked, whatever the header form', () => {
    for (const headers of [{ Authorization: 'Bearer s3cr3t', Accept: 'application/json' },
      ['authorization', 'Basic dXNlcjpzM2NyM3Q=', 'cookie', 's3cr3t', 'Accept', 'application/json']]) {
      const text = logOf(8, headers).join('\n');
      expect(text).toMatch(/^ {4}authorization: (Bearer|Basic) <masked>$/im);
      expect(text).toContain('Accept: application/json');
      expect(text).not.toContain('s3cr3t');
      expect(text).not.toContain('dXNlcjpzM2NyM3Q=');
    }
  });
});
