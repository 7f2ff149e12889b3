// expose's control flow against a scripted transport: waiting for addresses on one watch, the watch's resume and
// re-list, retries, the timeout, interrupts between writes, and what happens after a write fails.
import type { V1Service } from '@kubernetes/client-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeApi, type Request, status, WatchStream } from './fake-api.ts';
import {
  applied,
  isWatch,
  isWrite,
  list,
  notWatch,
  ns,
  paths,
  plugin,
  pod,
  podTable,
  run,
  statefulSet,
  withAddress,
} from './harness.ts';

const lb = ['mydb', '--type', 'LoadBalancer', '--load-balancer-source-ranges', '10.0.0.0/8'];
const ipOf = (name: string) => `203.0.113.${Number(name.split('-').at(-1)) + 1}`;

/** A StatefulSet of `replicas` Ready pods, no Services yet, and a watch the test drives. */
function cluster(replicas: number) {
  const watch = new WatchStream();
  const api = new FakeApi()
    .on('GET', paths.statefulSet('mydb'), { status: 200, body: statefulSet('mydb', replicas) })
    .onWhere('GET', paths.services, notWatch, list([], '100'))
    .onWhere('GET', paths.services, isWatch, { watch })
    .on('GET', paths.pods, podTable(Array.from({ length: replicas }, (_, i) => pod(`mydb-${i}`))))
    .on('GET', paths.quotas, list([]));
  for (let i = 0; i < replicas; i++)
    api.on('PATCH', paths.service(`mydb-${i}`), (req) => ({ status: 201, body: applied(req) }));
  return { api, watch };
}

/** Once every apply is answered, the load balancer hands out the addresses, as the watch shows them. */
function assignAddressesAfterWrites(api: FakeApi, watch: WatchStream, replicas: number) {
  const assign = setInterval(() => {
    const writes = api.requests.filter(isWrite);
    if (writes.length < replicas) return;
    clearInterval(assign);
    for (const w of writes)
      watch.event('MODIFIED', withAddress(applied(w), ipOf((w.body as V1Service).metadata!.name!)));
  }, 1);
}

const patches = (api: FakeApi) => api.requests.filter(isWrite).map((r) => r.path.split('/').at(-1));

afterEach(() => {
  vi.useRealTimers();
});

