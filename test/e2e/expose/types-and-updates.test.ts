// NodePort and ClusterIP endpoints, re-runs that write nothing, scaling, and changing the type in place.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { statefulSet } from '../fixtures.ts';
import { clients, newNamespace, parseTable, plugin, readyStatefulSet, servicesIn, waitFor } from '../helpers.ts';

const cluster = inject('cluster');
const { core, apps } = clients();
let ns: string;
beforeAll(async () => {
  ns = await newNamespace('expose-types');
  await readyStatefulSet(
    ns,
    statefulSet('kafka', { replicas: 3, ordinalsStart: 1, podManagementPolicy: 'OrderedReady', sidecar: true }),
  );
});

/** Write requests (create, update, patch, delete) in this namespace, from the apiserver's audit log. */
function writesIn(namespace: string): number {
  return readFileSync(cluster.auditLog, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { verb: string; requestURI: string })
    .filter(
      (e) =>
        ['create', 'update', 'patch', 'delete'].includes(e.verb) &&
        e.requestURI.includes(`/namespaces/${namespace}/services`) &&
        !e.requestURI.includes('dryRun=All'), // the check of each write before the first: nothing is kept
    ).length;
}

describe('kubectl expose-sts --type NodePort / ClusterIP', () => {
  it('NodePort: each endpoint is the address of the node that runs that pod, with its node ports; policy Local', async () => {
    const res = plugin(['kafka', '-n', ns, '--type', 'nodeport']);
    expect(res.code, res.stderr).toBe(0);
    const rows = parseTable(res.stdout);
    expect(rows.map((r) => r.ORDINAL)).toEqual(['1', '2', '3']); // ordinals from .spec.ordinals.start
    const services = await servicesIn(ns);
    for (const r of rows) {
      const pod = await core.readNamespacedPod({ name: r.POD, namespace: ns });
      const node = await core.readNode({ name: pod.spec!.nodeName! });
      const external = node.status!.addresses!.find((a) => a.type === 'ExternalIP')!.address;
      const svc = services.get(r.SERVICE)!;
      expect(r.ENDPOINT).toBe(`${external}:${svc.spec!.ports![0].nodePort}`); // the first port's
      expect(svc.spec!.externalTrafficPolicy).toBe('Local');
      expect(svc.spec!.selector).toEqual({ 'statefulset.kubernetes.io/pod-name': r.POD });
    }
  });

  it('re-running with the same flags writes nothing and keeps every resourceVersion', async () => {
    const before = await servicesIn(ns);
    const writes = writesIn(ns);
    const res = plugin(['kafka', '-n', ns, '--type', 'NodePort']);
    expect(res.code, res.stderr).toBe(0);
    const after = await servicesIn(ns);
    expect([...after.values()].map((s) => s.metadata!.resourceVersion)).toEqual(
      [...before.values()].map((s) => s.metadata!.resourceVersion),
    );
    expect(writesIn(ns)).toBe(writes);
  });

  it('after a scale-up, a re-run adds exactly the new ordinals', async () => {
    await apps.patchNamespacedStatefulSetScale({
      name: 'kafka',
      namespace: ns,
      body: [{ op: 'replace', path: '/spec/replicas', value: 5 }],
    });
    const writes = writesIn(ns);
    const res = plugin(['kafka', '-n', ns, '--type', 'NodePort']);
    expect(res.code, res.stderr).toBe(0);
    expect(parseTable(res.stdout).map((r) => r.SERVICE)).toEqual([
      'kafka-1',
      'kafka-2',
      'kafka-3',
      'kafka-4',
      'kafka-5',
    ]);
    expect(writesIn(ns) - writes).toBe(2);
  });

  it('changing --type updates the Services in place (same uid), and -o wide shows cluster IP and policy', async () => {
    const before = await servicesIn(ns);
    const res = plugin(['kafka', '-n', ns, '--type', 'ClusterIP', '-o', 'wide']);
    expect(res.code, res.stderr).toBe(0);
    const after = await servicesIn(ns);
    for (const r of parseTable(res.stdout)) {
      const svc = after.get(r.SERVICE)!;
      expect(svc.metadata!.uid).toBe(before.get(r.SERVICE)!.metadata!.uid);
      expect(svc.spec!.type).toBe('ClusterIP');
      expect(r.ENDPOINT).toBe(`${svc.spec!.clusterIP}:5432`);
      expect(r.ENDPOINTS).toBe(
        `${svc.spec!.ports!.map((p) => `${p.name}=${svc.spec!.clusterIP}:${p.port}`).join(',')}`,
      );
      expect(r['CLUSTER-IP']).toBe(svc.spec!.clusterIP);
      expect(r['NODE-PORTS']).toBe('<none>');
      expect(r.POLICY).toBe('<none>');
      expect(r.NODE).toMatch(/^kwok-node-\d$/);
    }
  });

  it('--external-traffic-policy Cluster is applied when asked', async () => {
    const res = plugin(['kafka', '-n', ns, '--type', 'NodePort', '--external-traffic-policy', 'Cluster']);
    expect(res.code, res.stderr).toBe(0);
    await waitFor('policy Cluster', async () =>
      [...(await servicesIn(ns)).values()]
        .filter((s) => s.metadata!.name !== 'kafka')
        .every((s) => s.spec!.externalTrafficPolicy === 'Cluster'),
    );
  });
});
