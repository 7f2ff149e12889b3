// status and prune against a scripted transport: deletions that meet a recreated or vanished Service, what an
// interrupted prune says, and a user who may not list nodes or ConfigMaps.
import type { V1Service } from '@kubernetes/client-node';
import { describe, expect, it, vi } from 'vitest';
import { FakeApi, status } from './fake-api.ts';
import { list, ns, paths, plugin, pod, podTable, run, statefulSet } from './harness.ts';

/** A Service expose-sts made for an ordinal of mydb. */
function managed(ordinal: number, type = 'ClusterIP'): V1Service {
  return {
    metadata: {
      name: `mydb-${ordinal}`,
      namespace: ns,
      uid: `uid-${ordinal}`,
      labels: {
        'app.kubernetes.io/managed-by': 'kubectl-expose-sts',
        'expose-sts.io/statefulset': 'mydb',
        'expose-sts.io/ordinal': String(ordinal),
      },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'mydb', uid: 'uid-mydb' }],
    },
    spec: {
      type,
      clusterIP: `10.96.0.${ordinal + 10}`,
      selector: { 'statefulset.kubernetes.io/pod-name': `mydb-${ordinal}` },
      ports: [{ name: 'postgres', port: 5432, nodePort: type === 'NodePort' ? 30000 + ordinal : undefined }],
    },
  };
}

/** mydb scaled down to `replicas`, with Services left for `services` ordinals. */
function cluster(replicas: number, services: V1Service[]) {
  return new FakeApi()
    .on('GET', paths.services, list(services))
    .on('GET', paths.statefulSets, list([statefulSet('mydb', replicas)]))
    .on('GET', paths.pods, podTable(Array.from({ length: replicas }, (_, i) => pod(`mydb-${i}`))))
    .on('GET', paths.configMaps, list([]));
}

