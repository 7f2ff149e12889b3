// DNS names per member, proven with the real external-dns (its coredns provider writing to an etcd) and a CoreDNS that
// answers from it: every ordinal's name points at that ordinal's address, follows a changed address, and goes with
// prune, and under expose --watch is given to a member a scale-up adds. Endpoints a client can paste, and the
// ConfigMap pods read their own from.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Dns, startDns } from '../../cluster/dns.ts';
import { statefulSet } from '../fixtures.ts';
import { clients, kubectl, lbArgs, newNamespace, parseTable, plugin, readyStatefulSet, waitFor } from '../helpers.ts';
import { follow } from '../watch/following.ts';

const { apps, core, discovery } = clients();
let ns: string;
let dns: Dns;
// A cold cache builds external-dns here first (≈ 4 min on 2 cores; `.ci/run` builds it beforehand): only these tests
// need it, so only they wait for it.
beforeAll(async () => {
  ns = await newNamespace('expose-dns');
  dns = await startDns(inject('cluster'));
  await Promise.all([
    readyStatefulSet(ns, statefulSet('kafka', { replicas: 3, sidecar: true })),
    readyStatefulSet(ns, statefulSet('zk', { replicas: 3, sidecar: true })),
    readyStatefulSet(ns, statefulSet('redis', { replicas: 3 })),
    readyStatefulSet(ns, statefulSet('mongo', { replicas: 2 })),
  ]);
}, 30 * 60_000);
afterAll(async () => {
  await dns?.stop();
});

const resolve = (name: string) =>
  dns.resolver.resolve4(name).then(
    (a) => a.sort(),
    (e: NodeJS.ErrnoException) => e.code,
  );
const lb = (sts: string, ...more: string[]) => lbArgs(sts, '-n', ns, ...more);
/** Each member named <pod>.<namespace>.<zone>. */
const named = () => ['--hostname', `{pod}.${ns}.${dns.zone}`];

