// The ConfigMap of endpoints (--publish-configmap): read before any write (it must be expose-sts's own or absent),
// applied once the addresses are in, listed for status and prune (also those no Service publishes to any more).
import type { V1ConfigMap } from '@kubernetes/client-node';
import { orAbsent } from './absent.ts';
import { applyObject, deleteListed, type Kube, listJson, namespaced, requestJson, withRetry } from './client.ts';

export async function getConfigMap(kube: Kube, name: string): Promise<V1ConfigMap | undefined> {
  const read = withRetry(kube, `get configmap "${name}" in namespace "${kube.namespace}"`, () =>
    requestJson<V1ConfigMap>(kube, 'GET', namespaced(kube.namespace, 'configmaps', name)),
  );
  // Only a missing one is absent: one this user may not read could not be written either.
  return orAbsent(read, [404], () => undefined);
}

/**
 * Server-side apply, as the Services: it follows scaling and address changes, and leaves others' fields alone. A server
 * dry run with `dryRun`; the answer.
 */
export function applyConfigMap(kube: Kube, body: V1ConfigMap, dryRun = false): Promise<V1ConfigMap> {
  const name = body.metadata?.name ?? '';
  const path = namespaced(kube.namespace, 'configmaps', name);
  return applyObject(kube, path, body, `configmap "${name}" in namespace "${kube.namespace}"`, dryRun);
}

/**
 * The ConfigMaps expose-sts manages that match the label selector, in the namespace or in all. Reading them is
 * optional permission: without it, `forbidden` (the caller says what is left undone, if anything is) and no items.
 */
export async function listConfigMaps(
  kube: Kube,
  labelSelector: string,
  allNamespaces: boolean,
): Promise<{ items: V1ConfigMap[]; forbidden?: string }> {
  const where = allNamespaces ? 'in all namespaces' : `in namespace "${kube.namespace}"`;
  const path = allNamespaces ? '/api/v1/configmaps' : namespaced(kube.namespace, 'configmaps');
  const list = withRetry(kube, `list configmaps ${where}`, () => listJson<V1ConfigMap>(kube, path, { labelSelector }));
  const listed = list.then((l) => {
    for (const cm of l.items) if (cm.metadata) cm.metadata.namespace ??= kube.namespace;
    return { items: l.items } as { items: V1ConfigMap[]; forbidden?: string };
  });
  return orAbsent(listed, [403], (err) => {
    kube.log(6, `cannot list configmaps ${where}: ${err.message}`);
    return { items: [], forbidden: `cannot list configmaps ${where}` };
  });
}

export const deleteConfigMap = (kube: Kube, namespace: string, name: string, uid: string, dryRun: boolean) =>
  deleteListed(kube, 'configmaps', namespace, name, uid, dryRun);
