// What status and prune need, in a fixed number of LISTs whatever the number of StatefulSets: managed Services,
// StatefulSets and StatefulSet pods (three, in parallel), and nodes only when a NodePort endpoint needs an address.
import type { V1Node, V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { managedSelector, podNameLabel } from '../plan/ownership.ts';
import type { Inventory } from '../plan/drift.ts';
import { appsV1, listJson, namespaced, withRetry, type Kube } from './client.ts';
import { listNodes, slimPod } from './pod.ts';

interface Scope {
  allNamespaces: boolean;
  statefulSet?: string;
}

export async function readInventory(kube: Kube, scope: Scope): Promise<Inventory> {
  const where = scope.allNamespaces ? 'in all namespaces' : `in namespace "${kube.namespace}"`;
  const namespace = kube.namespace;
  const labelSelector = managedSelector(scope.statefulSet);
  const fieldSelector = scope.statefulSet ? `metadata.name=${scope.statefulSet}` : undefined;
  // Only pods made by a StatefulSet carry the pod-name label; the rest of the namespace is not read.
  const podSelector = podNameLabel;
  const ns = (resource: string, group = '/api/v1') =>
    scope.allNamespaces ? `${group}/${resource}` : namespaced(namespace, resource, undefined, group);
  const [services, statefulSets, pods] = await Promise.all([
    withRetry(kube, `list services ${where}`, () => listJson<V1Service>(kube, ns('services'), { labelSelector })),
    withRetry(kube, `list statefulsets.apps ${where}`, () =>
      listJson<V1StatefulSet>(kube, ns('statefulsets', appsV1), { fieldSelector }),
    ),
    withRetry(kube, `list pods ${where}`, () =>
      listJson<V1Pod>(kube, ns('pods'), { labelSelector: podSelector }, slimPod),
    ),
  ]);
  let nodes: V1Node[] = [];
  if (services.items.some((s) => s.spec?.type === 'NodePort')) {
    nodes = [...(await listNodes(kube)).values()];
  }
  // Lists across namespaces carry each item's namespace; namespaced lists may not.
  for (const list of [services.items, statefulSets.items, pods.items]) {
    for (const item of list) if (item.metadata) item.metadata.namespace ??= namespace;
  }
  return { services: services.items, statefulSets: statefulSets.items, pods: pods.items, nodes };
}
