// What other Services already hold that expose would claim: load-balancer addresses (had or asked for) and node
// ports. Pure: the kube layer lists the Services.
import type { V1Service } from '@kubernetes/client-node';
import { requestedAddress } from './load-balancer.ts';
import { nameOf, namespaceOf } from './meta.ts';

export interface Claims {
  namespace: string;
  name: string;
  addresses: string[];
  nodePorts: number[];
}

/** What a Service holds; undefined for one that can hold neither (ClusterIP, ExternalName). */
export function claimsOf(svc: V1Service, namespace = namespaceOf(svc)): Claims | undefined {
  const type = svc.spec?.type;
  if (type !== 'LoadBalancer' && type !== 'NodePort') return undefined;
  return {
    namespace,
    name: nameOf(svc),
    addresses: [
      ...(svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : [])),
      ...(requestedAddress(svc)?.split(',') ?? []).map((a) => a.trim()),
    ],
    nodePorts: (svc.spec?.ports ?? []).flatMap((p) => (p.nodePort === undefined ? [] : [p.nodePort])),
  };
}

/** What one of the Services to write claims. */
export interface Wanted {
  namespace: string;
  name: string;
  ordinal: number;
  address?: string;
  nodePorts: number[];
}

/**
 * The first claim a Service other than those being written holds, as an error line: they may keep what they have,
 * and trade it among themselves (a shared address).
 */
export function takenProblem(wanted: Wanted[], held: Claims[]): string | undefined {
  const others = held.filter((h) => !wanted.some((w) => h.namespace === w.namespace && h.name === w.name));
  for (const w of wanted) {
    const { address: ip } = w;
    const address = ip && others.find((h) => h.addresses.includes(ip));
    if (address)
      return `address ${ip} (for ordinal ${w.ordinal}) is taken by service ${address.namespace}/${address.name}: choose another, or free it first`;
    for (const port of w.nodePorts) {
      const holder = others.find((h) => h.nodePorts.includes(port));
      if (holder)
        return `node port ${port} (for ordinal ${w.ordinal}) is taken by service ${holder.namespace}/${holder.name}: choose another, or free it first`;
    }
  }
  return undefined;
}