describe('expose, waiting for addresses', () => {
  it('reads everything and opens its watch before the first write, then waits on that one watch', async () => {
    const { api, watch } = cluster(3);
    assignAddressesAfterWrites(api, watch, 3);
    const res = await run(api, lb);
    expect(res.code, res.err).toBe(0);
    expect(res.out).toBe(
      'ORDINAL   POD      SERVICE   TYPE           ENDPOINT           READY\n' +
        '0         mydb-0   mydb-0    LoadBalancer   203.0.113.1:5432   true\n' +
        '1         mydb-1   mydb-1    LoadBalancer   203.0.113.2:5432   true\n' +
        '2         mydb-2   mydb-2    LoadBalancer   203.0.113.3:5432   true\n',
    );
    // Every write is first checked by the API server's dry run, before the watch opens; the order below is the rest.
    const checked = api.requests.filter((r) => r.query.dryRun === 'All').map((r) => r.path.split('/').at(-1));
    expect(checked.sort()).toEqual(['mydb-0', 'mydb-1', 'mydb-2']);
    const requests = api.requests.filter((r) => r.query.dryRun === undefined);
    const order = requests.map((r) => `${r.method} ${r.path.split('/').at(-1)}${isWatch(r) ? ' (watch)' : ''}`);
    // Reads that do not depend on each other go out together: the StatefulSet, the Services and the pods; then the
    // quotas, which only matter once there is something to create; the watch once the Services' version is known.
    expect(order.slice(0, 3).sort()).toEqual(['GET mydb', 'GET pods', 'GET services']);
    expect(order.slice(3, 5)).toEqual(['GET resourcequotas', 'GET services (watch)']);
    expect(order.slice(5).sort()).toEqual(['PATCH mydb-0', 'PATCH mydb-1', 'PATCH mydb-2']);
    // The watch starts at the LIST's version, so it replays the writes and every address given since.
    expect(requests[4].query).toMatchObject({ resourceVersion: '100', allowWatchBookmarks: 'true' });
    expect(requests[4].query.labelSelector).toBe(
      'app.kubernetes.io/managed-by=kubectl-expose-sts,expose-sts.io/statefulset=mydb',
    );
    expect(api.unexpected).toEqual([]);
  });

  it('resumes a watch the server closed from the last resourceVersion it saw', async () => {
    const { api, watch } = cluster(2);
    const second = new WatchStream();
    api.onWhere('GET', paths.services, isWatch, { watch }, { watch: second });
    const writes = () => api.requests.filter(isWrite);
    const step = setInterval(() => {
      if (writes().length < 2) return;
      clearInterval(step);
      const [a, b] = writes().map((w) => applied(w));
      const first = withAddress(a, '203.0.113.1');
      watch.event('MODIFIED', first);
      watch.close();
      setTimeout(() => second.event('MODIFIED', withAddress(b, '203.0.113.2')), 5);
    }, 1);
    const res = await run(api, [...lb, '-v', '4']);
    expect(res.code, res.err).toBe(0);
    const watches = api.requests.filter(isWatch);
    expect(watches).toHaveLength(2);
    const seen = watches[1].query.resourceVersion;
    expect(Number(seen)).toBeGreaterThan(100);
    expect(res.err).toContain(
      `watch services in namespace "${ns}": closed by the server; resuming from resourceVersion ${seen}`,
    );
    expect(res.out).toContain('203.0.113.2:5432');
  });

  it('lists again when the watch’s history is gone (410), and watches on from the new list', async () => {
    const { api, watch } = cluster(2);
    const second = new WatchStream();
    api.onWhere('GET', paths.services, isWatch, { watch }, { watch: second });
    const step = setInterval(() => {
      const writes = api.requests.filter(isWrite);
      if (writes.length < 2) return;
      clearInterval(step);
      // The re-list finds the first address in; the watch from its version brings the second.
      const [a, b] = writes.map((w) => applied(w));
      api.onWhere('GET', paths.services, notWatch, list([withAddress(a, '203.0.113.1'), b], '500'));
      watch.error(410, 'Expired', 'too old resource version: 100 (400)');
      second.event('MODIFIED', withAddress(b, '203.0.113.2'));
    }, 1);
    const res = await run(api, [...lb, '-v', '4']);
    expect(res.code, res.err).toBe(0);
    expect(res.err).toContain('history from resourceVersion 100 is gone; listing again');
    const relist = api.requests.filter((r) => r.method === 'GET' && r.path === paths.services && notWatch(r)).at(-1)!;
    expect(relist.query.labelSelector).toBe(
      'app.kubernetes.io/managed-by=kubectl-expose-sts,expose-sts.io/statefulset=mydb',
    );
    expect(api.requests.filter(isWatch).at(-1)!.query.resourceVersion).toBe('500');
    expect(res.out).toContain('203.0.113.2:5432');
  });

  it('resumes after a reset connection, from where it was', async () => {
    const { api, watch } = cluster(1);
    const second = new WatchStream();
    api.onWhere('GET', paths.services, isWatch, { watch }, { watch: second });
    const step = setInterval(() => {
      const [w] = api.requests.filter(isWrite);
      if (!w) return;
      clearInterval(step);
      watch.body.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      second.event('MODIFIED', withAddress(applied(w), '203.0.113.1'));
    }, 1);
    const res = await run(api, [...lb, '-v', '4']);
    expect(res.code, res.err).toBe(0);
    expect(res.err).toMatch(/watch services in namespace "data": read ECONNRESET; resuming from resourceVersion 100/);
    expect(api.requests.filter(isWatch)).toHaveLength(2);
  });

  it('times out with the table, <pending> rows, exit 1 and one error line saying what to check', async () => {
    const { api } = cluster(2);
    const res = await run(api, [...lb, '--timeout', '50ms']);
    expect(res.code).toBe(1);
    // READY is not true beside <pending>: the member cannot be reached there (the issue names this change).
    expect(res.out).toContain('0         mydb-0   mydb-0    LoadBalancer   <pending>   false\n');
    expect(res.err).toMatch(
      /^error: timed out after 0.05 s waiting for load-balancer addresses of 2 of 2 services \(mydb-0, mydb-1\); likely causes: no load-balancer controller/,
    );
    expect(res.err.split('\n').filter(Boolean)).toHaveLength(1);
    // The hint is a command that, pasted, looks where the run wrote.
    expect(res.err).toMatch(/; kubectl describe service mydb-0 -n data shows the events of the cloud controller\n$/);
  });

  it('says what the load balancer says of those that get no address: while waiting, and as the cause on timeout', async () => {
    const { api } = cluster(2);
    const events = new WatchStream();
    const warn = (name: string, at: string) => ({
      metadata: { name: `${name}.1`, namespace: ns, resourceVersion: '300' },
      involvedObject: { kind: 'Service', name, namespace: ns },
      type: 'Warning',
      reason: 'AllocationFailed',
      message: `Failed to allocate IP for "${ns}/${name}": no available IPs in pool tiny`,
      lastTimestamp: at,
    });
    api
      .onWhere(
        'GET',
        `/api/v1/namespaces/${ns}/events`,
        notWatch,
        list([warn('mydb-0', '2026-11-30T10:00:00Z')], '300'),
      )
      .onWhere('GET', `/api/v1/namespaces/${ns}/events`, isWatch, { watch: events });
    setTimeout(() => events.event('ADDED', warn('mydb-1', '2026-11-30T10:00:02Z')), 1100);
    const res = await run(api, [...lb, '--timeout', '1500ms']);
    expect(res.code).toBe(1);
    expect(res.err).toBe(
      'warning: mydb-0: Failed to allocate IP: no available IPs in pool tiny\n' +
        'error: timed out after 1.5 s waiting for load-balancer addresses of 2 of 2 services (mydb-0, mydb-1); ' +
        'mydb-0, mydb-1: Failed to allocate IP: no available IPs in pool tiny\n',
    );
    // Read only once the wait lasted a second, with the field selector of Services' Warnings.
    const reads = api.requests.filter((r) => r.path.endsWith('/events'));
    expect(reads.map((r) => r.query.fieldSelector)).toEqual([
      'involvedObject.kind=Service,type=Warning',
      'involvedObject.kind=Service,type=Warning',
    ]);
  });

  it('refuses, before any write, Services a ResourceQuota would not take', async () => {
    const { api } = cluster(3);
    const quota = {
      metadata: { name: 'lbs' },
      status: { hard: { 'services.loadbalancers': '4' }, used: { 'services.loadbalancers': '2' } },
    };
    api.on('GET', paths.quotas, list([quota]));
    const res = await run(api, lb);
    expect(res.code).toBe(1);
    expect(res.err).toBe(
      'error: the Services would exceed ResourceQuota "lbs": services.loadbalancers 2 used + 3 more > 4 allowed ' +
        '(kubectl describe resourcequota lbs -n data); nothing was changed\n',
    );
    expect(patches(api)).toEqual([]);
  });

  it('fails at once when the watch is refused (403), before anything is written', async () => {
    const { api } = cluster(2);
    api.onWhere('GET', paths.services, isWatch, {
      status: 403,
      body: status(
        403,
        'Forbidden',
        'services is forbidden: User "jane" cannot watch resource "services" in API group "" in the namespace "data"',
      ),
    });
    const res = await run(api, lb);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(
      /^error: services is forbidden: User "jane" cannot watch .* \(needed to watch services in namespace "data"; ask an administrator/,
    );
    expect(patches(api)).toEqual([]);
  });
});

describe('expose, retries', () => {
  it('retries a 429 after its Retry-After, and says so at -v 4', async () => {
    const { api, watch } = cluster(1);
    api.onWhere(
      'GET',
      paths.services,
      notWatch,
      { status: 429, headers: { 'Retry-After': '0' }, body: status(429, 'TooManyRequests', 'slow down') },
      list([], '100'),
    );
    assignAddressesAfterWrites(api, watch, 1);
    const res = await run(api, [...lb, '-v', '4']);
    expect(res.code, res.err).toBe(0);
    expect(res.err).toContain(`list services in namespace "${ns}": HTTP 429; retry 1/4 in 0 ms`);
  });

  it('retries a connection reset before an answer', async () => {
    const { api, watch } = cluster(1);
    api.on('GET', paths.pods, { reset: true }, podTable([pod('mydb-0')]));
    assignAddressesAfterWrites(api, watch, 1);
    const res = await run(api, [...lb, '-v', '4']);
    expect(res.code, res.err).toBe(0);
    expect(res.err).toMatch(/list pods in namespace "data": ECONNRESET; retry 1\/4 in 200 ms/);
  });

  it('backs off exponentially without a Retry-After, and gives up after 5 attempts with one line and nothing written', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const { api } = cluster(1);
    api.on('GET', paths.statefulSet('mydb'), {
      status: 503,
      body: status(503, 'ServiceUnavailable', 'the server is shutting down'),
    });
    const running = run(api, [...lb, '-v', '4']);
    await vi.advanceTimersByTimeAsync(200 + 400 + 800 + 1600);
    const res = await running;
    expect(res.code).toBe(1);
    expect(res.err.match(/retry \d\/4 in \d+ ms/g)).toEqual([
      'retry 1/4 in 200 ms',
      'retry 2/4 in 400 ms',
      'retry 3/4 in 800 ms',
      'retry 4/4 in 1600 ms',
    ]);
    expect(res.err).toMatch(
      /\nerror: get statefulsets.apps "mydb" in namespace "data": the server is shutting down \(gave up after 5 attempts; try again later\)\n$/,
    );
    expect(api.made('GET', paths.statefulSet('mydb'))).toHaveLength(5);
    expect(patches(api)).toEqual([]);
  });

  it('re-applies after a conflict (409): server-side apply reads the object again itself', async () => {
    const { api, watch } = cluster(2);
    api.onWhere(
      'PATCH',
      paths.service('mydb-1'),
      isWrite,
      { status: 409, body: status(409, 'Conflict', 'the object has been modified') },
      (req: Request) => ({ status: 200, body: applied(req) }),
    );
    assignAddressesAfterWrites(api, watch, 3);
    const res = await run(api, lb);
    expect(res.code, res.err).toBe(0);
    expect(patches(api).sort()).toEqual(['mydb-0', 'mydb-1', 'mydb-1']);
  });

  it('starts no new write after one fails for good, and says which', async () => {
    const { api } = cluster(10);
    api.onWhere('PATCH', paths.service('mydb-0'), isWrite, {
      status: 422,
      body: status(422, 'Invalid', 'Service "mydb-0" is invalid: spec.ports[0].nodePort: Invalid value: 99999'),
    });
    // The other writes in flight are answered after the failure is in.
    const later = new Promise((r) => setTimeout(r, 20));
    for (let i = 1; i < 10; i++) {
      api.onWhere('PATCH', paths.service(`mydb-${i}`), isWrite, (req: Request) => ({
        after: later,
        reply: { status: 201, body: applied(req) },
      }));
    }
    const res = await run(api, lb);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/^error: apply service "mydb-0" in namespace "data": Service "mydb-0" is invalid/);
    // Eight writes go out at once; after the failure, the two that were waiting are never sent.
    expect(patches(api)).toHaveLength(8);
  });
});

