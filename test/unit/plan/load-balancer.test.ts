import { describe, expect, it } from 'vitest';
import {
  addressRequest as addressRequestAnswer,
  detectProvider,
  loadBalancerOf,
  poolProblem,
  requestedAddress,
} from '../../../src/plan/load-balancer.ts';
import { answering } from '../answer.ts';

const addressRequest = answering(addressRequestAnswer);

describe('the load-balancer implementation', () => {
  it('is found from its API group first, then from the nodes’ cloud', () => {
    expect(detectProvider({ groups: ['apps', 'metallb.io'], providerID: 'aws:///eu-west-1a/i-1' })).toBe('metallb');
    expect(detectProvider({ groups: ['cilium.io'] })).toBe('cilium');
    expect(detectProvider({ groups: [], providerID: 'aws:///eu-west-1a/i-0abc' })).toBe('aws');
    expect(detectProvider({ groups: [], providerID: 'gce://project/europe-west1-b/node-1' })).toBe('gke');
    expect(detectProvider({ groups: [], providerID: 'azure:///subscriptions/x/resourceGroups/y' })).toBe('aks');
    expect(detectProvider({ groups: [], providerID: 'kwok://node-0' })).toBe('generic');
    expect(detectProvider({ groups: [] })).toBe('generic');
  });
  it('is the one --load-balancer-provider names; the cloud for --internal is the nodes’, whatever runs in the cluster', () => {
    expect(loadBalancerOf('cilium', { groups: ['metallb.io'] })).toEqual({ provider: 'cilium', cloud: 'cilium' });
    expect(loadBalancerOf(undefined, { groups: ['metallb.io'], providerID: 'gce://p/z/n' })).toEqual({
      provider: 'metallb',
      cloud: 'gke',
    });
  });
  it('takes a requested address its own way', () => {
    expect(addressRequest('metallb', '198.18.3.10')).toEqual({ annotation: 'metallb.io/loadBalancerIPs' });
    expect(addressRequest('cilium', '10.0.0.1')).toEqual({ annotation: 'lbipam.cilium.io/ips' });
    expect(addressRequest('kube-vip', '10.0.0.1')).toEqual({ annotation: 'kube-vip.io/loadbalancerIPs' });
    expect(addressRequest('aks', '20.1.2.3')).toEqual({
      annotation: 'service.beta.kubernetes.io/azure-load-balancer-ipv4',
    });
    expect(addressRequest('aks', '2001:db8::1')).toEqual({
      annotation: 'service.beta.kubernetes.io/azure-load-balancer-ipv6',
    });
    expect(addressRequest('gke', '34.1.2.3')).toEqual({ spec: true });
    expect(addressRequest('generic', '10.0.0.1')).toEqual({ spec: true });
    expect(addressRequest('aws', '3.1.2.3')).toMatch(
      /^AWS load balancers take Elastic IP allocations, not addresses: .*service\.beta\.kubernetes\.io\/aws-load-balancer-eip-allocations=\{eipalloc-…,eipalloc-…\}/,
    );
  });
  it('reads back the address a Service asked for, whichever way it asked', () => {
    expect(requestedAddress({ metadata: { annotations: { 'metallb.io/loadBalancerIPs': '198.18.3.10' } } })).toBe(
      '198.18.3.10',
    );
    expect(requestedAddress({ spec: { loadBalancerIP: '34.1.2.3' } })).toBe('34.1.2.3');
    expect(requestedAddress({})).toBeUndefined();
  });
});

describe('checks before any write', () => {
  const pools = [
    { name: 'default', addresses: ['198.18.0.0/22'] },
    { name: 'tiny', addresses: ['198.19.255.1-198.19.255.2', 'fd00::/64'] },
  ];
  const ips = (...list: string[]) => list.map((ip, ordinal) => ({ ip, ordinal }));
  it('finds an address in none of MetalLB’s pools', () => {
    expect(poolProblem(ips('198.18.3.255', '198.19.255.2', '2001:db8::1'), pools)).toBeUndefined();
    expect(poolProblem(ips('198.18.0.1', '198.19.255.3'), pools)).toBe(
      "address 198.19.255.3 (for ordinal 1) is in none of MetalLB's address pools (default: 198.18.0.0/22; tiny: 198.19.255.1-198.19.255.2, fd00::/64)",
    );
    expect(poolProblem(ips('10.0.0.1'), [])).toMatch(/\(there are none\)$/);
  });
});
