// What expose reads about the cluster's load balancer, only when addresses are requested: which implementation
// serves it (discovery, a node's providerID), MetalLB's address pools, and which Services hold which addresses. Each
// read is optional: a user who may not make it still exposes, with one check fewer.
import type { V1Node, V1Service } from '@kubernetes/client-node';
import { httpStatusOf } from '../errors.ts';
import type { AddressHolder, AddressPool, ClusterFacts } from '../plan/load-balancer.ts';
import { requestedAddress } from '../plan/load-balancer.ts';
import { nameOf, namespaceOf } from '../plan/meta.ts';
import { type Kube, listJson, namespaced, requestJson, withRetry } from './client.ts';

const optional = async <T>(read: Promise<T>): Promise<T | undefined> => {
  try {
    return await read;
  } catch (err) {
    const status = httpStatusOf(err);
    if (status === 403 || status === 404) return undefined;
    throw err;
  }
};

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
  type Pool = { metadata?: { name?: string }; spec?: { addresses?: string[] } };
  const list = await optional(
    withRetry(kube, 'list ipaddresspools.metallb.io', () =>
      listJson<Pool>(kube, '/apis/metallb.io/v1beta1/ipaddresspools', {}),
    ),
  );
  return list?.items.map((p) => ({ name: p.metadata?.name ?? '', addresses: p.spec?.addresses ?? [] }));
}

const holderOf = (svc: V1Service): AddressHolder => ({
  namespace: namespaceOf(svc),
  name: nameOf(svc),
  addresses: [
    ...(svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : [])),
    ...(requestedAddress(svc)?.split(',') ?? []).map((a) => a.trim()),
  ],
});

/**
 * The LoadBalancer Services of the whole cluster with the addresses they have or asked for; those of `namespace`
 * only, for a user who may not list Services everywhere.
 */
export async function addressHolders(kube: Kube, namespace: string): Promise<AddressHolder[]> {
  const keep = (svc: V1Service) => (svc.spec?.type === 'LoadBalancer' ? holderOf(svc) : undefined);
  const everywhere = await optional(
    withRetry(kube, 'list services in all namespaces', () =>
      listJson<V1Service, AddressHolder | undefined>(kube, '/api/v1/services', {}, keep),
    ),
  );
  const list =
    everywhere ??
    (await withRetry(kube, `list services in namespace "${namespace}"`, () =>
      listJson<V1Service, AddressHolder | undefined>(kube, namespaced(namespace, 'services'), {}, (s) => {
        const h = keep(s);
        if (h) h.namespace ||= namespace;
        return h;
      }),
    ));
  return list.items.filter((h): h is AddressHolder => h !== undefined);
}
