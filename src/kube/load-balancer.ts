// What expose reads about the cluster's load balancer, only when addresses are requested: which implementation
// serves it (discovery, a node's providerID) and MetalLB's address pools. Each read is optional: a user who may not
// make it still exposes, with one check fewer.
import type { V1Node } from '@kubernetes/client-node';
import { orAbsent } from './absent.ts';
import type { AddressPool, ClusterFacts } from '../plan/load-balancer.ts';
import { type Kube, listJson, requestJson, withRetry } from './client.ts';

/** A read this user may not make, or of an API the cluster does not serve: one check fewer. */
const optional = <T>(read: Promise<T>): Promise<T | undefined> => orAbsent(read, [403, 404], () => undefined);

export async function clusterFacts(kube: Kube): Promise<ClusterFacts> {
  const [apis, nodes] = await Promise.all([
    withRetry(kube, 'discover API groups', () => requestJson<{ groups?: { name: string }[] }>(kube, 'GET', '/apis')),
    optional(
      withRetry(kube, 'list nodes', () =>
        requestJson<{ items: V1Node[] }>(kube, 'GET', '/api/v1/nodes', { query: { limit: '1' } }),
      ),
    ),
  ]);
  return { groups: (apis.groups ?? []).map((g) => g.name), providerID: nodes?.items[0]?.spec?.providerID };
}

/** MetalLB's IPAddressPools, or undefined when they cannot be read. */
export async function addressPools(kube: Kube): Promise<AddressPool[] | undefined> {
  type Pool = { metadata?: { name?: string }; spec?: { addresses?: string[]; avoidBuggyIPs?: boolean } };
  const list = await optional(
    withRetry(kube, 'list ipaddresspools.metallb.io', () =>
      listJson<Pool>(kube, '/apis/metallb.io/v1beta1/ipaddresspools', {}),
    ),
  );
  return list?.items.map((p) => ({
    name: p.metadata?.name ?? '',
    addresses: p.spec?.addresses ?? [],
    avoidBuggyIPs: p.spec?.avoidBuggyIPs === true,
  }));
}