describe('prune', () => {
  it('deletes each orphan only if it is still the one listed (its uid), and leaves a recreated one alone', async () => {
    const api = cluster(1, [managed(0), managed(1), managed(2), managed(3)])
      .on('DELETE', paths.service('mydb-1'), { status: 200, body: status(200, '', '') })
      .on('DELETE', paths.service('mydb-2'), {
        status: 409,
        body: status(409, 'Conflict', 'Precondition failed: UID in precondition: uid-2, UID in object meta: uid-new'),
      })
      .on('DELETE', paths.service('mydb-3'), {
        status: 404,
        body: status(404, 'NotFound', 'services "mydb-3" not found'),
      });
    const res = await run(api, ['prune']);
    expect(res.code, res.err).toBe(0);
    expect(res.out).toBe('service/mydb-1 deleted\nservice/mydb-3 deleted\n'); // already gone is as good as deleted
    expect(res.err).toBe(`warning: service/mydb-2 in namespace ${ns} was replaced after it was listed; left alone\n`);
    expect(api.made('DELETE', paths.service('mydb-2'))[0].body).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      preconditions: { uid: 'uid-2' },
    });
    expect(api.made('DELETE', paths.service('mydb-0'))).toEqual([]);
  });

  it('--all leaves a published ConfigMap recreated since it was listed alone, and says so; -o name prints kind/name', async () => {
    const published = {
      metadata: {
        name: 'mydb-endpoints',
        namespace: ns,
        uid: 'uid-cm',
        labels: { 'app.kubernetes.io/managed-by': 'kubectl-expose-sts', 'expose-sts.io/statefulset': 'mydb' },
      },
    };
    const api = cluster(1, [managed(0)])
      .on('GET', paths.configMaps, list([published]))
      .on('DELETE', paths.service('mydb-0'), { status: 200, body: {} })
      .on('DELETE', `${paths.configMaps}/mydb-endpoints`, {
        status: 409,
        body: status(409, 'Conflict', 'Precondition failed: UID in precondition: uid-cm, UID in object meta: uid-new'),
      });
    const res = await run(api, ['prune', 'mydb', '--all', '-o', 'name']);
    expect([res.code, res.out]).toEqual([0, 'service/mydb-0\n']);
    expect(res.err).toBe(
      `warning: configmap/mydb-endpoints in namespace ${ns} was replaced after it was listed; left alone\n`,
    );
  });

  it('a server dry run puts dryRun in the body, where the API server reads it when there is one', async () => {
    const api = cluster(1, [managed(0), managed(1)]).on('DELETE', paths.service('mydb-1'), { status: 200, body: {} });
    const res = await run(api, ['prune', '--dry-run=server']);
    expect(res.out).toBe('service/mydb-1 deleted (server dry run)\n');
    expect(api.made('DELETE', paths.service('mydb-1'))[0].body).toMatchObject({ dryRun: ['All'] });
  });

  it('interrupted, says how many were deleted and whether one was in flight', async () => {
    const gate = Promise.withResolvers<void>();
    const api = cluster(1, [managed(0), managed(1), managed(2)])
      .on('DELETE', paths.service('mydb-1'), { status: 200, body: {} })
      .on('DELETE', paths.service('mydb-2'), { after: gate.promise, reply: { status: 200, body: {} } });
    const { done, interrupt } = plugin(api, ['prune']);
    await vi.waitFor(() => expect(api.made('DELETE', paths.service('mydb-2'))).toHaveLength(1));
    expect(interrupt()).toBe(
      '1 of 2 services were deleted; one more was sent and may have been deleted; run the same command again to finish',
    );
    gate.resolve();
    expect((await done).out).toBe('service/mydb-1 deleted\nservice/mydb-2 deleted\n');
  });

  it('interrupted after the Services, counts what is deleted after them too (here the published ConfigMap)', async () => {
    const gate = Promise.withResolvers<void>();
    const labels = managed(0).metadata?.labels;
    const configMap = { metadata: { name: 'mydb-endpoints', namespace: ns, uid: 'uid-cm', labels }, data: {} };
    const api = cluster(2, [managed(0), managed(1)])
      .on('GET', paths.configMaps, list([configMap]))
      .on('DELETE', paths.service('mydb-0'), { status: 200, body: {} })
      .on('DELETE', paths.service('mydb-1'), { status: 200, body: {} })
      .on('DELETE', `${paths.configMaps}/mydb-endpoints`, { after: gate.promise, reply: { status: 200, body: {} } });
    const { done, interrupt } = plugin(api, ['prune', 'mydb', '--all']);
    await vi.waitFor(() => expect(api.made('DELETE', `${paths.configMaps}/mydb-endpoints`)).toHaveLength(1));
    expect(interrupt()).toBe(
      '2 of 3 objects were deleted; one more was sent and may have been deleted; run the same command again to finish',
    );
    gate.resolve();
    const res = await done;
    expect(res.out).toBe('service/mydb-0 deleted\nservice/mydb-1 deleted\nconfigmap/mydb-endpoints deleted\n');
    expect(api.unexpected).toEqual([]);
  });
});

