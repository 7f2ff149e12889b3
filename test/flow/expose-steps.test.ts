// expose's steps (src/cli/expose/), each driven on its own against a scripted transport: what it reads, what it
// refuses, and what it leaves for the next step or for a re-run.
import { describe, expect, it } from 'vitest';
import { applyServices } from '../../src/cli/expose/apply.ts';
import { planRun } from '../../src/cli/expose/plan.ts';
import { readCluster } from '../../src/cli/expose/read.ts';
import type { RoutePlan } from '../../src/cli/expose/routes.ts';
import { waitForRoutes } from '../../src/cli/expose/routes-wait.ts';
import { exposeFlags, validateExposeFlags } from '../../src/options/expose.ts';
import { withDefaults } from '../../src/options/flags.ts';
import type { ExposeOptions } from '../../src/plan/expose-options.ts';
import type { GatewayObject } from '../../src/plan/gateway.ts';
import type { RouteObject } from '../../src/plan/route.ts';
import { FakeApi, status, WatchStream } from './fake-api.ts';
import { apiOn, applied, isWatch, isWrite, list, notWatch, ns, paths, pod, podTable, statefulSet } from './harness.ts';

const io = () => {
  const said = { out: '', err: '' };
  return { said, io: { out: (t: string) => void (said.out += t), err: (t: string) => void (said.err += t) } };
};

function options(flags: Record<string, unknown>): ExposeOptions {
  const opts = validateExposeFlags({ ...withDefaults(exposeFlags, flags), statefulSet: 'mydb' });
  if (opts instanceof Error) throw opts;
  return opts;
}

function cluster(replicas: number, services: unknown[] = []) {
  return new FakeApi()
    .on('GET', paths.statefulSet('mydb'), { status: 200, body: statefulSet('mydb', replicas) })
    .onWhere('GET', paths.services, notWatch, list(services, '100'))
    .on('GET', paths.pods, podTable(Array.from({ length: replicas }, (_, i) => pod(`mydb-${i}`))));
}

