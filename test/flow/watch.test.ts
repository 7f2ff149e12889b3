// A watch runs until it is told to stop: it resumes for as long as it runs, however many failures in a row (a
// request gives up after five), waiting as the retry policy says, and stops at once when asked, mid-wait included.
import type { V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { FakeApi, status, WatchStream } from './fake-api.ts';
import { apiOn, isWatch, paths } from './harness.ts';

const service = (name: string): V1Service => ({ metadata: { name, namespace: 'data', resourceVersion: '101' } });
/** Busy: a retry policy's wait of 0 (Retry-After: 0), so the test does not wait out a backoff. */
const busy = { status: 429, headers: { 'Retry-After': '0' }, body: status(429, 'TooManyRequests', 'slow down') };

describe('a watch', () => {
  it('resumes after more failures in a row than a request retries, for as long as it runs', async () => {
    const [first, second] = [new WatchStream(), new WatchStream()];
    const replies = [{ watch: first }, ...Array.from({ length: 8 }, () => busy), { watch: second }];
    const fake = new FakeApi().onWhere('GET', paths.services, isWatch, ...replies);
    const lines: string[] = [];
    const watch = await apiOn(fake, (line) => lines.push(line)).watchServices('app=db', '100');
    first.close();
    setTimeout(() => second.event('ADDED', service('db-0')), 20);
    const seen: string[] = [];
    const result = await watch.until((svc) => seen.push(svc.metadata?.name ?? '') > 0, 5000);
    expect(result).toBe('done');
    expect(seen).toEqual(['db-0']);
    expect(fake.requests.filter(isWatch)).toHaveLength(10);
  });

  it('stops when told to, in the middle of a wait before it reconnects', async () => {
    const first = new WatchStream();
    const slow = { status: 503, body: status(503, 'ServiceUnavailable', 'restarting') };
    const fake = new FakeApi().onWhere('GET', paths.services, isWatch, { watch: first }, slow);
    const watch = await apiOn(fake).watchServices('app=db', '100');
    first.close(); // then every reconnect is refused, and the watch waits up to 2 s between them
    const following = watch.follow(() => undefined);
    await new Promise((r) => setTimeout(r, 300)); // in its second wait (200 ms, then 400)
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const waiting = timers();
    watch.close();
    // The wait's timer is gone at once: a stopped watch does not keep the process alive for its backoff.
    expect(timers()).toBe(waiting - 1);
    await following;
    const made = fake.requests.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.requests.length).toBe(made); // nothing after it stopped
  });
});
