// The kube layer: the only code that talks to the API server. Loaded on demand (see load.ts), so --help and usage
// errors never pay for the Kubernetes client.
export { connect, translate, type Kube } from './client.ts';
export { getStatefulSet } from './statefulset.ts';
export { listNodes, listPods } from './pod.ts';
export { applyAll, deleteService, listServices, replacePorts, watchServices } from './service.ts';
export { readInventory, type Scope } from './inventory.ts';
