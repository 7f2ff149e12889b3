// The Services whose addresses and node ports expose's would clash with, read before any write when expose asks for
// given ones.
import type { V1Service } from '@kubernetes/client-node';
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
