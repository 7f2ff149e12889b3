import { describe, expect, it } from 'vitest';
import { claimsOf, takenProblem } from '../../../src/plan/claims.ts';

describe('claims', () => {
  it('are the addresses a Service has or asked for, and its node ports', () => {
    expect(
      claimsOf({
        metadata: { name: 'web', namespace: 'other', annotations: { 'metallb.io/loadBalancerIPs': '198.18.3.5' } },
        spec: { type: 'LoadBalancer', ports: [{ port: 80, nodePort: 30080 }, { port: 443 }] },
        status: { loadBalancer: { ingress: [{ ip: '198.18.3.5' }, { hostname: 'x.example' }] } },
      }),
    ).toEqual({ namespace: 'other', name: 'web', addresses: ['198.18.3.5', '198.18.3.5'], nodePorts: [30080] });
    expect(
      claimsOf({ metadata: { name: 'db' }, spec: { type: 'ClusterIP', ports: [{ port: 5432 }] } }),
    ).toBeUndefined();
  });
  it('taken by another Service are an error naming it; what a Service holds itself is its own', () => {
    const held = [
      { namespace: 'data', name: 'mydb-0', addresses: ['198.18.3.10'], nodePorts: [30000] },
      { namespace: 'other', name: 'web', addresses: ['198.18.3.11'], nodePorts: [30001] },
    ];
    const wanted = (ordinal: number, address: string, nodePorts: number[]) => ({
      namespace: 'data',
      name: `mydb-${ordinal}`,
      ordinal,
      address,
      nodePorts,
    });
    expect(takenProblem([wanted(0, '198.18.3.10', [30000])], held)).toBeUndefined();
    expect(takenProblem([wanted(1, '198.18.3.11', [])], held)).toBe(
      'address 198.18.3.11 (for ordinal 1) is taken by service other/web: choose another, or free it first',
    );
    expect(takenProblem([wanted(1, '198.18.3.12', [30001])], held)).toBe(
      'node port 30001 (for ordinal 1) is taken by service other/web: choose another, or free it first',
    );
  });
});