describe('--hostname, with external-dns', () => {
  it('gives every member a name that points at its address, follows a changed address, and goes with prune', async () => {
    const res = plugin(
      lb('kafka', ...named(), '--dns-ttl', '60s', '--load-balancer-ip', '198.18.3.40-198.18.3.42', '-o', 'wide'),
    );
    expect(res.code, res.stderr).toBe(0);
    const rows = parseTable(res.stdout);
    expect(rows.map((r) => [r.ENDPOINT, r.ADDRESS])).toEqual(
      [0, 1, 2].map((i) => [`kafka-${i}.${ns}.${dns.zone}:5432`, `198.18.3.${40 + i}`]),
    );
    expect(rows[0].ENDPOINTS).toBe(`postgres=kafka-0.${ns}.${dns.zone}:5432,metrics=kafka-0.${ns}.${dns.zone}:9187`);
    await dns.sync();
    for (const i of [0, 1, 2]) expect(await resolve(`kafka-${i}.${ns}.${dns.zone}`)).toEqual([`198.18.3.${40 + i}`]);
    expect(await dns.resolver.resolve4(`kafka-0.${ns}.${dns.zone}`, { ttl: true })).toEqual([
      { address: '198.18.3.40', ttl: 60 }, // --dns-ttl
    ]);

    expect(
      plugin(lb('kafka', ...named(), '--dns-ttl', '60s', '--load-balancer-ip', '198.18.3.43-198.18.3.45')).code,
    ).toBe(0);
    await dns.sync();
    for (const i of [0, 1, 2]) expect(await resolve(`kafka-${i}.${ns}.${dns.zone}`)).toEqual([`198.18.3.${43 + i}`]);

    expect(plugin(['prune', 'kafka', '-n', ns, '--all']).code).toBe(0);
    await dns.sync();
    for (const i of [0, 1, 2]) expect(await resolve(`kafka-${i}.${ns}.${dns.zone}`)).toBe('ENOTFOUND');
  });

  it('is published by external-dns v0.22.0 and later too, which read only the external-dns.kubernetes.io/ prefix', async () => {
    // v0.21.0 (built here) reading that prefix, as v0.22.0 does by default: a name only under the alpha prefix, which
    // v0.21.0 reads, would not be published.
    await readyStatefulSet(ns, statefulSet('pg', { replicas: 2 }));
    const current = await startDns(
      inject('cluster'),
      dns.zone,
      ['service'],
      ['--annotation-prefix=external-dns.kubernetes.io/'],
    );
    try {
      const res = plugin(lb('pg', ...named(), '--dns-ttl', '30s', '--load-balancer-ip', '198.18.3.50-198.18.3.51'));
      expect(res.code, res.stderr).toBe(0);
      const synced = await current.sync();
      for (const i of [0, 1])
        expect(await current.resolver.resolve4(`pg-${i}.${ns}.${dns.zone}`, { ttl: true }), synced).toEqual([
          { address: `198.18.3.${50 + i}`, ttl: 30 },
        ]);
    } finally {
      await current.stop();
    }
    expect(plugin(['prune', 'pg', '-n', ns, '--all']).code).toBe(0);
  });
  it('points a NodePort member’s name at the node that runs its pod, and says so', async () => {
    const res = plugin([
      'kafka',
      '-n',
      ns,
      '--type',
      'NodePort',
      '--name-template',
      '{pod}-np',
      '--hostname',
      `{pod}-np.${ns}.${dns.zone}`,
      '-o',
      'wide',
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/^warning: external-dns points each NodePort name at the node that runs its pod/);
    await dns.sync();
    for (const r of parseTable(res.stdout)) {
      const node = await core.readNode({ name: r.NODE });
      const external = node.status!.addresses!.find((a) => a.type === 'ExternalIP')!.address;
      expect(r.ADDRESS).toBe(external);
      expect(await resolve(`${r.POD}-np.${ns}.${dns.zone}`)).toEqual([external]);
    }
  });

  it('expose --watch names the member a scale-up adds, and its name goes with the Service --prune deletes', async () => {
    await readyStatefulSet(ns, statefulSet('nats', { replicas: 1 }));
    const run = follow(lb('nats', ...named(), '--prune', '--watch'));
    try {
      await run.until('stdout', /^0\s+nats-0\s/m);
      kubectl(['scale', 'statefulset', 'nats', '-n', ns, '--replicas', '2']);
      // The row shows the name clients use, once the address behind it is confirmed.
      await run.until(
        'stdout',
        new RegExp(
          `^1\\s+nats-1\\s+nats-1\\s+LoadBalancer\\s+nats-1\\.${ns}\\.${dns.zone.replaceAll('.', '\\.')}:5432\\s+true$`,
          'm',
        ),
      );
      const ip = (await core.readNamespacedService({ name: 'nats-1', namespace: ns })).status?.loadBalancer
        ?.ingress?.[0].ip;
      await dns.sync();
      expect(await resolve(`nats-1.${ns}.${dns.zone}`)).toEqual([ip]);
      kubectl(['scale', 'statefulset', 'nats', '-n', ns, '--replicas', '1']);
      await run.until('stderr', /^service\/nats-1 deleted: ordinal 1 is no member now$/m);
      await dns.sync();
      expect(await resolve(`nats-1.${ns}.${dns.zone}`)).toBe('ENOTFOUND');
    } finally {
      const stopped = await run.stop();
      expect(stopped.stderr).not.toMatch(/^error: /m);
    }
  });
});

describe('endpoints a client can paste', () => {
  it('-o endpoints prints only the list, in ordinal order, for expose and status, with names and the port chosen', () => {
    const exposed = plugin(lb('zk', ...named(), '--endpoint-port', 'metrics', '-o', 'endpoints'));
    expect(exposed.code, exposed.stderr).toBe(0);
    const list = [0, 1, 2].map((i) => `zk-${i}.${ns}.${dns.zone}:9187`).join(',');
    expect(exposed.stdout).toBe(`${list}\n`);
    expect(plugin(['status', 'zk', '-n', ns, '--endpoint-port', 'metrics', '-o', 'endpoints']).stdout).toBe(
      `${list}\n`,
    );
    expect(plugin(['status', 'zk', '-n', ns, '-o', 'endpoints']).stdout).toBe(`${list.replaceAll(':9187', ':5432')}\n`);
  });
});

describe('--publish-configmap', () => {
  it('writes each member’s endpoint and the list, follows scaling, is flagged stale by status, and goes with prune --all', async () => {
    const args = lb('redis', '--publish-configmap');
    expect(plugin(args).code).toBe(0);
    const read = () => core.readNamespacedConfigMap({ name: 'redis-endpoints', namespace: ns });
    const cm = await read();
    expect(Object.keys(cm.data!).sort()).toEqual(['endpoints', 'redis-0', 'redis-1', 'redis-2']);
    expect(cm.data!['redis-1']).toMatch(/^198\.18\.\d+\.\d+:5432$/);
    expect(cm.data!.endpoints).toBe(['redis-0', 'redis-1', 'redis-2'].map((p) => cm.data![p]).join(','));
    expect(cm.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'StatefulSet', name: 'redis' })]);
    expect(plugin(['status', 'redis', '-n', ns, '--exit-code']).code).toBe(0);

    // A member added: the next expose writes its key.
    await apps.patchNamespacedStatefulSetScale({
      name: 'redis',
      namespace: ns,
      body: [{ op: 'replace', path: '/spec/replicas', value: 4 }],
    });
    await waitFor(
      'pod redis-3',
      async () => (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=redis' })).items.length === 4,
    );
    expect(plugin(args).code).toBe(0);
    expect(Object.keys((await read()).data!).sort()).toEqual(['endpoints', 'redis-0', 'redis-1', 'redis-2', 'redis-3']);

    // What it says no longer what the Services say (here: by hand): status flags it.
    await core.patchNamespacedConfigMap({
      name: 'redis-endpoints',
      namespace: ns,
      body: [{ op: 'replace', path: '/data/redis-1', value: '192.0.2.1:5432' }],
    });
    const stale = plugin(['status', 'redis', '-n', ns, '--exit-code']);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(
      /\nconfigmap redis-endpoints is stale: redis-1 says 192\.0\.2\.1:5432, its Service 198\.18\.\d+\.\d+:5432 \(kubectl expose-sts redis -n [\w-]+ writes it again\)\n$/,
    );

    const pruned = plugin(['prune', 'redis', '-n', ns, '--all']);
    expect(pruned.stdout).toContain('configmap/redis-endpoints deleted\n');
    await expect(read()).rejects.toThrow();
  });
});

