// One ordinal of an exposed StatefulSet, as facts: its pod, its Service and where that Service answers. The expose
// table, the status table and status -o json|yaml all show this model; render/ turns the facts into text.
import type { V1LoadBalancerIngress, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { lbAddress, nodeAddress, podReady } from './endpoint.ts';
import { hostnameOf } from './dns.ts';
import { configMapAnnotation } from './endpoints-configmap.ts';
import { requestedAddress } from './load-balancer.ts';
import { nameOf, uidOf } from './meta.ts';

/** A port a client reaches: the Service port's name and number, and the port to dial (the node port, for NodePort). */
export interface EndpointPort {
  name?: string;
  servicePort: number;
  port: number;
}

/** Where a Service answers: an address and its ports. */
interface Endpoint {
  host: string;
  ports: EndpointPort[];
}

interface ExposedService {
  name: string;
  uid: string;
  type: string;
  clusterIP?: string;
  /** The node ports, in the order of the Service's ports; empty where none are allocated. */
  nodePorts: number[];
  externalTrafficPolicy?: string;
  ingress: V1LoadBalancerIngress[];
  /** The address the Service asked its load balancer for (--load-balancer-ip), if it asked. */
  requested?: string;
  /** The DNS name external-dns publishes for it (--hostname), if any: clients use it rather than the address. */
  hostname?: string;
  /** The ConfigMap its endpoint is published in (--publish-configmap), if any. */
  configMap?: string;
  /** Undefined while a load balancer has no address, or while the node's address is unknown. */
  endpoint?: Endpoint;
}

/** How a member is reached in the Gateway mode: its route, the Gateway and listener, and whether it is attached. */
interface RouteExposure {
  kind: string;
  name: string;
  /** `namespace/name/listener`. */
  gateway: string;
  accepted: boolean;
  /** Why it is not attached, as the Gateway's controller says. */
  reason?: string;
}

export interface Exposure {
  namespace: string;
  statefulSet: string;
  ordinal: number;
  pod: string;
  /** The pod's node, if it is scheduled. */
  node?: string;
  /** The pod's Ready condition; false when the pod does not exist. */
  ready: boolean;
  /** The Service type; for an ordinal without a Service, that of its StatefulSet's other Services. */
  type?: string;
  /** Undefined when the ordinal has no Service. */
  service?: ExposedService;
  /** In the Gateway mode: the member's route; its endpoint is then the Gateway's, once the route is attached. */
  route?: RouteExposure;
}

/** Where a client reaches the Service: the load balancer's address, the pod's node (NodePort), or the cluster IP. */
function endpointOf(svc: V1Service, node: V1Node | undefined): Endpoint | undefined {
  const ports = svc.spec?.ports ?? [];
  const servicePorts = ports.map((p) => ({ name: p.name, servicePort: p.port, port: p.port }));
  switch (svc.spec?.type) {
    case 'LoadBalancer': {
      const host = lbAddress(svc);
      return host ? { host, ports: servicePorts } : undefined;
    }
    case 'NodePort': {
      const host = nodeAddress(node);
      const nodePorts = ports.flatMap((p) =>
        p.nodePort === undefined ? [] : [{ name: p.name, servicePort: p.port, port: p.nodePort }],
      );
      return host && nodePorts.length ? { host, ports: nodePorts } : undefined;
    }
    default: {
      const host = svc.spec?.clusterIP;
      return host && host !== 'None' ? { host, ports: servicePorts } : undefined;
    }
  }
}

function exposedService(svc: V1Service, node: V1Node | undefined): ExposedService {
  return {
    name: nameOf(svc),
    uid: uidOf(svc),
    type: svc.spec?.type ?? 'ClusterIP',
    clusterIP: svc.spec?.clusterIP,
    nodePorts: (svc.spec?.ports ?? []).flatMap((p) => (p.nodePort === undefined ? [] : [p.nodePort])),
    externalTrafficPolicy: svc.spec?.externalTrafficPolicy,
    ingress: svc.status?.loadBalancer?.ingress ?? [],
    requested: svc.spec?.type === 'LoadBalancer' ? requestedAddress(svc) : undefined,
    hostname: hostnameOf(svc),
    configMap: svc.metadata?.annotations?.[configMapAnnotation],
    endpoint: endpointOf(svc, node),
  };
}

/** The ordinal of a StatefulSet (named by `at`), with its pod as listed and its Service, if it has one. */
export function exposureOf(
  at: { namespace: string; statefulSet: string; ordinal: number; pod: string },
  svc: V1Service | undefined,
  pod: V1Pod | undefined,
  nodes: Map<string, V1Node>,
): Exposure {
  const node = pod?.spec?.nodeName;
  const service = svc && exposedService(svc, node ? nodes.get(node) : undefined);
  return { ...at, node, ready: podReady(pod), type: service?.type, service };
}