describe('expose, interrupted', () => {
  it('says which writes were applied and which were in flight, so the user knows a re-run finishes the job', async () => {
    const { api, watch } = cluster(3);
    const gate = Promise.withResolvers<void>();
    for (const name of ['mydb-1', 'mydb-2']) {
      api.onWhere('PATCH', paths.service(name), isWrite, (req: Request) => ({
        after: gate.promise,
        reply: { status: 201, body: applied(req) },
      }));
    }
    const { done, interrupt } = plugin(api, lb);
    await vi.waitFor(() => expect(interrupt()).toMatch(/^1 of 3/));
    expect(interrupt()).toBe(
      '1 of 3 services were applied (service/mydb-0 created); 2 more were sent and may have been applied; run the same command again to finish',
    );
    gate.resolve();
    assignAddressesAfterWrites(api, watch, 3);
    expect((await done).code).toBe(0);
    // The hint names the namespace, so that pasted it looks where the run wrote (the issue names this change).
    expect(interrupt()).toBe(
      'all 3 services are applied; interrupted while waiting for load-balancer addresses (kubectl expose-sts status mydb -n data shows them)',
    );
  });

  it('before its first write it has changed nothing', async () => {
    const { api } = cluster(1);
    const gate = Promise.withResolvers<void>();
    api.on('GET', paths.pods, { after: gate.promise, reply: podTable([pod('mydb-0')]) });
    const { done, interrupt } = plugin(api, [...lb, '--timeout', '10ms']);
    await vi.waitFor(() => expect(api.made('GET', paths.pods)).toHaveLength(1));
    expect(interrupt()).toBeUndefined(); // nothing registered: the launcher's "nothing was changed" stands
    gate.resolve();
    await done;
  });
});