describe('status', () => {
  it('without permission to list nodes, shows NodePort endpoints as <none> with a warning rather than failing', async () => {
    const api = cluster(2, [managed(0, 'NodePort'), managed(1, 'NodePort')]).on('GET', paths.nodes, {
      status: 403,
      body: status(
        403,
        'Forbidden',
        'nodes is forbidden: User "jane" cannot list resource "nodes" at the cluster scope',
      ),
    });
    const res = await run(api, ['status']);
    expect(res.code, res.err).toBe(0);
    expect(res.err).toBe('warning: cannot list nodes, so NodePort endpoints show no node address\n');
    expect(res.out).toContain('mydb          0         mydb-0    NodePort   <none>     Ready\n');
  });

  it('without permission to list ConfigMaps, says the published one is not checked (status) or not deleted (prune)', async () => {
    const published = (ordinal: number) => {
      const svc = managed(ordinal, 'ClusterIP');
      svc.metadata!.annotations = { 'expose-sts.io/configmap': 'mydb-endpoints' };
      return svc;
    };
    const forbidden = {
      status: 403,
      body: status(403, 'Forbidden', `configmaps is forbidden: User "jane" cannot list resource "configmaps"`),
    };
    const api = cluster(2, [published(0), published(1)])
      .on('GET', paths.configMaps, forbidden)
      .on('DELETE', paths.service('mydb-0'), { status: 200, body: {} })
      .on('DELETE', paths.service('mydb-1'), { status: 200, body: {} });
    const res = await run(api, ['status', '--exit-code']);
    expect(res.code, res.err).toBe(0);
    expect(res.err).toBe(
      `warning: cannot list configmaps in namespace "${ns}", so the published ConfigMaps are not checked\n`,
    );
    const pruned = await run(api, ['prune', 'mydb', '--all']);
    expect(pruned.code, pruned.err).toBe(0);
    expect(pruned.out).toBe('service/mydb-0 deleted\nservice/mydb-1 deleted\n');
    expect(pruned.err).toBe(
      `warning: cannot list configmaps in namespace "${ns}", so the published ConfigMap is not deleted\n`,
    );
  });

  it('reads four LISTs in parallel, and nodes only when a NodePort endpoint needs one', async () => {
    const api = cluster(2, [managed(0), managed(1)]);
    const res = await run(api, ['status', '-o', 'json']);
    expect(res.code, res.err).toBe(0);
    // The ConfigMaps too (the issue names it): one that no Service publishes to any more is shown, for prune.
    expect(api.requests.map((r) => r.path).sort()).toEqual(
      [paths.pods, paths.services, paths.statefulSets, paths.configMaps].sort(),
    );
    // Of the pods only Table rows are asked for (name, node, readiness), never whole objects.
    expect(api.requests.find((r) => r.path === paths.pods)?.query).toMatchObject({ includeObject: 'None' });
    const doc = JSON.parse(res.out);
    expect(doc.items.map((i: { endpoint: string; state: string }) => `${i.endpoint} ${i.state}`)).toEqual([
      '10.96.0.10:5432 Ready',
      '10.96.0.11:5432 Ready',
    ]);
  });
});

describe("the API server's warnings", () => {
  it('are printed once each, as kubectl prints them, and with --warnings-as-errors fail the command', async () => {
    const warned = (reply: { status: number; body?: unknown }) => ({
      ...reply,
      headers: { warning: '299 - "example.com/v1 Thing is deprecated"' },
    });
    const api = () =>
      new FakeApi()
        .on('GET', paths.services, warned(list([managed(0)]) as { status: number; body?: unknown }))
        .on('GET', paths.statefulSets, warned(list([statefulSet('mydb', 1)]) as { status: number; body?: unknown }))
        .on('GET', paths.pods, podTable([pod('mydb-0')]))
        .on('GET', paths.configMaps, list([]));
    const plain = await run(api(), ['status', 'mydb']);
    expect(plain.code).toBe(0);
    expect(plain.err.match(/^Warning: example.com\/v1 Thing is deprecated$/gm)).toHaveLength(1);
    const strict = await run(api(), ['status', 'mydb', '--warnings-as-errors']);
    expect(strict.code).toBe(1);
    expect(strict.err).toMatch(/\nerror: 1 warnings received\n$/);
  });
});

describe('status -o endpoints and --endpoint-port', () => {
  /** A Service expose-sts made for ordinal 0 of another StatefulSet. */
  const other = (): V1Service => {
    const svc = managed(0);
    svc.metadata = {
      ...svc.metadata,
      name: 'web-0',
      labels: { ...svc.metadata?.labels, 'expose-sts.io/statefulset': 'web' },
    };
    return svc;
  };
  it('asks for a StatefulSet rather than joining two lists into one', async () => {
    const api = cluster(1, [managed(0), other()]);
    const res = await run(api, ['status', '-o', 'endpoints']);
    expect(res.code).toBe(2);
    expect(res.out).toBe('');
    expect(res.err).toMatch(
      /^error: -o endpoints gives one StatefulSet's list, and 2 are in scope \(data\/mydb, data\/web\): name one, e\.g\. kubectl expose-sts status mydb -n data -o endpoints\n/,
    );
  });
  it('refuses a --endpoint-port no Service has, as expose does', async () => {
    const res = await run(cluster(1, [managed(0)]), ['status', 'mydb', '--endpoint-port', 'nope']);
    expect(res.code).toBe(2);
    expect(res.out).toBe('');
    expect(res.err).toMatch(/^error: --endpoint-port nope: the Services have no such port \(their ports: postgres\)\n/);
  });
});
