// The addresses behind an endpoint: of a node, of a load balancer, and whether a pod is Ready.
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';

export const podReady = (pod: V1Pod | undefined) =>
  !!pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** The address a client outside the cluster would use for a node: external first. */
export function nodeAddress(node: V1Node | undefined): string | undefined {
  const addrs = node?.status?.addresses ?? [];
  return (addrs.find((a) => a.type === 'ExternalIP') ?? addrs.find((a) => a.type === 'InternalIP'))?.address;
}

export function lbAddress(svc: V1Service | undefined): string | undefined {
  const ingress = svc?.status?.loadBalancer?.ingress?.[0];
  return ingress?.ip ?? ingress?.hostname;
}

/** Every address a Service's load balancer shows. */
export const lbAddresses = (svc: V1Service | undefined): string[] =>
  (svc?.status?.loadBalancer?.ingress ?? []).flatMap((i) => {
    const address = i.ip ?? i.hostname;
    return address ? [address] : [];
  });