describe('--publish-not-ready-addresses', () => {
  it('makes a member that is not Ready reachable through its Service, as a forming cluster needs', async () => {
    // mongo-1 is not Ready (its readiness probe would fail until the replica set forms): set as the kubelet would.
    const pod = await core.readNamespacedPod({ name: 'mongo-1', namespace: ns });
    for (const c of pod.status!.conditions!) if (['Ready', 'ContainersReady'].includes(c.type)) c.status = 'False';
    for (const c of pod.status!.containerStatuses ?? []) c.ready = false;
    await core.replaceNamespacedPodStatus({ name: 'mongo-1', namespace: ns, body: pod });
    const endpointReady = (service: string) =>
      waitFor(`an EndpointSlice for ${service}`, async () => {
        const slices = await discovery.listNamespacedEndpointSlice({
          namespace: ns,
          labelSelector: `kubernetes.io/service-name=${service}`,
        });
        const endpoint = slices.items.flatMap((s) => s.endpoints ?? [])[0];
        return endpoint && { ready: endpoint.conditions?.ready, pod: endpoint.targetRef?.name };
      });

    expect(plugin(['mongo', '-n', ns]).code).toBe(0);
    expect(await endpointReady('mongo-1')).toEqual({ ready: false, pod: 'mongo-1' });
    expect(plugin(['mongo', '-n', ns, '--publish-not-ready-addresses']).code).toBe(0);
    await waitFor('mongo-1 published while not Ready', async () => (await endpointReady('mongo-1')).ready === true);
    expect(await endpointReady('mongo-0')).toEqual({ ready: true, pod: 'mongo-0' });
    // The pod is still not Ready, and status says so.
    expect(plugin(['status', 'mongo', '-n', ns]).stdout).toContain('\nstatefulset mongo: 1 Ready, 1 PodNotReady\n');
  });
});
