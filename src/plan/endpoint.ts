// Where each per-pod Service answers, as the table and -o wide show it (../shared/conventions.md, Output).
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';

export interface Row {
  ordinal: number;
  pod: string;
  service: string;
  type: string;
  endpoint: string;
  /** The pod's Ready condition; false when the pod does not exist. */
  ready: boolean;
  /** A LoadBalancer still waiting for its address. */
  pending: boolean;
  node: string;
  clusterIP: string;
  nodePorts: string;
  policy: string;
}

export const podReady = (pod: V1Pod | undefined) => !!pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** The address a client outside the cluster would use for a node: external first. */
export function nodeAddress(node: V1Node | undefined): string | undefined {
  const addrs = node?.status?.addresses ?? [];
  return (addrs.find((a) => a.type === 'ExternalIP') ?? addrs.find((a) => a.type === 'InternalIP'))?.address;
}

export function lbAddress(svc: V1Service): string | undefined {
  const ingress = svc.status?.loadBalancer?.ingress?.[0];
  return ingress?.ip ?? ingress?.hostname;
}

export function endpointOf(svc: V1Service, pod: V1Pod | undefined, node: V1Node | undefined): string {
  const ports = svc.spec?.ports ?? [];
  const list = (values: (number | undefined)[]) => values.filter((v) => v !== undefined).join(',');
  switch (svc.spec?.type) {
    case 'LoadBalancer': {
      const host = lbAddress(svc);
      return host ? `${host}:${list(ports.map((p) => p.port))}` : '<pending>';
    }
    case 'NodePort': {
      const addr = nodeAddress(node);
      const nodePorts = list(ports.map((p) => p.nodePort));
      return addr && nodePorts ? `${addr}:${nodePorts}` : '<none>';
    }
    default:
      return svc.spec?.clusterIP && svc.spec.clusterIP !== 'None' ? `${svc.spec.clusterIP}:${list(ports.map((p) => p.port))}` : '<none>';
  }
}

export function rowOf(ordinal: number, podName: string, svc: V1Service, pod: V1Pod | undefined, nodes: Map<string, V1Node>): Row {
  const nodeName = pod?.spec?.nodeName;
  const node = nodeName ? nodes.get(nodeName) : undefined;
  const nodePorts = (svc.spec?.ports ?? []).map((p) => p.nodePort).filter((n) => n !== undefined);
  return {
    ordinal,
    pod: podName,
    service: svc.metadata!.name!,
    type: svc.spec?.type ?? 'ClusterIP',
    endpoint: endpointOf(svc, pod, node),
    ready: podReady(pod),
    pending: svc.spec?.type === 'LoadBalancer' && !lbAddress(svc),
    node: nodeName ?? '<none>',
    clusterIP: svc.spec?.clusterIP ?? '<none>',
    nodePorts: nodePorts.length ? nodePorts.join(',') : '<none>',
    policy: svc.spec?.externalTrafficPolicy ?? '<none>',
  };
}
