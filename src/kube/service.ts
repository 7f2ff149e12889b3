// Services: one LIST, server-side apply, and one watch to wait for load-balancer addresses.
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import { nameOf } from '../plan/meta.ts';
import { fieldManager } from '../plan/ownership.ts';
import { applyObject, deleteListed, listJson, namespaced, requestJson, withRetry, type Kube } from './client.ts';
import { openWatch, type OpenWatch, withoutManagedFields } from './watch.ts';

export async function listServices(
  kube: Kube,
  labelSelector?: string,
): Promise<{ items: V1Service[]; resourceVersion: string }> {
  const list = await withRetry(kube, `list services in namespace "${kube.namespace}"`, () =>
    listJson<V1Service>(kube, namespaced(kube.namespace, 'services'), { labelSelector }),
  );
  return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
}

/** Server-side apply (client.ts's applyObject), the answer kept without its managedFields. */
async function applyService(kube: Kube, body: V1Service, dryRun: boolean): Promise<V1Service> {
  const name = nameOf(body);
  const path = namespaced(kube.namespace, 'services', name);
  return withoutManagedFields(
    await applyObject(kube, path, body, `service "${name}" in namespace "${kube.namespace}"`, dryRun),
  );
}

/**
 * Taking over a Service: apply merges `ports` by port and protocol, so ports another manager set would stay beside
 * ours (and unnamed ones make the Service invalid). Replacing the list first makes the adopted Service exactly ours.
 */
export async function replacePorts(
  kube: Kube,
  name: string,
  ports: V1ServicePort[] | undefined,
  dryRun: boolean,
): Promise<void> {
  await withRetry(kube, `replace the ports of service "${name}" in namespace "${kube.namespace}"`, () =>
    requestJson<V1Service>(kube, 'PATCH', namespaced(kube.namespace, 'services', name), {
      query: { fieldManager, dryRun: dryRun ? 'All' : undefined },
      body: [{ op: 'replace', path: '/spec/ports', value: ports }],
      contentType: 'application/json-patch+json',
    }),
  );
}

/**
 * Makes a Service expose-sts's alone after it took it over (--adopt) or restored it: the field managers of whoever
 * made or edited it keep owning the fields they set to the values it applies too, and status would call the Service
 * Modified by them for good. Their entries go (those of the status subresource stay: a load balancer's).
 */
export async function disown(kube: Kube, name: string): Promise<void> {
  const path = namespaced(kube.namespace, 'services', name);
  const what = `take the fields of service "${name}" in namespace "${kube.namespace}"`;
  const svc = await withRetry(kube, what, () => requestJson<V1Service>(kube, 'GET', path));
  const entries = svc.metadata?.managedFields ?? [];
  const kept = entries.filter((m) => m.manager === fieldManager || m.subresource);
  if (kept.length === entries.length) return;
  await withRetry(kube, what, () =>
    requestJson<V1Service>(kube, 'PATCH', path, {
      query: { fieldManager },
      body: [{ op: 'replace', path: '/metadata/managedFields', value: kept }],
      contentType: 'application/json-patch+json',
    }),
  );
}

/** Told when each write is sent and when it is answered: between the two, a write may or may not have happened. */
interface ApplyProgress {
  sent(i: number): void;
  applied(i: number): void;
}

/** Applies with at most `limit` requests in flight: fast for 100 pods, gentle on API priority and fairness. */
export async function applyAll(
  kube: Kube,
  bodies: V1Service[],
  dryRun: boolean,
  progress?: ApplyProgress,
  limit = 8,
): Promise<V1Service[]> {
  const results: V1Service[] = new Array(bodies.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    // After a failure no new write starts: the command reports it and ends, and a re-run repairs what is left.
    while (next < bodies.length && !failed) {
      const i = next++;
      progress?.sent(i);
      try {
        results[i] = await applyService(kube, bodies[i], dryRun);
      } catch (err) {
        failed = true;
        throw err;
      }
      progress?.applied(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, bodies.length) }, worker));
  return results;
}

/** Deletes a Service only if it is still the one that was listed (same uid): see deleteListed. */
export const deleteService = (kube: Kube, namespace: string, name: string, uid: string, dryRun: boolean) =>
  deleteListed(kube, 'services', namespace, name, uid, dryRun);

/**
 * A watch on the namespace's Services matching the selector, from the version of the LIST the plan was made from:
 * one watch for all addresses, never a poll. Opened before any write (see watch.ts).
 */
export function watchServices(
  kube: Kube,
  labelSelector: string,
  resourceVersion: string,
): Promise<OpenWatch<V1Service>> {
  return openWatch<V1Service>(kube, {
    what: `watch services in namespace "${kube.namespace}"`,
    path: namespaced(kube.namespace, 'services'),
    labelSelector,
    resourceVersion,
    relist: () => listServices(kube, labelSelector),
    shown: withoutManagedFields,
  });
}
