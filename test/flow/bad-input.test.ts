// The bad-input catalogue's usage errors, without a cluster: each exits 2 with one `error:` line (and kubectl's
// pointer to --help), nothing on stdout, and not one request sent.
import { describe, expect, it } from 'vitest';
import { FakeApi } from './fake-api.ts';
import { run } from './harness.ts';
import { usageCases } from './usage-cases.ts';

describe('bad input, refused before any request', () => {
  it.each(usageCases)('$name', async ({ args, error }) => {
    const api = new FakeApi();
    const res = await run(api, args);
    expect(res.code, res.err).toBe(2);
    const [first, pointer, ...rest] = res.err.split('\n');
    expect(first.slice('error: '.length)).toMatch(error);
    expect(pointer).toMatch(/^See 'kubectl expose-sts( \w+)? --help' for usage\.$/);
    expect(rest).toEqual(['']);
    expect(res.out).toBe('');
    expect(api.requests).toEqual([]);
  });
});
