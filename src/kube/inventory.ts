// What status and prune need, in a fixed number of LISTs whatever the number of StatefulSets: managed Services,
// StatefulSets and StatefulSet pods (three, in parallel), and nodes only when a NodePort endpoint needs an address.
import type { V1Node } from '@kubernetes/client-node';
import { managedSelector, podNameLabel } from '../plan/ownership.ts';
import type { Inventory } from '../plan/drift.ts';
import { withRetry, type Kube } from './client.ts';

export interface Scope {
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
  const [services, statefulSets, pods] = await Promise.all([
    withRetry(kube, `list services ${where}`, () => scope.allNamespaces
      ? kube.core.listServiceForAllNamespaces({ labelSelector })
      : kube.core.listNamespacedService({ namespace, labelSelector })),
    withRetry(kube, `list statefulsets.apps ${where}`, () => scope.allNamespaces
      ? kube.apps.listStatefulSetForAllNamespaces({ fieldSelector })
      : kube.apps.listNamespacedStatefulSet({ namespace, fieldSelector })),
    withRetry(kube, `list pods ${where}`, () => scope.allNamespaces
      ? kube.core.listPodForAllNamespaces({ labelSelector: podSelector })
      : kube.core.listNamespacedPod({ namespace, labelSelector: podSelector })),
  ]);
  let nodes: V1Node[] = [];
  if (services.items.some((s) => s.spec?.type === 'NodePort')) {
    const { listNodes } = await import('./pod.ts');
    nodes = [...(await listNodes(kube)).values()];
  }
  // Lists across namespaces carry each item's namespace; namespaced lists may not.
  for (const list of [services.items, statefulSets.items, pods.items]) {
    for (const item of list) item.metadata!.namespace ??= namespace;
  }
  return { services: services.items, statefulSets: statefulSets.items, pods: pods.items, nodes };
}
