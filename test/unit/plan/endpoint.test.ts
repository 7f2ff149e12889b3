import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { endpointOf, nodeAddress, rowOf } from '../../../src/plan/endpoint.ts';

const svc = (type: string, extra: Partial<V1Service> = {}): V1Service => ({
  metadata: { name: 'mydb-0' },
  spec: { type, clusterIP: '10.96.0.10', ports: [{ port: 5432, nodePort: 31000 }, { port: 9187, nodePort: 31001 }], externalTrafficPolicy: 'Local' },
  ...extra,
});
const node: V1Node = { metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '192.0.2.10' }, { type: 'ExternalIP', address: '198.51.100.10' }] } };
const pod: V1Pod = { metadata: { name: 'mydb-0' }, spec: { containers: [], nodeName: 'n1' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };

describe('endpointOf', () => {
  it('LoadBalancer: the ip or hostname with every port, or <pending>', () => {
    expect(endpointOf(svc('LoadBalancer', { status: { loadBalancer: { ingress: [{ ip: '203.0.113.5' }] } } }), pod, node)).toBe('203.0.113.5:5432,9187');
    expect(endpointOf(svc('LoadBalancer', { status: { loadBalancer: { ingress: [{ hostname: 'a.elb.example' }] } } }), pod, node)).toBe('a.elb.example:5432,9187');
    expect(endpointOf(svc('LoadBalancer'), pod, node)).toBe('<pending>');
  });
  it('NodePort: the address of the node running the pod, with the node ports', () => {
    expect(endpointOf(svc('NodePort'), pod, node)).toBe('198.51.100.10:31000,31001');
    expect(endpointOf(svc('NodePort'), undefined, undefined)).toBe('<none>');
  });
  it('ClusterIP: the cluster IP with the ports', () => {
    expect(endpointOf(svc('ClusterIP'), pod, node)).toBe('10.96.0.10:5432,9187');
    expect(endpointOf({ ...svc('ClusterIP'), spec: { type: 'ClusterIP' } }, pod, node)).toBe('<none>'); // a client dry run: not allocated
  });
  it('prefers a node’s external address, then its internal one', () => {
    expect(nodeAddress({ status: { addresses: [{ type: 'InternalIP', address: '192.0.2.1' }] } })).toBe('192.0.2.1');
    expect(nodeAddress(undefined)).toBeUndefined();
  });
});

describe('rowOf', () => {
  it('fills every column of the wide table', () => {
    expect(rowOf(0, 'mydb-0', svc('NodePort'), pod, new Map([['n1', node]]))).toEqual({
      ordinal: 0, pod: 'mydb-0', service: 'mydb-0', type: 'NodePort', endpoint: '198.51.100.10:31000,31001', ready: true,
      pending: false, node: 'n1', clusterIP: '10.96.0.10', nodePorts: '31000,31001', policy: 'Local',
    });
    expect(rowOf(1, 'mydb-1', svc('LoadBalancer'), undefined, new Map())).toMatchObject({ ready: false, pending: true, node: '<none>' });
  });
});
