// Which load-balancer implementation serves the cluster, and how a Service asks it for a given address: each takes
// it its own way. Pure: the facts (API groups served, a node's providerID) are read by the kube layer.
import { CommandError } from '../errors.ts';
import { isIP } from 'node:net';

export const providers = ['metallb', 'cilium', 'kube-vip', 'gke', 'aks', 'aws', 'generic'] as const;
export type Provider = (typeof providers)[number];

export interface ClusterFacts {
  /** API groups the server serves (discovery). */
  groups: string[];
  /** A node's spec.providerID (`aws:///eu-west-1a/i-…`, `gce://project/zone/name`, `azure:///subscriptions/…`). */
  providerID?: string;
}

/**
 * The implementation, from what the cluster shows: an in-cluster load balancer's CRDs first (they serve Services
 * even on a cloud), then the cloud the nodes run on; `generic` when nothing is known.
 */
export function detectProvider(facts: ClusterFacts): Provider {
  if (facts.groups.includes('metallb.io')) return 'metallb';
  if (facts.groups.includes('cilium.io')) return 'cilium';
  const cloud = /^(\w+):\/\//.exec(facts.providerID ?? '')?.[1];
  if (cloud === 'aws') return 'aws';
  if (cloud === 'gce') return 'gke';
  if (cloud === 'azure') return 'aks';
  return 'generic';
}

/** The cloud the nodes run on, whatever load balancer runs in the cluster: what --internal depends on. */
function detectCloud(facts: ClusterFacts): Provider {
  return detectProvider({ groups: [], providerID: facts.providerID });
}

/** Who serves the Services (for addresses and sharing) and which cloud they run on (for --internal). */
export interface LoadBalancerOf {
  provider: Provider;
  cloud: Provider;
}

/** `--load-balancer-provider` wins; otherwise what the cluster shows. */
export function loadBalancerOf(named: Provider | undefined, facts: ClusterFacts): LoadBalancerOf {
  return { provider: named ?? detectProvider(facts), cloud: named ?? detectCloud(facts) };
}

