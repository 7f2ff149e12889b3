import type { CoreV1Event, V1ManagedFieldsEntry, V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { assess, modifiedBy, type Inventory, withWarnings } from '../../../src/plan/drift.ts';
import { summaries } from '../../../src/render/status.ts';
import { endpointText } from '../../../src/render/tables.ts';

const sts = (name: string, replicas: number, uid = `uid-${name}`, ns = 'data'): V1StatefulSet => ({
  metadata: { name, namespace: ns, uid },
  spec: { replicas, serviceName: name, selector: {}, template: {} },
});
const applied = [
  {
    manager: 'kubectl-expose-sts',
    operation: 'Apply',
    fieldsV1: { 'f:spec': { 'f:selector': {}, 'f:type': {}, 'f:ports': {} } },
  },
];
const svc = (
  stsName: string,
  ordinal: number,
  over: {
    type?: string;
    ip?: string;
    ownerUid?: string;
    ns?: string;
    managed?: boolean;
    selectorPod?: string;
    managedFields?: unknown[];
  } = {},
): V1Service => ({
  metadata: {
    name: `${stsName}-${ordinal}`,
    namespace: over.ns ?? 'data',
    uid: `svc-${stsName}-${ordinal}`,
    labels: {
      ...(over.managed === false ? {} : { 'app.kubernetes.io/managed-by': 'kubectl-expose-sts' }),
      'expose-sts.io/statefulset': stsName,
      'expose-sts.io/ordinal': String(ordinal),
    },
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: stsName, uid: over.ownerUid ?? `uid-${stsName}` },
    ],
    managedFields: (over.managedFields ?? applied) as V1ManagedFieldsEntry[],
  },
  spec: {
    type: over.type ?? 'ClusterIP',
    clusterIP: '10.96.0.1',
    selector: { 'statefulset.kubernetes.io/pod-name': over.selectorPod ?? `${stsName}-${ordinal}` },
    ports: [{ port: 5432 }],
  },
  status: over.ip ? { loadBalancer: { ingress: [{ ip: over.ip }] } } : {},
});
const pod = (name: string, ready = true, ns = 'data'): V1Pod => ({
  metadata: { name, namespace: ns },
  spec: { containers: [], nodeName: 'n1' },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const inv = (over: Partial<Inventory>): Inventory => ({ services: [], statefulSets: [], pods: [], nodes: [], ...over });
const states = (rows: ReturnType<typeof assess>) => rows.map((r) => `${r.statefulSet}-${r.ordinal}:${r.state}`);

describe('assess', () => {
  it('is Ready when the Service matches, the address is in and the pod is Ready', () => {
    const rows = assess(
      inv({
        statefulSets: [sts('db', 2)],
        services: [svc('db', 0, { type: 'LoadBalancer', ip: '1.2.3.4' }), svc('db', 1)],
        pods: [pod('db-0'), pod('db-1')],
      }),
      {},
    );
    expect(states(rows)).toEqual(['db-0:Ready', 'db-1:Ready']);
    expect(endpointText(rows[0])).toBe('1.2.3.4:5432');
  });
  it('finds Pending, PodNotReady (pod not ready or missing) and Missing ordinals', () => {
    const rows = assess(
      inv({
        statefulSets: [sts('db', 4)],
        services: [svc('db', 0, { type: 'LoadBalancer' }), svc('db', 1), svc('db', 2)],
        pods: [pod('db-0'), pod('db-1', false)],
      }),
      {},
    );
    expect(states(rows)).toEqual(['db-0:Pending', 'db-1:PodNotReady', 'db-2:PodNotReady', 'db-3:Missing']);
    expect(rows[3].service).toBeUndefined();
    expect(rows[3]).toMatchObject({ reason: 'no Service: run kubectl expose-sts again' });
    expect(endpointText(rows[3])).toBe('<none>');
  });
  it('calls Orphaned what is out of range, whose StatefulSet is gone, or was recreated with another uid', () => {
    const rows = assess(
      inv({
        statefulSets: [sts('db', 1), sts('kv', 1, 'new-uid')],
        services: [svc('db', 0), svc('db', 1), svc('gone', 0), svc('kv', 0, { ownerUid: 'old-uid' })],
        pods: [pod('db-0'), pod('kv-0')],
      }),
      {},
    );
    expect(rows.map((r) => `${r.statefulSet}-${r.ordinal}:${r.state}:${r.reason}`)).toEqual([
      'db-0:Ready:',
      'db-1:Orphaned:ordinal 1 out of range 0-0',
      'gone-0:Orphaned:statefulset gone not found',
      'kv-0:Orphaned:statefulset kv was recreated',
    ]);
  });
  it('calls Modified a Service whose selector, type or ports another manager changed', () => {
    const patched = [
      ...applied,
      { manager: 'kubectl-patch', operation: 'Update', fieldsV1: { 'f:spec': { 'f:selector': {} } } },
    ];
    const rows = assess(
      inv({
        statefulSets: [sts('db', 2)],
        services: [
          svc('db', 0, { selectorPod: 'db-1', managedFields: patched }),
          svc('db', 1, {
            managedFields: [
              ...applied,
              { manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:spec': { 'f:ports': {} } } },
            ],
          }),
        ],
        pods: [pod('db-0'), pod('db-1')],
      }),
      {},
    );
    expect(rows.map((r) => `${r.state}:${r.reason}`)).toEqual([
      'Modified:changed by kubectl-patch',
      'Modified:changed by kubectl-edit',
    ]);
  });
  it('does not call Modified a Service created from the tool’s manifest, or one whose status a controller wrote', () => {
    const fromManifest = [
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        fieldsV1: { 'f:spec': { 'f:selector': {}, 'f:type': {} } },
      },
    ];
    const lbStatus = [
      ...applied,
      { manager: 'cloud-controller', operation: 'Update', subresource: 'status', fieldsV1: { 'f:status': {} } },
    ];
    expect(modifiedBy(svc('db', 0, { managedFields: fromManifest }), 'db-0')).toBeUndefined();
    expect(modifiedBy(svc('db', 0, { managedFields: lbStatus }), 'db-0')).toBeUndefined();
  });
  it('never lists a Service without the managed-by label, and keeps to the named StatefulSet', () => {
    const rows = assess(
      inv({
        statefulSets: [sts('db', 1), sts('kv', 1)],
        services: [svc('db', 0, { managed: false }), svc('kv', 0)],
        pods: [pod('kv-0')],
      }),
      {},
    );
    expect(states(rows)).toEqual(['kv-0:Ready']);
    expect(assess(inv({ statefulSets: [sts('kv', 1)], services: [svc('kv', 0)] }), { statefulSet: 'db' })).toEqual([]);
  });
  it('sorts by namespace, StatefulSet and ordinal, and sums up per StatefulSet', () => {
    const rows = assess(
      inv({
        statefulSets: [sts('db', 3, 'uid-db', 'b'), sts('db', 1, 'uid-db', 'a')],
        services: [svc('db', 2, { ns: 'b' }), svc('db', 0, { ns: 'b' }), svc('db', 0, { ns: 'a' })],
        pods: [pod('db-0', true, 'b'), pod('db-0', true, 'a')],
      }),
      {},
    );
    expect(rows.map((r) => `${r.namespace}/${r.ordinal}:${r.state}`)).toEqual([
      'a/0:Ready',
      'b/0:Ready',
      'b/1:Missing',
      'b/2:PodNotReady',
    ]);
    expect(summaries(rows, true)).toEqual([
      'statefulset a/db: 1 Ready',
      'statefulset b/db: 1 Ready, 1 PodNotReady, 1 Missing',
    ]);
    expect(
      summaries(
        rows.filter((r) => r.namespace === 'a'),
        false,
      ),
    ).toEqual(['statefulset db: 1 Ready']);
  });
});

describe('requested addresses', () => {
  const requested = (ip?: string, requestedIp = '198.18.3.10') => {
    const s = svc('db', 0, { type: 'LoadBalancer', ip });
    s.metadata!.annotations = { 'metallb.io/loadBalancerIPs': requestedIp };
    return s;
  };
  it('a Service that got another address than it asked for is WrongAddress, and the reason says both', () => {
    const rows = assess(
      inv({ statefulSets: [sts('db', 1)], services: [requested('198.18.0.7')], pods: [pod('db-0')] }),
      {},
    );
    expect(rows[0]).toMatchObject({ state: 'WrongAddress', reason: 'address 198.18.0.7, requested 198.18.3.10' });
    expect(rows[0].service?.requested).toBe('198.18.3.10');
    const right = assess(
      inv({ statefulSets: [sts('db', 1)], services: [requested('198.18.3.10')], pods: [pod('db-0')] }),
      {},
    );
    expect(right[0].state).toBe('Ready');
  });
  it('a pending one says which address it waits for', () => {
    const rows = assess(inv({ statefulSets: [sts('db', 1)], services: [requested()], pods: [pod('db-0')] }), {});
    expect(rows[0]).toMatchObject({ state: 'Pending', reason: 'no load-balancer address yet (requested 198.18.3.10)' });
  });
});

describe('pending rows with the load balancer’s word', () => {
  it('says why a Pending row waits, from the latest Warning of its Service in its namespace', () => {
    const rows = assess(
      inv({
        statefulSets: [sts('db', 2)],
        services: [svc('db', 0, { type: 'LoadBalancer' }), svc('db', 1)],
        pods: [pod('db-0'), pod('db-1')],
      }),
      {},
    );
    const events = [
      {
        involvedObject: { kind: 'Service', name: 'db-0', namespace: 'data' },
        type: 'Warning',
        message: 'Failed to allocate IP for "data/db-0": no available IPs',
      },
      {
        involvedObject: { kind: 'Service', name: 'db-0', namespace: 'elsewhere' },
        type: 'Warning',
        message: 'not this one',
      },
    ];
    const explained = withWarnings(rows, events as CoreV1Event[]);
    expect(explained.map((r) => r.reason)).toEqual([
      'no load-balancer address yet: Failed to allocate IP: no available IPs',
      '',
    ]);
  });
});

describe('drift that re-runs converge', () => {
  it('calls the older Service of an ordinal Orphaned where another --name-template made a newer one', () => {
    const old = svc('db', 0);
    old.metadata = { ...old.metadata, creationTimestamp: '2026-01-01T00:00:00Z' as never };
    const now = svc('db', 0);
    now.metadata = { ...now.metadata, name: 'db-0-external', creationTimestamp: '2026-02-01T00:00:00Z' as never };
    const rows = assess(inv({ services: [old, now], statefulSets: [sts('db', 1)], pods: [pod('db-0')] }), {});
    expect(rows.map((r) => [r.service?.name, r.state, r.reason])).toEqual([
      ['db-0', 'Orphaned', 'replaced by service db-0-external (another --name-template)'],
      ['db-0-external', 'Ready', ''],
    ]);
  });
  it('does not call a Service Modified for a change from before its last apply (an adopted Service, restored ports)', () => {
    const fields = (time: string, otherTime: string) => [
      { ...applied[0], time },
      { manager: 'kubectl-create', operation: 'Update', time: otherTime, fieldsV1: { 'f:spec': { 'f:ports': {} } } },
    ];
    const before = svc('db', 0, { managedFields: fields('2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z') });
    expect(modifiedBy(before, 'db-0')).toBeUndefined();
    const after = svc('db', 0, { managedFields: fields('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z') });
    expect(modifiedBy(after, 'db-0')).toBe('kubectl-create');
  });
});

describe('assess in the Gateway mode', () => {
  const routed = (ordinal: number): V1Service => {
    const s = svc('db', ordinal);
    s.metadata!.annotations = { 'expose-sts.io/route': 'TCPRoute' };
    return s;
  };
  const route = (ordinal: number, accepted: string) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'TCPRoute',
    metadata: { name: `db-${ordinal}`, namespace: 'data', generation: 1 },
    spec: {
      parentRefs: [{ name: 'edge', sectionName: `db-${ordinal}` }],
      rules: [{ backendRefs: [{ name: `db-${ordinal}`, port: 5432 }] }],
    },
    status: {
      parents: [{ parentRef: { name: 'edge' }, conditions: [{ type: 'Accepted', status: accepted, reason: 'R' }] }],
    },
  });
  const edge = {
    metadata: { name: 'edge', namespace: 'data' },
    spec: { listeners: [0, 1, 2].map((i) => ({ name: `db-${i}`, port: 9000 + i, protocol: 'TCP' })) },
    status: { addresses: [{ value: '203.0.113.9' }] },
  };
  const base = {
    statefulSets: [sts('db', 3)],
    services: [routed(0), routed(1), routed(2)],
    pods: ['db-0', 'db-1', 'db-2'].map((p) => pod(p)),
  };
  it("is Ready with the Gateway's endpoint when attached; Pending when refused; Missing without a route", () => {
    const rows = assess(inv({ ...base, routes: [route(0, 'True'), route(1, 'False')], gateways: [edge] }), {});
    expect(states(rows)).toEqual(['db-0:Ready', 'db-1:Pending', 'db-2:Missing']);
    expect(endpointText(rows[0])).toBe('203.0.113.9:9000');
    expect(rows[1].reason).toBe('TCPRoute Accepted R');
    expect(endpointText(rows[1])).toBe('<pending>');
  });
  it("keeps the Service's own state where routes were not read (status -w follows Services and pods only)", () => {
    const rows = assess(inv(base), {});
    expect(states(rows)).toEqual(['db-0:Ready', 'db-1:Ready', 'db-2:Ready']);
    expect(rows.map((r) => r.type)).toEqual(['TCPRoute', 'TCPRoute', 'TCPRoute']);
    expect(endpointText(rows[0])).toBe('<none>'); // not the cluster IP: clients do not reach it there
  });
});
