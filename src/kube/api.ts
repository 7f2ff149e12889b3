// The API as commands use it: every operation bound to the one connection main completes, so a command says
// `api.listServices()` and never which connection. What the connection is (kubeconfig, credentials, transport) stays
// in client.ts; what each kind of object's requests are stays in its own file.
import { connect, type Kube } from './client.ts';
import { resourceQuotas, serviceClaims } from './claims.ts';
import { applyConfigMap, deleteConfigMap, getConfigMap } from './configmap.ts';
import { readWarnings } from './events.ts';
import { followInventory } from './follow.ts';
import {
  applyGateway,
  applyRoute,
  deleteGatewayObject,
  gatewayApi,
  gatewayClassExists,
  gatewayNames,
  getGateway,
  listRoutes,
  watchGateway,
  watchRoutes,
} from './gateway.ts';
import { readInventory } from './inventory.ts';
import { addressPools, clusterFacts } from './load-balancer.ts';
import { listNodes, listPods } from './pod.ts';
import { applyAll, deleteService, disown, listServices, replacePorts, watchServices } from './service.ts';
import { getStatefulSet, namespaceNames, statefulSetNames } from './statefulset.ts';

const operations = {
  addressPools,
  applyAll,
  applyConfigMap,
  applyGateway,
  applyRoute,
  clusterFacts,
  deleteConfigMap,
  deleteGatewayObject,
  deleteService,
  disown,
  followInventory,
  gatewayApi,
  gatewayClassExists,
  gatewayNames,
  getConfigMap,
  getGateway,
  getStatefulSet,
  listRoutes,
  listNodes,
  listPods,
  listServices,
  namespaceNames,
  readInventory,
  readWarnings,
  replacePorts,
  resourceQuotas,
  serviceClaims,
  statefulSetNames,
  watchGateway,
  watchRoutes,
  watchServices,
};

type Operations = typeof operations;
type BoundTo<F> = F extends (kube: Kube, ...args: infer A) => infer R ? (...args: A) => R : never;

/** The operations without their first argument, and what commands read of the connection itself. */
export type Api = { readonly [K in keyof Operations]: BoundTo<Operations[K]> } & Pick<
  Kube,
  'namespace' | 'log' | 'warnings'
>;

function bind(kube: Kube): Api {
  const bound = Object.fromEntries(
    Object.entries(operations).map(([name, operation]) => [
      name,
      (...args: unknown[]) => (operation as (kube: Kube, ...rest: unknown[]) => unknown)(kube, ...args),
    ]),
  );
  return { ...bound, namespace: kube.namespace, log: kube.log, warnings: kube.warnings } as Api;
}

/** The connection the kubeconfig and the flags describe (client.ts), with the API bound to it. */
export const connectApi = (...args: Parameters<typeof connect>): Api => bind(connect(...args));
