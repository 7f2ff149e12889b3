// What status and prune need, in a fixed number of LISTs whatever the number of StatefulSets: managed Services,
// StatefulSets, StatefulSet pods and managed ConfigMaps (four, in parallel; with -A the pods once the Services name
// their namespaces), and nodes only when a NodePort endpoint needs an address.
import type { V1ConfigMap, V1Node, V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { managedSelector } from '../plan/ownership.ts';
import type { Inventory } from '../plan/drift.ts';
import { appsV1, listJson, namespaced, withRetry, type Kube } from './client.ts';
import { listConfigMaps } from './configmap.ts';
import { listNodes, listPodsIn } from './pod.ts';
import { getStatefulSet } from './statefulset.ts';
import { readRoutes, type RoutesFollowed } from './gateway.ts';
import { routeKindsNamed } from '../plan/gateway.ts';

/** The Gateway mode's routes, only where a Service says it has one: other clusters pay no request for them. */
function routesOf(kube: Kube, services: V1Service[], labelSelector: string, allNamespaces: boolean) {
  const kinds = routeKindsNamed(services);
  if (!kinds.length) return undefined;
  const reading = readRoutes(kube, kinds, labelSelector, allNamespaces).then((r) => {
    if (r.forbidden) kube.log(0, `warning: ${r.forbidden}: routes show as the Services alone say`);
    return r;
  });
  reading.catch(() => undefined); // thrown where awaited
  return reading;
}

interface Scope {
  allNamespaces: boolean;
  statefulSet?: string;
}

/**
 * The inventory, with the managed ConfigMaps (published ones, and those no Service publishes to any more) and, when
 * they may not be listed, what says so. A StatefulSet named that is neither there nor exposed is kubectl get's
 * NotFound (the GET's own error).
 */
export async function readInventory(
  kube: Kube,
  scope: Scope,
): Promise<
  Inventory & {
    configMaps: V1ConfigMap[];
    configMapsForbidden?: string;
    routesFollowed?: RoutesFollowed;
    routesForbidden?: string;
  }
> {
  const where = scope.allNamespaces ? 'in all namespaces' : `in namespace "${kube.namespace}"`;
  const namespace = kube.namespace;
  const labelSelector = managedSelector(scope.statefulSet);
  const fieldSelector = scope.statefulSet ? `metadata.name=${scope.statefulSet}` : undefined;
  const ns = (resource: string, group = '/api/v1') =>
    scope.allNamespaces ? `${group}/${resource}` : namespaced(namespace, resource, undefined, group);
  // Pods are read per namespace, as Table rows (pod.ts): in one namespace alongside the rest; across all of them, for
  // each namespace as soon as a page of Services shows one has exposed StatefulSets (a Table row has no namespace).
  const podLists = new Map<string, Promise<V1Pod[]>>();
  const podsOf = (n: string) => {
    if (podLists.has(n)) return;
    const listing = listPodsIn(kube, n);
    listing.catch(() => undefined); // thrown where awaited, after the Services' own error if there is one
    podLists.set(n, listing);
  };
  if (!scope.allNamespaces) podsOf(namespace);
  const [services, statefulSets, configMaps] = await Promise.all([
    withRetry(kube, `list services ${where}`, () =>
      listJson<V1Service>(kube, ns('services'), { labelSelector }, (svc) => {
        if (scope.allNamespaces && svc.metadata?.namespace) podsOf(svc.metadata.namespace);
        return svc;
      }),
    ),
    withRetry(kube, `list statefulsets.apps ${where}`, () =>
      listJson<V1StatefulSet>(kube, ns('statefulsets', appsV1), { fieldSelector }),
    ),
    listConfigMaps(kube, labelSelector, scope.allNamespaces),
  ]);
  if (scope.statefulSet && !services.items.length && !statefulSets.items.length && !configMaps.items.length)
    await getStatefulSet(kube, scope.statefulSet);
  const routing = routesOf(kube, services.items, labelSelector, scope.allNamespaces);
  const pods = (await Promise.all(podLists.values())).flat();
  let nodes: V1Node[] = [];
  if (services.items.some((s) => s.spec?.type === 'NodePort')) {
    nodes = [...(await listNodes(kube)).values()];
  }
  // Lists across namespaces carry each item's namespace; namespaced lists may not.
  for (const items of [services.items, statefulSets.items]) {
    for (const item of items) if (item.metadata) item.metadata.namespace ??= namespace;
  }
  const routed = await routing;
  return {
    routes: routed?.forbidden ? undefined : routed?.routes,
    gateways: routed?.gateways,
    routesFollowed: routed?.forbidden ? undefined : routed?.followed,
    routesForbidden: routed?.forbidden,
    services: services.items,
    statefulSets: statefulSets.items,
    pods,
    nodes,
    configMaps: configMaps.items,
    configMapsForbidden: configMaps.forbidden,
  };
}
