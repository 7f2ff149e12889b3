// The run's control plane is real: real controllers, scheduler, garbage collector, IP and port allocation, simulated
// nodes and a simulated cloud load balancer.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { lbClasses } from '../../cluster/lb-addresses.ts';
import { versions } from '../../cluster/versions.ts';
import { statefulSet } from '../fixtures.ts';
import { clients, kubectl, newNamespace, waitFor } from '../helpers.ts';

const cluster = inject('cluster');
const { core, apps, discovery } = clients();
let ns: string;
beforeAll(async () => {
  ns = await newNamespace('cluster');
});

const isReady = (p: V1Pod) =>
  p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const podsOf = async (sts: string) =>
  (await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${sts}` })).items;

describe('the local control plane', () => {
  it('runs the pinned versions, the API server at the version asked for', () => {
    const run = (b: string, ...args: string[]) => execFileSync(join(cluster.binDir, b), args, { encoding: 'utf8' });
    expect(run('kube-apiserver', '--version')).toContain(`Kubernetes ${cluster.kubernetes}`);
    expect(run('etcd', '--version')).toContain(`etcd Version: ${versions.etcd.slice(1)}`);
    expect(run('kwok', '--version')).toContain(versions.kwok);
    const v = JSON.parse(kubectl(['version', '-o', 'json']).stdout);
    expect(v.clientVersion.gitVersion).toBe(versions.kubernetes);
    expect(v.serverVersion.gitVersion).toBe(cluster.kubernetes);
  });

  it('has three Ready nodes whose internal and external addresses kubectl shows', () => {
    const out = kubectl(['get', 'nodes', '-o', 'wide']);
    expect(out.code).toBe(0);
    const rows = out.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/))
      // expose/internal.test.ts adds a node for a moment (a-cloud-aws, …), in a file that may run alongside.
      .filter((r) => !r[0].startsWith('a-cloud-'));
    expect(rows.map((r) => r[0])).toEqual(['kwok-node-0', 'kwok-node-1', 'kwok-node-2']);
    for (const [i, row] of rows.entries()) {
      expect(row[1]).toBe('Ready');
      expect(row.slice(5, 7)).toEqual([`192.0.2.${10 + i}`, `198.51.100.${10 + i}`]); // INTERNAL-IP, EXTERNAL-IP
    }
  });

  it('runs a StatefulSet: pods <sts>-0..2 Running and Ready with pod IP, host IP and node', async () => {
    await apps.createNamespacedStatefulSet({
      namespace: ns,
      body: statefulSet('web', { podManagementPolicy: 'OrderedReady' }),
    });
    const pods = await waitFor('3 ready pods', async () => {
      const items = await podsOf('web');
      return items.length === 3 && items.every(isReady) && items;
    });
    expect(pods.map((p) => p.metadata!.name).sort()).toEqual(['web-0', 'web-1', 'web-2']);
    for (const p of pods) {
      expect(p.status!.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
      expect(p.status!.hostIP).toMatch(/^192\.0\.2\.\d+$/);
      expect(cluster.nodes).toContain(p.spec!.nodeName);
      expect(p.metadata!.labels!['statefulset.kubernetes.io/pod-name']).toBe(p.metadata!.name);
    }
    const out = kubectl(['get', 'pods', '-n', ns, '-l', 'app=web', '--no-headers']);
    expect(
      out.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/).slice(0, 3)),
    ).toEqual([
      ['web-0', '1/1', 'Running'],
      ['web-1', '1/1', 'Running'],
      ['web-2', '1/1', 'Running'],
    ]);
  });

  it('binds volumeClaimTemplates and runs init containers and sidecars; an EndpointSlice of a per-pod Service lists that pod alone', async () => {
    await apps.createNamespacedStatefulSet({
      namespace: ns,
      body: statefulSet('db', {
        volume: true,
        initContainer: true,
        sidecar: true,
        podManagementPolicy: 'OrderedReady',
      }),
    });
    await waitFor('3 ready db pods', async () => {
      const items = await podsOf('db');
      return (
        items.length === 3 && items.every(isReady) && items.every((p) => p.status?.containerStatuses?.length === 2)
      );
    });
    const pvcs = (await core.listNamespacedPersistentVolumeClaim({ namespace: ns })).items;
    expect(pvcs.map((c) => [c.metadata!.name, c.status!.phase]).sort()).toEqual([
      ['data-db-0', 'Bound'],
      ['data-db-1', 'Bound'],
      ['data-db-2', 'Bound'],
    ]);

    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'db-1' },
        spec: {
          selector: { 'statefulset.kubernetes.io/pod-name': 'db-1' },
          ports: [{ name: 'postgres', port: 5432, targetPort: 'postgres' }],
        },
      },
    });
    const pod = await core.readNamespacedPod({ name: 'db-1', namespace: ns });
    const slice = await waitFor('EndpointSlice of db-1', async () =>
      (
        await discovery.listNamespacedEndpointSlice({ namespace: ns, labelSelector: 'kubernetes.io/service-name=db-1' })
      ).items.find((s) => s.endpoints?.length),
    );
    expect(slice.endpoints!.map((e) => [e.targetRef?.name, e.addresses])).toEqual([['db-1', [pod.status!.podIP]]]);
    expect(slice.ports).toEqual([{ name: 'postgres', port: 5432, protocol: 'TCP' }]);
  });

  it('gives LoadBalancer Services addresses like a cloud: by mode, by class, and none for an unknown class', async () => {
    const lb = (name: string, loadBalancerClass?: string): V1Service => ({
      metadata: { name },
      spec: {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        loadBalancerClass,
        selector: { 'statefulset.kubernetes.io/pod-name': 'web-0' },
        ports: [{ port: 80 }],
      },
    });
    // The unknown class goes first: once the later ones have addresses, the simulator has seen it and passed it by.
    await core.createNamespacedService({ namespace: ns, body: lb('lb-unknown', 'example.com/nobody') });
    for (const [name, cls] of [
      ['lb-default', undefined],
      ['lb-ip', lbClasses.ip],
      ['lb-hostname', lbClasses.hostname],
    ] as const) {
      await core.createNamespacedService({ namespace: ns, body: lb(name, cls) });
    }
    const ingressOf = async (name: string) =>
      (await core.readNamespacedService({ name, namespace: ns })).status?.loadBalancer?.ingress?.[0];
    const byDefault = await waitFor('default address', () => ingressOf('lb-default'));
    const byIp = await waitFor('ip-class address', () => ingressOf('lb-ip'));
    const byHostname = await waitFor('hostname-class address', () => ingressOf('lb-hostname'));
    expect(byDefault.ip).toMatch(/^198\.1[89]\.\d+\.\d+$/);
    expect(byIp.ip).toMatch(/^203\.0\.113\.\d+$/);
    expect(byIp.ipMode).toBe('VIP');
    expect(byHostname).toEqual({ hostname: `lb-hostname.${ns}.lb.test` });
    expect(await ingressOf('lb-unknown')).toBeUndefined();

    const svc = await core.readNamespacedService({ name: 'lb-default', namespace: ns });
    expect(svc.spec!.healthCheckNodePort).toBeGreaterThanOrEqual(30000); // allocated because the policy is Local
    expect(svc.spec!.ports![0].nodePort).toBeGreaterThanOrEqual(30000);
    const row = kubectl(['get', 'svc', 'lb-ip', '-n', ns, '--no-headers']).stdout.split(/\s+/);
    expect(row[3]).toBe(byIp.ip); // EXTERNAL-IP
  });

  it('keeps addresses unique and takes one back when a Service stops being a LoadBalancer', async () => {
    const names = ['u-0', 'u-1', 'u-2', 'u-3'];
    await Promise.all(
      names.map((name) =>
        core.createNamespacedService({
          namespace: ns,
          body: {
            metadata: { name },
            spec: { type: 'LoadBalancer', loadBalancerClass: lbClasses.ip, ports: [{ port: 80 }] },
          },
        }),
      ),
    );
    const ips = await waitFor('four addresses', async () => {
      const got = await Promise.all(
        names.map(
          async (name) =>
            (await core.readNamespacedService({ name, namespace: ns })).status?.loadBalancer?.ingress?.[0]?.ip,
        ),
      );
      return got.every(Boolean) && got;
    });
    expect(new Set(ips).size).toBe(4);

    await core.patchNamespacedService({
      name: 'u-0',
      namespace: ns,
      body: [
        { op: 'replace', path: '/spec/type', value: 'ClusterIP' },
        { op: 'remove', path: '/spec/loadBalancerClass' },
      ],
    });
    await waitFor(
      'u-0 released',
      async () => !(await core.readNamespacedService({ name: 'u-0', namespace: ns })).status?.loadBalancer?.ingress,
    );
  });

  it('garbage-collects objects owned by a deleted StatefulSet', async () => {
    const sts = await apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('gc', { replicas: 1 }) });
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: {
        metadata: {
          name: 'owned-by-gc',
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'gc', uid: sts.metadata!.uid! }],
        },
      },
    });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'not-owned' } } });
    await apps.deleteNamespacedStatefulSet({ name: 'gc', namespace: ns });
    await waitFor(
      'owned ConfigMap deleted',
      async () =>
        !(await core.listNamespacedConfigMap({ namespace: ns })).items.some((c) => c.metadata!.name === 'owned-by-gc'),
      30_000,
    );
    await core.readNamespacedConfigMap({ name: 'not-owned', namespace: ns }); // still there
  });

  it('writes an audit log of API requests, leaving out the cluster’s own components', async () => {
    await core.listNamespacedService({ namespace: ns, labelSelector: 'audit-probe=yes' });
    const events = await waitFor(
      'the probe in the audit log',
      () => {
        const lines = readFileSync(cluster.auditLog, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        return lines.some((e) => e.requestURI.includes('audit-probe%3Dyes')) && lines;
      },
      10_000,
    );
    const probe = events.find((e: { requestURI: string }) => e.requestURI.includes('audit-probe%3Dyes'));
    expect(probe).toMatchObject({
      verb: 'list',
      stage: 'ResponseComplete',
      user: { username: 'admin' },
      responseStatus: { code: 200 },
    });
    const users = new Set(events.map((e: { user: { username: string } }) => e.user.username));
    for (const component of [
      'system:kube-controller-manager',
      'system:kube-scheduler',
      'expose-sts:kwok',
      'expose-sts:lb-simulator',
    ]) {
      expect(users.has(component)).toBe(false);
    }
  });
});
