// What the tool does not own stays untouched; --adopt takes over; ownerReferences let the garbage collector clean up.
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { statefulSet } from '../fixtures.ts';
import {
  clients,
  kubectl,
  newNamespace,
  parseTable,
  plugin,
  readyStatefulSet,
  servicesIn,
  waitFor,
} from '../helpers.ts';

const { core, apps } = clients();
let ns: string;
beforeAll(async () => {
  ns = await newNamespace('expose-own');
});

describe('ownership', () => {
  it('leaves a same-named Service it does not manage byte for byte alone and fails with a clear error; --adopt takes it over', async () => {
    await readyStatefulSet(ns, statefulSet('redis', { replicas: 2 }));
    const foreign = await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'redis-1', labels: { app: 'handmade' } },
        spec: { selector: { app: 'redis' }, ports: [{ port: 6379 }] },
      },
    });
    const untouched = JSON.stringify((await servicesIn(ns)).get('redis-1'));
    const res = plugin(['redis', '-n', ns]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      'error: service "redis-1" already exists and is not managed by expose-sts: use --adopt to take it over, or --name-template to choose other names; nothing was changed\n',
    );
    const after = await servicesIn(ns);
    expect(JSON.stringify(after.get('redis-1'))).toBe(untouched);
    expect(after.has('redis-0')).toBe(false); // nothing written, not even the Services that had no conflict

    const adopted = plugin(['redis', '-n', ns, '--adopt']);
    expect(adopted.code, adopted.stderr).toBe(0);
    const svc = (await servicesIn(ns)).get('redis-1')!;
    expect(svc.metadata!.uid).toBe(foreign.metadata!.uid);
    expect(svc.metadata!.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'kubectl-expose-sts',
      'expose-sts.io/statefulset': 'redis',
      app: 'handmade',
    });
    expect(svc.spec!.selector).toEqual({ 'statefulset.kubernetes.io/pod-name': 'redis-1' });
  });

  it('deleting the StatefulSet garbage-collects its Services; --owner-reference=false keeps them', async () => {
    await readyStatefulSet(ns, statefulSet('owned', { replicas: 2 }));
    await readyStatefulSet(ns, statefulSet('kept', { replicas: 2 }));
    expect(plugin(['owned', '-n', ns]).code).toBe(0);
    expect(plugin(['kept', '-n', ns, '--owner-reference=false']).code).toBe(0);
    expect((await servicesIn(ns)).get('owned-0')!.metadata!.ownerReferences).toHaveLength(1);
    await apps.deleteNamespacedStatefulSet({ name: 'owned', namespace: ns });
    await apps.deleteNamespacedStatefulSet({ name: 'kept', namespace: ns });
    await waitFor(
      'owned Services collected',
      async () => {
        const s = await servicesIn(ns);
        return !s.has('owned-0') && !s.has('owned-1');
      },
      30_000,
    );
    const left = await servicesIn(ns);
    expect(left.has('kept-0') && left.has('kept-1')).toBe(true);
  });
});

describe('dry runs and manifests', () => {
  it('--dry-run=client and --dry-run=server change nothing in the cluster', async () => {
    await readyStatefulSet(ns, statefulSet('dry', { replicas: 2 }));
    const before = await servicesIn(ns);
    const client = plugin(['dry', '-n', ns, '--type', 'LoadBalancer', '--dry-run=client']);
    expect(client.code, client.stderr).toBe(0);
    expect(client.stdout).toBe('service/dry-0 created (dry run)\nservice/dry-1 created (dry run)\n');
    const server = plugin(['dry', '-n', ns, '--type', 'NodePort', '--dry-run=server', '-o', 'json']);
    expect(server.code, server.stderr).toBe(0);
    const list = JSON.parse(server.stdout);
    expect(
      list.items.map((s: { spec: { type: string; ports: { nodePort?: number }[] } }) => [
        s.spec.type,
        s.spec.ports[0].nodePort! > 0,
      ]),
    ).toEqual([
      ['NodePort', true],
      ['NodePort', true],
    ]);
    const after = await servicesIn(ns);
    expect([...after.keys()]).toEqual([...before.keys()]);
  });

  it('--dry-run=server names every object the run writes, the endpoints ConfigMap too, and writes none', async () => {
    const server = plugin(['dry', '-n', ns, '--type', 'NodePort', '--publish-configmap', '--dry-run=server']);
    expect(server.code, server.stderr).toBe(0);
    expect(server.stdout).toBe(
      'service/dry-0 created (server dry run)\nservice/dry-1 created (server dry run)\n' +
        'configmap/dry-endpoints created (server dry run)\n',
    );
    expect(kubectl(['get', 'configmap', 'dry-endpoints', '-n', ns]).code).toBe(1);
  });

  it('-o yaml --dry-run=client is a manifest that kubectl apply -f - accepts, giving the same Services', async () => {
    const manifest = plugin(['dry', '-n', ns, '--type', 'NodePort', '--dry-run=client', '-o', 'yaml']);
    expect(manifest.code, manifest.stderr).toBe(0);
    const applied = kubectl(['apply', '-f', '-'], { input: manifest.stdout });
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toBe('service/dry-0 created\nservice/dry-1 created\n');
    const svc = (await servicesIn(ns)).get('dry-0')!;
    expect(svc.metadata!.labels!['app.kubernetes.io/managed-by']).toBe('kubectl-expose-sts');
    expect(svc.spec!.externalTrafficPolicy).toBe('Local');
    // The tool recognises them as its own and as up to date: -o name lists them, nothing conflicts.
    const again = plugin(['dry', '-n', ns, '--type', 'NodePort', '-o', 'name']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('service/dry-0\nservice/dry-1\n');
    expect(stringify(parseTable(plugin(['dry', '-n', ns, '--type', 'NodePort']).stdout).map((r) => r.TYPE))).toBe(
      '- NodePort\n- NodePort\n',
    );
  });
});
