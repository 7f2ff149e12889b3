// What status and prune need, in a fixed number of LISTs whatever the number of StatefulSets: managed Services,
// StatefulSets and StatefulSet pods (three, in parallel; with -A the pods once the Services name their namespaces),
// and nodes only when a NodePort endpoint needs an address.
import type { V1Node, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { managedSelector, podNameLabel } from '../plan/ownership.ts';
import type { Inventory } from '../plan/drift.ts';
import { appsV1, listJson, namespaced, withRetry, type Kube } from './client.ts';
import { listNodes, listPodsIn } from './pod.ts';

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
  const list = async <T>(resource: string, query: Record<string, string | undefined>, group?: string) =>
    withRetry(kube, `list ${resource}${group ? `.apps` : ''} ${where}`, () =>
      listJson<T>(kube, ns(resource, group), query),
    );
  // Pods are read per namespace, as Table rows (pod.ts): in one namespace alongside the rest; across all of them,
  // once the Services show which namespaces have exposed StatefulSets (a Table row has no namespace).
  const [services, statefulSets, podsHere] = await Promise.all([
    list<V1Service>('services', { labelSelector }),
    list<V1StatefulSet>('statefulsets', { fieldSelector }, appsV1),
    scope.allNamespaces ? undefined : listPodsIn(kube, namespace, podSelector),
  ]);
  const pods =
    podsHere ??
    (
      await Promise.all(
        [...new Set(services.items.map((s) => s.metadata?.namespace ?? namespace))].map((n) =>
          listPodsIn(kube, n, podSelector),
        ),
      )
    ).flat();
  let nodes: V1Node[] = [];
  if (services.items.some((s) => s.spec?.type === 'NodePort')) {
    nodes = [...(await listNodes(kube)).values()];
  }
  // Lists across namespaces carry each item's namespace; namespaced lists may not.
  for (const items of [services.items, statefulSets.items]) {
    for (const item of items) if (item.metadata) item.metadata.namespace ??= namespace;
  }
  return { services: services.items, statefulSets: statefulSets.items, pods, nodes };
}