/** The annotations that make a cloud's load balancer internal (reachable only from its network). */
export function internalRequest(cloud: Provider): Record<string, string> | CommandError {
  switch (cloud) {
    case 'aws':
      // The AWS Load Balancer Controller reads the scheme; the cloud provider's own controller, the older annotation.
      return {
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
        'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
      };
    case 'gke':
      return { 'networking.gke.io/load-balancer-type': 'Internal' };
    case 'aks':
      return { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' };
    default:
      return new CommandError(
        `--internal knows the internal load balancers of AWS, GKE and AKS (found from the nodes' providerID, or named ` +
          `with --load-balancer-provider); ${cloud === 'generic' ? 'this cluster runs on none of them' : `${cloud} has none`}: ` +
          'give the annotation your load balancer takes with --annotations',
      );
  }
}

/** How a Service asks for an address: an annotation, or spec.loadBalancerIP (deprecated in Kubernetes, still read). */
export type AddressRequest = { annotation: string } | { spec: true };

const annotations: Partial<Record<Provider, string>> = {
  metallb: 'metallb.io/loadBalancerIPs',
  cilium: 'lbipam.cilium.io/ips',
  'kube-vip': 'kube-vip.io/loadbalancerIPs',
  aks: 'service.beta.kubernetes.io/azure-load-balancer-ipv4',
};

/** The request for `provider`, or why it cannot be made. */
export function addressRequest(provider: Provider, ip: string): AddressRequest | CommandError {
  if (provider === 'aws') {
    return new CommandError(
      'AWS load balancers take Elastic IP allocations, not addresses: give each ordinal its allocation with ' +
        "--annotations 'service.beta.kubernetes.io/aws-load-balancer-eip-allocations={eipalloc-…,eipalloc-…}' " +
        '(a Network Load Balancer, one per ordinal in ordinal order) instead of --load-balancer-ip',
    );
  }
  if (provider === 'aks' && ip.includes(':'))
    return { annotation: 'service.beta.kubernetes.io/azure-load-balancer-ipv6' };
  const annotation = annotations[provider];
  return annotation ? { annotation } : { spec: true };
}

/**
 * How Services ask to share one address, for the implementations that can: a key the Services have in common. Clouds
 * give each load balancer an address of its own.
 */
export function sharingRequest(provider: Provider, key: string): { annotation: string; value: string } | CommandError {
  const [metallb, cilium] = sharingAnnotations;
  if (provider === 'metallb') return { annotation: metallb, value: key };
  if (provider === 'cilium') return { annotation: cilium, value: key };
  return new CommandError(
    `--shared-address needs a load balancer that shares addresses between Services (MetalLB or Cilium); ` +
      `${provider === 'generic' ? 'this cluster' : provider} gives each its own: drop --shared-address (and pin each ` +
      `member's address with --load-balancer-ip), or use --type NodePort`,
  );
}

/** Every annotation by which some load balancer takes a requested address: --load-balancer-ip sets them. */
export const addressAnnotations = [
  ...Object.values(annotations),
  'service.beta.kubernetes.io/azure-load-balancer-ipv6',
] as string[];

/** Every annotation by which some load balancer shares an address: --shared-address sets them. */
export const sharingAnnotations = ['metallb.io/allow-shared-ip', 'lbipam.cilium.io/sharing-key'];

/** The address a Service asked for, whichever way it asked. */
interface V1ServiceLike {
  metadata?: { annotations?: Record<string, string> };
  spec?: { loadBalancerIP?: string };
}

export function requestedAddress(svc: V1ServiceLike): string | undefined {
  const a = svc.metadata?.annotations ?? {};
  return addressAnnotations.map((k) => a[k]).find(Boolean) ?? svc.spec?.loadBalancerIP;
}

/** The addresses a Service asked for, one by one (an annotation may list two, one per family). */
export const requestedAddresses = (svc: V1ServiceLike): string[] =>
  (requestedAddress(svc) ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);

/** A MetalLB IPAddressPool, as far as addresses go: `spec.addresses` holds CIDRs and `A-B` ranges. */
export interface AddressPool {
  name: string;
  addresses: string[];
  /** MetalLB gives out no address ending in .0 or .255 from such a pool (some old routers drop them). */
  avoidBuggyIPs?: boolean;
}

/** An IPv4 address as the number it is (for ranges and CIDRs), or undefined for anything else. */
export const v4 = (ip: string): number | undefined =>
  /^\d+\.\d+\.\d+\.\d+$/.test(ip) ? ip.split('.').reduce((n, o) => n * 256 + Number(o), 0) : undefined;

/** The IPv4 address a number is. */
export const v4Text = (n: number): string => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** Whether a pool entry (a CIDR or a range) holds the IPv4 address; IPv6 entries hold none. */
function inEntry(ip: number, entry: string): boolean {
  const cidr = /^([\d.]+)\/(\d+)$/.exec(entry);
  const range = /^([\d.]+)\s*-\s*([\d.]+)$/.exec(entry);
  if (cidr) {
    const size = 2 ** (32 - Number(cidr[2]));
    const base = v4(cidr[1]) ?? Number.NaN;
    return ip >= base - (base % size) && ip < base - (base % size) + size;
  }
  if (range) return ip >= (v4(range[1]) ?? Number.NaN) && ip <= (v4(range[2]) ?? Number.NaN);
  return false;
}

/** The first requested address that no pool holds, as an error line; IPv6 addresses are not checked. */
export function poolProblem(ips: { ip: string; ordinal: number }[], pools: AddressPool[]): string | undefined {
  for (const { ip, ordinal } of ips) {
    const n = v4(ip);
    if (n === undefined) continue;
    const holding = pools.filter((p) => p.addresses.some((e) => inEntry(n, e)));
    const buggy = n % 256 === 0 || n % 256 === 255;
    if (holding.some((p) => !(buggy && p.avoidBuggyIPs))) continue;
    if (holding.length)
      return `address ${ip} (for ordinal ${ordinal}) ends in .${n % 256}, which MetalLB's pool ${holding[0].name} does not give out (avoidBuggyIPs)`;
    const known = pools.map((p) => `${p.name}: ${p.addresses.join(', ')}`).join('; ');
    return `address ${ip} (for ordinal ${ordinal}) is in none of MetalLB's address pools (${known || 'there are none'})`;
  }
  return undefined;
}

/**
 * A requested address of a family its Service does not have (an IPv6 address for an IPv4 Service), which the load
 * balancer drops after the write (MetalLB clears the Service's addresses): `families` is spec.ipFamilies as the API
 * server's dry run of the write gives it.
 */
export function familyProblem(
  members: { ordinal: number; name: string; service: V1ServiceLike; families: string[] }[],
): string | undefined {
  for (const m of members) {
    for (const ip of requestedAddresses(m.service)) {
      const family = isIP(ip) === 6 ? 'IPv6' : isIP(ip) === 4 ? 'IPv4' : undefined;
      if (!family || !m.families.length || m.families.includes(family)) continue;
      return `address ${ip} (for ordinal ${m.ordinal}) is ${family}, and service "${m.name}" is ${m.families.join(' and ')} only (spec.ipFamilies): ask for ${m.families[0]} addresses`;
    }
  }
  return undefined;
}
