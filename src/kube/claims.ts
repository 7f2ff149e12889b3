// What expose's writes could clash with, read before any write: the Services whose addresses and node ports it asks
// for, and the namespace's ResourceQuotas.
import type { V1ResourceQuota, V1Service } from '@kubernetes/client-node';
import { orAbsent } from './absent.ts';
import { type Claims, claimsOf } from '../plan/claims.ts';
import { type Kube, listJson, namespaced, withRetry } from './client.ts';

/**
 * What the Services of the whole cluster hold (`everywhere`), or those of `namespace` only, for a user who may not
 * list Services everywhere.
 */
export async function serviceClaims(kube: Kube, namespace: string): Promise<{ claims: Claims[]; everywhere: boolean }> {
  const keep = (ns?: string) => (svc: V1Service) => claimsOf(svc, ns);
  const all = withRetry(kube, 'list services in all namespaces', () =>
    listJson<V1Service, Claims | undefined>(kube, '/api/v1/services', {}, keep()),
  );
  const everywhere = await orAbsent(all, [403], () => undefined);
  if (everywhere) return { claims: everywhere.items.filter((c) => c !== undefined), everywhere: true };
  const here = await withRetry(kube, `list services in namespace "${namespace}"`, () =>
    listJson<V1Service, Claims | undefined>(kube, namespaced(namespace, 'services'), {}, keep(namespace)),
  );
  return { claims: here.items.filter((c) => c !== undefined), everywhere: false };
}

/** The namespace's ResourceQuotas; none for a user who may not list them (the API server still enforces them). */
export async function resourceQuotas(kube: Kube): Promise<V1ResourceQuota[]> {
  const list = withRetry(kube, `list resourcequotas in namespace "${kube.namespace}"`, () =>
    listJson<V1ResourceQuota>(kube, namespaced(kube.namespace, 'resourcequotas'), {}),
  );
  return orAbsent(
    list.then((l) => l.items),
    [403],
    () => [],
  );
}
