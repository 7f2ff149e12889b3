import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { nodeAddress } from '../../../src/plan/endpoint.ts';
import { exposureOf } from '../../../src/plan/exposure.ts';
import { endpointText, exposeTable } from '../../../src/render/tables.ts';

const svc = (type: string, extra: Partial<V1Service> = {}): V1Service => ({
  metadata: { name: 'mydb-0', uid: 'u0' },
  spec: {
    type,
    clusterIP: '10.96.0.10',
    ports: [
      { port: 5432, nodePort: 31000 },
      { port: 9187, nodePort: 31001 },
    ],
    externalTrafficPolicy: 'Local',
  },
  ...extra,
});
const node: V1Node = {
  metadata: { name: 'n1' },
  status: {
    addresses: [
      { type: 'InternalIP', address: '192.0.2.10' },
      { type: 'ExternalIP', address: '198.51.100.10' },
    ],
  },
};
const pod: V1Pod = {
  metadata: { name: 'mydb-0' },
  spec: { containers: [], nodeName: 'n1' },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
};
const at = (ordinal = 0) => ({ namespace: 'data', statefulSet: 'mydb', ordinal, pod: `mydb-${ordinal}` });
const endpointOf = (s: V1Service, p: V1Pod | undefined, n: V1Node | undefined) =>
  endpointText(exposureOf(at(), s, p, new Map(n ? [['n1', n]] : [])));

describe('endpoints', () => {
  it('LoadBalancer: the ip or hostname with the first port, or <pending>', () => {
    expect(
      endpointOf(svc('LoadBalancer', { status: { loadBalancer: { ingress: [{ ip: '203.0.113.5' }] } } }), pod, node),
    ).toBe('203.0.113.5:5432');
    expect(
      endpointOf(
        svc('LoadBalancer', { status: { loadBalancer: { ingress: [{ hostname: 'a.elb.example' }] } } }),
        pod,
        node,
      ),
    ).toBe('a.elb.example:5432');
    expect(endpointOf(svc('LoadBalancer'), pod, node)).toBe('<pending>');
  });
  it('NodePort: the address of the node running the pod, with the first node port', () => {
    expect(endpointOf(svc('NodePort'), pod, node)).toBe('198.51.100.10:31000');
    expect(endpointOf(svc('NodePort'), undefined, undefined)).toBe('<none>');
  });
  it('ClusterIP: the cluster IP with the first port', () => {
    expect(endpointOf(svc('ClusterIP'), pod, node)).toBe('10.96.0.10:5432');
    expect(endpointOf({ ...svc('ClusterIP'), spec: { type: 'ClusterIP' } }, pod, node)).toBe('<none>'); // a client dry run: not allocated
  });
  it('prefers a node’s external address, then its internal one', () => {
    expect(nodeAddress({ status: { addresses: [{ type: 'InternalIP', address: '192.0.2.1' }] } })).toBe('192.0.2.1');
    expect(nodeAddress(undefined)).toBeUndefined();
  });
});

describe('exposureOf', () => {
  it('gives the facts, which fill every column of the wide table', () => {
    const e = exposureOf(at(), svc('NodePort'), pod, new Map([['n1', node]]));
    expect(e).toEqual({
      namespace: 'data',
      statefulSet: 'mydb',
      ordinal: 0,
      pod: 'mydb-0',
      node: 'n1',
      ready: true,
      type: 'NodePort',
      service: {
        name: 'mydb-0',
        uid: 'u0',
        type: 'NodePort',
        clusterIP: '10.96.0.10',
        nodePorts: [31000, 31001],
        externalTrafficPolicy: 'Local',
        ingress: [],
        endpoint: {
          host: '198.51.100.10',
          ports: [
            { name: undefined, servicePort: 5432, port: 31000 },
            { name: undefined, servicePort: 9187, port: 31001 },
          ],
        },
        requested: undefined,
        hostname: undefined,
        configMap: undefined,
      },
    });
    expect(exposeTable([e], { wide: true }).split('\n')[1].split(/ {3,}/)).toEqual([
      '0',
      'mydb-0',
      'mydb-0',
      'NodePort',
      '198.51.100.10:31000',
      'true',
      'n1',
      '198.51.100.10',
      '10.96.0.10',
      '31000,31001',
      'Local',
      '5432=198.51.100.10:31000,9187=198.51.100.10:31001',
    ]);
    const pending = exposureOf(at(1), svc('LoadBalancer'), undefined, new Map());
    expect(pending).toMatchObject({ ready: false, node: undefined, service: { endpoint: undefined } });
    expect(exposeTable([pending], { wide: true }).split('\n')[1].split(/ {3,}/)).toEqual([
      '1',
      'mydb-1',
      'mydb-0',
      'LoadBalancer',
      '<pending>',
      'false',
      '<none>',
      '<none>',
      '10.96.0.10',
      '31000,31001',
      'Local',
      '<pending>',
    ]);
  });
});
