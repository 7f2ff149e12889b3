// What expose's writes could clash with, read before any write: the Services whose addresses and node ports it asks
// for, and the namespace's ResourceQuotas.
import type { V1ResourceQuota, V1Service } from '@kubernetes/client-node';
import { httpStatusOf } from '../errors.ts';
import { type Claims, claimsOf } from '../plan/claims.ts';
import { type Kube, listJson, namespaced, withRetry } from './client.ts';

/**
 * What the Services of the whole cluster hold (`everywhere`), or those of `namespace` only, for a user who may not
 * list Services everywhere.
 */
export async function serviceClaims(kube: Kube, namespace: string): Promise<{ claims: Claims[]; everywhere: boolean }> {
  const keep = (ns?: string) => (svc: V1Service) => claimsOf(svc, ns);
  try {
    const all = await withRetry(kube, 'list services in all namespaces', () =>
      listJson<V1Service, Claims | undefined>(kube, '/api/v1/services', {}, keep()),
    );
    return { claims: all.items.filter((c) => c !== undefined), everywhere: true };
  } catch (err) {
    if (httpStatusOf(err) !== 403) throw err;
  }
  const here = await withRetry(kube, `list services in namespace "${namespace}"`, () =>
    listJson<V1Service, Claims | undefined>(kube, namespaced(namespace, 'services'), {}, keep(namespace)),
  );
  return { claims: here.items.filter((c) => c !== undefined), everywhere: false };
}

/** The namespace's ResourceQuotas; none for a user who may not list them (the API server still enforces them). */
export async function resourceQuotas(kube: Kube): Promise<V1ResourceQuota[]> {
  try {
    const list = await withRetry(kube, `list resourcequotas in namespace "${kube.namespace}"`, () =>
      listJson<V1ResourceQuota>(kube, namespaced(kube.namespace, 'resourcequotas'), {}),
    );
    return list.items;
  } catch (err) {
    if (httpStatusOf(err) === 403) return [];
    throw err;
  }
}
