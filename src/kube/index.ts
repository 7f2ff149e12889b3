// The kube layer: the only code that talks to the API server. Loaded on demand (see load.ts), so --help and usage
// errors never pay for HTTP, TLS and credentials.
export { connect } from './client.ts';
export { getStatefulSet, namespaceNames, statefulSetNames } from './statefulset.ts';
export { listNodes, listPods } from './pod.ts';
export { applyAll, deleteService, disown, listServices, replacePorts, watchServices } from './service.ts';
export { readInventory } from './inventory.ts';
export { addressPools, clusterFacts } from './load-balancer.ts';
export { resourceQuotas, serviceClaims } from './claims.ts';
export { readWarnings } from './events.ts';
export { applyConfigMap, deleteConfigMap, getConfigMap } from './configmap.ts';