describe('expose, step by step', () => {
  it('read: the StatefulSet, the Services and the pods, together; nothing more for 0 replicas', async () => {
    const fake = cluster(2);
    const read = await readCluster(options({}), apiOn(fake));
    expect(read?.sts.metadata?.name).toBe('mydb');
    expect(read?.existing.resourceVersion).toBe('100');
    expect((await read?.pods)?.size).toBe(2);
    expect(fake.requests.map((r) => `${r.method} ${r.path.split('/').at(-1)}`).sort()).toEqual([
      'GET mydb',
      'GET pods',
      'GET services',
    ]);
    expect(await readCluster(options({}), apiOn(cluster(0)))).toBeUndefined();
  });

  it('plan: Services in the way are refused whole, before anything is written', async () => {
    const foreign = { metadata: { name: 'mydb-1', namespace: 'data' }, spec: { type: 'ClusterIP' } };
    const fake = cluster(2, [foreign]);
    const api = apiOn(fake);
    const read = await readCluster(options({}), api);
    if (!read) throw new Error('no read');
    await expect(planRun(options({}), read, api, io().io)).rejects.toThrow(
      /service "mydb-1" .*not managed by expose-sts.*; nothing was changed$/,
    );
    expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('plan: without shaping flags, the exposed Services are kept as they are, type and all', async () => {
    const fake = cluster(2);
    const api = apiOn(fake);
    const opts = options({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/8'] });
    const read = await readCluster(opts, api);
    if (!read) throw new Error('no read');
    const first = await planRun(opts, read, api, io().io);
    const exposed = first.desired.map((d) => applied({ method: 'PATCH', path: '', query: {}, body: d.service }));
    const again = await readCluster(opts, apiOn(cluster(2, exposed)));
    if (!again) throw new Error('no read');
    const kept = await planRun({ ...options({ given: [] }), keep: true }, again, api, io().io);
    expect(kept.opts.type).toBe('LoadBalancer');
    expect(kept.plan.actions.map((a) => a.kind)).toEqual(['unchanged', 'unchanged']);
  });

  it('apply: a write refused after others were applied says which, and closes what the run had open', async () => {
    const fake = cluster(3)
      .on('PATCH', paths.service('mydb-0'), (req) => ({ status: 201, body: applied(req) }))
      .on('PATCH', paths.service('mydb-1'), (req) => ({ status: 201, body: applied(req) }))
      // Refused once the other two are in.
      .on('PATCH', paths.service('mydb-2'), {
        after: new Promise((r) => setTimeout(r, 20)),
        reply: { status: 403, body: status(403, 'Forbidden', 'services "mydb-2" is forbidden: exceeded quota') },
      });
    const api = apiOn(fake);
    const opts = options({ type: 'NodePort' });
    const read = await readCluster(opts, api);
    if (!read) throw new Error('no read');
    const planned = await planRun(opts, read, api, io().io);
    const current = new Map();
    let cleaned = false;
    const run = { dryRun: false, io: io().io, cleanUp: () => void (cleaned = true) };
    await expect(applyServices(api, planned.plan.actions, current, run)).rejects.toThrow(
      /exceeded quota.*; applied before it: service\/mydb-0 created, service\/mydb-1 created; run the same command again to finish$/,
    );
    expect([...current.keys()]).toEqual([]); // a failed apply records nothing: the caller stops there
    expect(cleaned).toBe(true);
    expect(fake.requests.filter(isWrite)).toHaveLength(3);
  });
});

describe('the Gateway API discovery', () => {
  const group = '/apis/gateway.networking.k8s.io';

  /** A reply held until another request is made (500 ms at most); `overlapped`: whether that came while it was held. */
  function heldUntilAsked() {
    const asked = Promise.withResolvers<void>();
    let answered = false;
    let overlapped = false;
    const held = Promise.race([asked.promise, new Promise((r) => setTimeout(r, 500))]).then(() => (answered = true));
    const ask = () => {
      overlapped = !answered;
      asked.resolve();
    };
    return { held, ask, overlapped: () => overlapped };
  }

  it('asks every version at once, and takes a kind at the preferred version even when that answers last', async () => {
    const v1 = heldUntilAsked();
    const fake = new FakeApi()
      .on('GET', group, {
        status: 200,
        body: { preferredVersion: { version: 'v1' }, versions: [{ version: 'v1' }, { version: 'v1alpha2' }] },
      })
      .on('GET', `${group}/v1`, {
        after: v1.held,
        reply: { status: 200, body: { resources: [{ name: 'gateways' }, { name: 'tcproutes' }] } },
      })
      .on('GET', `${group}/v1alpha2`, () => {
        v1.ask();
        return { status: 200, body: { resources: [{ name: 'tcproutes' }, { name: 'tlsroutes' }] } };
      });
    expect(await apiOn(fake).gatewayApi()).toEqual({ Gateway: 'v1', TCPRoute: 'v1', TLSRoute: 'v1alpha2' });
    expect(v1.overlapped()).toBe(true);
  });

  it("is asked with expose's reads, not after them", async () => {
    const sts = heldUntilAsked();
    const fake = cluster(2)
      .on('GET', paths.statefulSet('mydb'), { after: sts.held, reply: { status: 200, body: statefulSet('mydb', 2) } })
      .on('GET', group, () => {
        sts.ask();
        return { status: 404, body: status(404, 'NotFound', 'the server could not find the requested resource') };
      });
    const read = await readCluster(options({ gateway: 'edge', hostname: '{pod}.example.com' }), apiOn(fake));
    expect(await read?.gatewayApi).toEqual({});
    expect(sts.overlapped()).toBe(true);
  });
});

describe("the wait for the Gateway's controller to accept the routes", () => {
  const group = '/apis/gateway.networking.k8s.io/v1';
  const routesPath = `${group}/namespaces/${ns}/tcproutes`;
  const gatewayPath = `${group}/namespaces/${ns}/gateways/mydb`;
  const gatewaysPath = `${group}/namespaces/${ns}/gateways`;
  const ref = { namespace: ns, name: 'mydb' };
  const parentRef = { group: 'gateway.networking.k8s.io', kind: 'Gateway', ...ref, sectionName: 'mydb-0' };
  /** Route mydb-0 (generation 1) as the controller judged it. */
  const route = (status: 'True' | 'False', reason: string): RouteObject => ({
    apiVersion: `gateway.networking.k8s.io/v1`,
    kind: 'TCPRoute',
    metadata: { name: 'mydb-0', namespace: ns, generation: 1 },
    spec: { parentRefs: [parentRef] },
    status: {
      parents: [
        {
          parentRef,
          controllerName: 'traefik.io/gateway-controller',
          conditions: [{ type: 'Accepted', status, reason, observedGeneration: 1 }],
        },
      ],
    },
  });
  /** The Gateway at generation 2 (a listener just added), as its controller last answered it. */
  const gateway = (observedGeneration: number): GatewayObject => ({
    metadata: { name: 'mydb', namespace: ns, generation: 2, resourceVersion: '100' },
    spec: { gatewayClassName: 'tcp', listeners: [] },
    status: {
      addresses: [{ type: 'IPAddress', value: '192.0.2.1' }],
      conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration }],
    },
  });
  const plan = (written: RouteObject): RoutePlan => ({
    kind: 'TCPRoute',
    versions: { route: 'v1', gateway: 'v1' },
    gateway: ref,
    selector: 'expose-sts.io/statefulset=mydb',
    existing: { routes: new Map() },
    routes: [
      { ordinal: 0, pod: 'mydb-0', name: 'mydb-0', attachment: { listener: 'mydb-0', port: 9000 }, route: written },
    ],
  });
  const refused = route('False', 'NotAllowedByListeners');

  it("does not take a refusal judged against the Gateway's earlier listeners for the last word", async () => {
    const gateways = new WatchStream();
    const fake = new FakeApi()
      .onWhere('GET', routesPath, notWatch, list([refused]), list([route('True', 'Accepted')]))
      .onWhere('GET', routesPath, isWatch, { watch: new WatchStream() })
      .on('GET', gatewayPath, { status: 200, body: gateway(1) })
      .onWhere('GET', gatewaysPath, isWatch, { watch: gateways });
    const waiting = waitForRoutes(apiOn(fake), plan(refused), new Map([['mydb-0', refused]]), 30_000);
    await until(() => fake.made('GET', gatewaysPath).length > 0);
    // The controller answers generation 2; it wrote the route's new verdict before (Traefik's order in each pass).
    gateways.event('MODIFIED', gateway(2));
    const waited = await waiting;
    expect([waited.timedOut, waited.states.get('mydb-0')]).toEqual([false, { accepted: true }]);
    expect(fake.unexpected).toEqual([]);
  });

  it('ends on a refusal the routes read after the answer to the Gateway as it is still show, with no time-out', async () => {
    const fake = new FakeApi()
      .onWhere('GET', routesPath, notWatch, list([refused]))
      .on('GET', gatewayPath, { status: 200, body: gateway(2) });
    const waited = await waitForRoutes(apiOn(fake), plan(refused), new Map([['mydb-0', refused]]), 30_000);
    expect([waited.timedOut, waited.states.get('mydb-0')?.reason]).toEqual([false, 'Accepted NotAllowedByListeners']);
    expect(fake.made('GET', routesPath)).toHaveLength(2); // read again after the Gateway's answer
    expect(fake.unexpected).toEqual([]);
  });
});

/** Polls a condition of the scripted transport (a request made), for at most 5 s. */
async function until(check: () => boolean) {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}
