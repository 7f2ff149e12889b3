import type { V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { configMapConflict, endpointsConfigMap } from '../../../src/plan/endpoints-configmap.ts';
import type { StatusRow } from '../../../src/plan/drift.ts';
import type { Exposure } from '../../../src/plan/exposure.ts';
import { configMapStates, staleLines } from '../../../src/render/status.ts';
import {
  configMapData,
  endpointsLine,
  endpointsText,
  endpointText,
  layStatusTable,
} from '../../../src/render/tables.ts';

const member = (ordinal: number, over: { host?: string; hostname?: string; configMap?: string } = {}): StatusRow => ({
  namespace: 'data',
  statefulSet: 'kafka',
  ordinal,
  pod: `kafka-${ordinal}`,
  ready: true,
  type: 'LoadBalancer',
  state: 'Ready',
  reason: '',
  service: {
    name: `kafka-${ordinal}`,
    uid: `u${ordinal}`,
    type: 'LoadBalancer',
    nodePorts: [],
    ingress: [],
    hostname: over.hostname,
    configMap: over.configMap,
    endpoint:
      over.host === ''
        ? undefined
        : {
            host: over.host ?? `198.18.0.${ordinal + 1}`,
            ports: [
              { name: 'internal', servicePort: 9092, port: 9092 },
              { name: 'external', servicePort: 9094, port: 9094 },
            ],
          },
  },
});

describe('endpoints a client can paste', () => {
  it('one per member: the port named (or the first), the DNS name as host where there is one', () => {
    expect(endpointText(member(0))).toBe('198.18.0.1:9092');
    expect(endpointText(member(0), 'external')).toBe('198.18.0.1:9094');
    expect(endpointText(member(0), '9094')).toBe('198.18.0.1:9094');
    expect(endpointText(member(0, { hostname: 'kafka-0.example.test' }), 'external')).toBe('kafka-0.example.test:9094');
    expect(endpointText(member(0, { host: '' }))).toBe('<pending>');
  });
  it('every port, named, for -o wide', () => {
    expect(endpointsText(member(1))).toBe('internal=198.18.0.2:9092,external=198.18.0.2:9094');
  });
  it('the list a client takes: comma-separated in ordinal order, and who has none yet', () => {
    const rows: Exposure[] = [member(0), member(1, { host: '' }), member(2)];
    expect(endpointsLine(rows, 'external')).toEqual({
      line: '198.18.0.1:9094,198.18.0.3:9094\n',
      missing: ['kafka-1'],
    });
  });
  it('the ConfigMap: each member’s endpoint under its pod name, and the list', () => {
    expect(configMapData([member(0), member(1)], 'external')).toEqual({
      'kafka-0': '198.18.0.1:9094',
      'kafka-1': '198.18.0.2:9094',
      endpoints: '198.18.0.1:9094,198.18.0.2:9094',
    });
    const body = endpointsConfigMap({
      name: 'kafka-endpoints',
      namespace: 'data',
      statefulSet: { name: 'kafka', uid: 'u' },
      owned: true,
      endpointPort: 'external',
      data: {},
    });
    expect(body.metadata).toMatchObject({
      labels: { 'app.kubernetes.io/managed-by': 'kubectl-expose-sts', 'expose-sts.io/statefulset': 'kafka' },
      annotations: { 'expose-sts.io/endpoint-port': 'external' },
      ownerReferences: [{ kind: 'StatefulSet', name: 'kafka', uid: 'u' }],
    });
  });
  it('an existing ConfigMap is expose-sts’s to write only when it manages it for the same StatefulSet', () => {
    const cm = (labels?: Record<string, string>): V1ConfigMap => ({ metadata: { name: 'kafka-endpoints', labels } });
    expect(configMapConflict(undefined, 'kafka')).toBeUndefined();
    expect(
      configMapConflict(
        cm({ 'app.kubernetes.io/managed-by': 'kubectl-expose-sts', 'expose-sts.io/statefulset': 'kafka' }),
        'kafka',
      ),
    ).toBeUndefined();
    expect(configMapConflict(cm({ app: 'mine' }), 'kafka')).toBe(
      'configmap "kafka-endpoints" already exists and is not managed by expose-sts: name another with --publish-configmap NAME',
    );
    expect(
      configMapConflict(
        cm({ 'app.kubernetes.io/managed-by': 'kubectl-expose-sts', 'expose-sts.io/statefulset': 'zk' }),
        'kafka',
      ),
    ).toMatch(/for statefulset zk/);
  });
  it('status calls a published ConfigMap stale when it disagrees with the Services', () => {
    const rows = [member(0, { configMap: 'kafka-endpoints' }), member(1, { configMap: 'kafka-endpoints' })];
    const cm = (data: Record<string, string>): V1ConfigMap => ({
      metadata: {
        name: 'kafka-endpoints',
        namespace: 'data',
        annotations: { 'expose-sts.io/endpoint-port': 'external' },
      },
      data,
    });
    const fresh = configMapStates(rows, [cm(configMapData(rows, 'external'))]);
    expect(fresh[0].differences).toEqual([]);
    expect(staleLines(fresh, false)).toEqual([]);
    const old = configMapStates(rows, [cm({ 'kafka-0': '198.18.0.1:9094', endpoints: '198.18.0.1:9094' })]);
    expect(staleLines(old, false)).toEqual([
      'configmap kafka-endpoints is stale: kafka-1 says nothing, its Service 198.18.0.2:9094 (kubectl expose-sts kafka -n data writes it again)',
    ]);
    // A member there without an endpoint now (its Gateway deleted, its load balancer's address released) is not gone.
    const pending: StatusRow = { ...member(1, { configMap: 'kafka-endpoints', host: '' }), state: 'Pending' };
    const published = cm(configMapData(rows, 'external'));
    expect(staleLines(configMapStates([rows[0], pending], [published]), false)).toEqual([
      'configmap kafka-endpoints is stale: kafka-1 says 198.18.0.2:9094, and it has no endpoint now (Pending) (kubectl expose-sts kafka -n data writes it again)',
    ]);
    expect(staleLines(configMapStates([rows[0]], [published]), false)).toEqual([
      'configmap kafka-endpoints is stale: kafka-1 says 198.18.0.2:9094, its Service is gone (kubectl expose-sts kafka -n data writes it again)',
    ]);
  });
});

describe('a changed status row printed after the table', () => {
  it('lines up in the columns the table laid out', () => {
    const laid = layStatusTable([member(0, { host: '' }), member(1)], { allNamespaces: true, wide: false });
    const [header] = laid.text.split('\n');
    const changed = laid.row(member(0));
    expect(changed).toBe('data        kafka         0         kafka-0   LoadBalancer   198.18.0.1:9092   Ready\n');
    for (const column of ['STATEFULSET', 'ORDINAL', 'SERVICE', 'TYPE', 'ENDPOINT', 'STATE'])
      expect(changed[header.indexOf(column) - 1]).toBe(' ');
  });
});
