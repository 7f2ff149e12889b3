// The local cluster's load balancer is the real MetalLB controller: addresses come from its pools, an exhausted pool
// leaves a Service pending with MetalLB's own Event, a requested address is honoured, and two Services that share a
// key (and differ in ports) share one address.
import type { V1Service } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { metallbPools } from '../../cluster/metallb-setup.ts';
import { clients, newNamespace, waitFor } from '../helpers.ts';

const { core } = clients();
let ns: string;
beforeAll(async () => {
  ns = await newNamespace('metallb');
});

const lb = (name: string, annotations?: Record<string, string>, port = 5432, policy = 'Local'): V1Service => ({
  metadata: { name, annotations },
  spec: { type: 'LoadBalancer', externalTrafficPolicy: policy, selector: { app: name }, ports: [{ port }] },
});
const ingressOf = async (name: string) =>
  (await core.readNamespacedService({ name, namespace: ns })).status?.loadBalancer?.ingress;
const addressOf = (name: string) => waitFor(`an address for ${name}`, async () => (await ingressOf(name))?.[0]?.ip);
const eventsOf = async (name: string) =>
  (await core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${name}` })).items;

describe('MetalLB in the local cluster', () => {
  it('gives an unclassed LoadBalancer Service an address from the default pool, and says so in an Event', async () => {
    await core.createNamespacedService({ namespace: ns, body: lb('plain') });
    const ip = await addressOf('plain');
    expect(ip).toMatch(/^198\.18\.[0-3]\.\d+$/); // metallbPools.default: 198.18.0.0/22
    expect(ip).not.toMatch(/\.(0|255)$/); // avoidBuggyIPs
    expect(await ingressOf('plain')).toEqual([{ ip, ipMode: 'VIP' }]);
    const events = await waitFor('the IPAllocated Event', async () =>
      (await eventsOf('plain')).find((e) => e.reason === 'IPAllocated'),
    );
    expect(events.message).toBe(`Assigned IP ["${ip}"]`);
    expect(events.source?.component ?? events.reportingComponent).toMatch(/metallb/);
  });

  it('leaves a Service pending once its pool is exhausted, with MetalLB’s own Warning', async () => {
    const size = 2; // metallbPools.tiny: two addresses
    expect(metallbPools.tiny.addresses).toEqual(['198.19.255.1-198.19.255.2']);
    const pool = { 'metallb.io/address-pool': 'tiny' };
    for (let i = 0; i < size; i++) await core.createNamespacedService({ namespace: ns, body: lb(`tiny-${i}`, pool) });
    expect([await addressOf('tiny-0'), await addressOf('tiny-1')].sort()).toEqual(['198.19.255.1', '198.19.255.2']);
    // Only once the pool is full: created together, MetalLB may serve the last one first (seen once under load).
    await core.createNamespacedService({ namespace: ns, body: lb(`tiny-${size}`, pool) });
    const warning = await waitFor('the AllocationFailed Event', async () =>
      (await eventsOf(`tiny-${size}`)).find((e) => e.reason === 'AllocationFailed'),
    );
    expect(warning.type).toBe('Warning');
    expect(warning.message).toBe(`Failed to allocate IP for "${ns}/tiny-${size}": no available IPs in pool tiny`);
    expect(await ingressOf(`tiny-${size}`)).toBeUndefined();

    await core.deleteNamespacedService({ name: 'tiny-0', namespace: ns }); // a freed address goes to the waiting one
    expect(await addressOf(`tiny-${size}`)).toMatch(/^198\.19\.255\.[12]$/);
  });

  it('honours a requested address', async () => {
    await core.createNamespacedService({
      namespace: ns,
      body: lb('pinned', { 'metallb.io/loadBalancerIPs': '198.18.3.200' }),
    });
    expect(await addressOf('pinned')).toBe('198.18.3.200');
  });

  it('puts two Services with the same sharing key and different ports on one address', async () => {
    const shared = { 'metallb.io/allow-shared-ip': `${ns}-db` };
    await core.createNamespacedService({ namespace: ns, body: lb('shared-0', shared, 5432, 'Cluster') });
    await core.createNamespacedService({ namespace: ns, body: lb('shared-1', shared, 5433, 'Cluster') });
    expect(await addressOf('shared-0')).toBe(await addressOf('shared-1'));
  });

  it('shares no address between Local-policy Services of different pods, and says nothing about it', async () => {
    // What per-pod Services are: one pod each, externalTrafficPolicy Local. MetalLB shares an address only between
    // Services that select the same pods or use the Cluster policy; these get an address each, without an Event.
    const key = { 'metallb.io/allow-shared-ip': `${ns}-local` };
    await core.createNamespacedService({ namespace: ns, body: lb('local-0', key, 5432) });
    await core.createNamespacedService({ namespace: ns, body: lb('local-1', key, 5433) });
    expect(await addressOf('local-0')).not.toBe(await addressOf('local-1'));
    expect((await eventsOf('local-1')).filter((e) => e.type === 'Warning')).toEqual([]);
  });
});
