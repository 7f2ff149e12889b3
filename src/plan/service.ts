// Desired per-pod Services from a StatefulSet and the expose options. Pure: the apply bodies the kube layer sends.
import type { V1Service, V1ServicePort, V1StatefulSet } from '@kubernetes/client-node';
import type { ExposeOptions } from './expose-options.ts';
import { CommandError, isCommandError } from '../errors.ts';
import { nameOf, uidOf } from './meta.ts';
import { dnsSubdomainProblem, labelValueProblem } from './names.ts';
import { dnsAnnotations } from './dns.ts';
import { routeAnnotation, routeKindOf } from './gateway.ts';
import { configMapAnnotation, configMapName } from './endpoints-configmap.ts';
import {
  addressRequest,
  internalRequest,
  type LoadBalancerOf,
  type Provider,
  sharingRequest,
} from './load-balancer.ts';
import { serviceNames } from './name-template.ts';
import { type OrdinalOf, type PerOrdinal, tooFewProblem, valueFor } from './per-ordinal.ts';
import { ordinals, podName } from './ordinal.ts';
import { ordinalLabel, ownedLabels, podNameLabel, statefulSetOwner } from './ownership.ts';
import { servicePorts, sharedPorts, withNodePorts } from './ports.ts';

export interface DesiredService {
  ordinal: number;
  pod: string;
  /** The Service's name (from --name-template), also in `service.metadata.name`. */
  name: string;
  service: V1Service;
  /** The member's DNS name (--hostname): on its Service for external-dns, or on its route in the Gateway mode. */
  hostname?: string;
}

/** Each key's value for one ordinal. */
const valuesFor = (values: Record<string, PerOrdinal>, at: OrdinalOf) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, valueFor(v, at)]));

/** What is wrong with the per-ordinal values for these ordinals: a list too short, a label value not valid. */
function valuesProblem(opts: ExposeOptions, at: OrdinalOf[]): string | undefined {
  for (const [flag, values] of [
    ['annotations', opts.annotations],
    ['labels', opts.labels],
  ] as const) {
    for (const [key, v] of Object.entries(values)) {
      const short = tooFewProblem(v, at.length);
      if (short) return `--${flag} ${key}="${v.text}": ${short}`;
      if (flag !== 'labels') continue;
      for (const o of at) {
        const problem = labelValueProblem(valueFor(v, o));
        if (problem)
          return `--labels ${key}="${v.text}" gives "${valueFor(v, o)}" for ordinal ${o.ordinal}, which is not a valid label value: it ${problem}`;
      }
    }
  }
  return undefined;
}

/** Each ordinal's DNS name from --hostname, or what is wrong with one; undefined without --hostname. */
function hostnames(opts: ExposeOptions, at: OrdinalOf[]): string[] | CommandError | undefined {
  const template = opts.hostname;
  if (!template) return undefined;
  const short = tooFewProblem(template, at.length);
  if (short) return new CommandError(`--hostname "${template.text}": ${short}`);
  const names = at.map((o) => valueFor(template, o));
  for (const [i, name] of names.entries()) {
    const problem =
      dnsSubdomainProblem(name) ??
      (name.split('.').some((l) => l.length > 63) ? 'must have labels of at most 63 characters' : undefined);
    if (problem)
      return new CommandError(
        `--hostname "${template.text}" gives "${name}" for ordinal ${at[i].ordinal}, which is not a valid DNS name: it ${problem}`,
      );
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  return twice
    ? new CommandError(`--hostname "${template.text}" gives "${twice}" to two ordinals: use {pod} or {ordinal} in it`)
    : names;
}

/** Why --endpoint-port names none of the Service's ports, if it does not. */
export function endpointPortProblem(
  endpointPort: string | undefined,
  ports: Pick<V1ServicePort, 'name' | 'port'>[],
): string | undefined {
  if (endpointPort === undefined || ports.some((p) => p.name === endpointPort || String(p.port) === endpointPort))
    return undefined;
  return `--endpoint-port ${endpointPort}: the Services have no such port (their ports: ${ports.map((p) => p.name ?? p.port).join(', ')})`;
}

/**
 * Why the number of addresses does not match the number of ordinals, if it does not. With --watch (`spares`), more
 * addresses than ordinals are the ones members a scale-up adds will take, in ordinal order.
 */
function addressCountProblem(ips: string[], at: OrdinalOf[], spares: boolean): CommandError | undefined {
  if (ips.length === at.length || (spares && ips.length > at.length)) return undefined;
  const range = `${at[0].ordinal}-${at[at.length - 1].ordinal}`;
  return new CommandError(
    ips.length > at.length
      ? `${ips.length} addresses for ${at.length} ordinal${at.length === 1 ? '' : 's'} (${range}): give one --load-balancer-ip per ordinal, in ordinal order`
      : `${ips.length} address${ips.length === 1 ? '' : 'es'} for ${at.length} ordinals (${range}): give ${at.length - ips.length} more with --load-balancer-ip`,
  );
}

/**
 * The address each ordinal asks for, as `provider` takes it, or what is wrong: too few addresses, or a provider that
 * takes none.
 */
function addressRequests(
  opts: ExposeOptions,
  at: OrdinalOf[],
  provider: Provider | undefined,
): (V1Service | undefined)[] | CommandError {
  // With a shared address, its one --load-balancer-ip is every ordinal's.
  const ips = opts.sharedAddress ? at.map(() => opts.loadBalancerIPs[0]).filter(Boolean) : opts.loadBalancerIPs;
  if (!ips.length) return at.map(() => undefined);
  const countProblem = addressCountProblem(ips, at, opts.watch);
  if (countProblem) return countProblem;
  const requests = at.map((o) => addressRequest(provider ?? 'generic', ips[o.index]));
  const refused = requests.find(isCommandError);
  if (refused) return refused;
  return requests.map((r, i) =>
    'annotation' in r
      ? { metadata: { annotations: { [r.annotation]: ips[i] } } }
      : { spec: { loadBalancerIP: ips[i] } },
  );
}

/** What every ordinal's Service is made from, worked out (and checked) for all of them before any is made. */
interface Parts {
  at: OrdinalOf[];
  names: string[];
  ports: V1ServicePort[][];
  addresses: (V1Service | undefined)[];
  sharing?: { annotation: string; value: string };
  internal: Record<string, string>;
  dnsNames?: string[];
}

/** The ports of each ordinal's Service: the pod template's or --port's, with node ports and shared-address shifts. */
function portsOf(sts: V1StatefulSet, opts: ExposeOptions, at: OrdinalOf[]): V1ServicePort[][] | CommandError {
  const basePorts = servicePorts(sts, opts.ports);
  if (isCommandError(basePorts)) return basePorts;
  const portProblem = endpointPortProblem(opts.endpointPort, basePorts);
  if (portProblem) return new CommandError(portProblem);
  const ordinalsAt = at.map((a) => a.ordinal);
  const ports = withNodePorts(basePorts, opts.nodePorts, at.length, ordinalsAt);
  if (isCommandError(ports) || !opts.sharedAddress) return ports;
  return sharedPorts(ports, at);
}

function partsOf(
  sts: V1StatefulSet,
  opts: ExposeOptions,
  namespace: string,
  lb?: LoadBalancerOf,
): Parts | CommandError {
  const name = nameOf(sts);
  const at = ordinals(sts).map((ordinal, index) => ({ statefulSet: name, ordinal, index, namespace }));
  const names = serviceNames(opts.nameTemplate, at);
  if (isCommandError(names)) return names;
  const ports = portsOf(sts, opts, at);
  if (isCommandError(ports)) return ports;
  const problem = valuesProblem(opts, at);
  if (problem) return new CommandError(problem);
  const addresses = addressRequests(opts, at, lb?.provider);
  if (isCommandError(addresses)) return addresses;
  const sharing = opts.sharedAddress ? sharingRequest(lb?.provider ?? 'generic', `${namespace}/${name}`) : undefined;
  if (isCommandError(sharing)) return sharing;
  const internal = opts.internal ? internalRequest(lb?.cloud ?? 'generic') : {};
  if (isCommandError(internal)) return internal;
  const dnsNames = hostnames(opts, at);
  if (isCommandError(dnsNames)) return dnsNames;
  return { at, names, ports, addresses, sharing, internal, dnsNames };
}

/** One ordinal's Service (position i among the ordinals). */
function serviceAt(sts: V1StatefulSet, opts: ExposeOptions, parts: Parts, i: number): DesiredService {
  const { at, names, ports, addresses, sharing, internal, dnsNames } = parts;
  const { statefulSet: name, ordinal, namespace } = at[i];
  const pod = podName(name, ordinal);
  const annotations = {
    ...valuesFor(opts.annotations, at[i]),
    ...addresses[i]?.metadata?.annotations,
    ...(sharing && { [sharing.annotation]: sharing.value }),
    ...internal,
    // In the Gateway mode the route carries the name: external-dns then points it at the Gateway's address.
    ...(!opts.gateway && dnsAnnotations(dnsNames?.[i], opts.dnsTtlSeconds)),
    ...(opts.gateway && { [routeAnnotation]: routeKindOf(opts.gateway) }),
    ...(opts.publishConfigmap && { [configMapAnnotation]: configMapName(opts.publishConfigmap, name, namespace) }),
  };
  const service: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: names[i],
      namespace,
      labels: { ...valuesFor(opts.labels, at[i]), ...ownedLabels(name), [ordinalLabel]: String(ordinal) },
      annotations: Object.keys(annotations).length ? annotations : undefined,
      ownerReferences: opts.ownerReference ? statefulSetOwner(name, uidOf(sts)) : undefined,
    },
    spec: {
      type: opts.type,
      // Only this label: the pod's others (controller-revision-hash) change on every rolling update.
      selector: { [podNameLabel]: pod },
      ports: ports[i],
      externalTrafficPolicy: opts.type !== 'ClusterIP' ? opts.externalTrafficPolicy : undefined,
      loadBalancerClass: opts.loadBalancerClass,
      loadBalancerIP: addresses[i]?.spec?.loadBalancerIP,
      publishNotReadyAddresses: opts.publishNotReadyAddresses || undefined,
      // Only a load balancer takes them (the API server refuses them elsewhere); in the Gateway mode they are the own
      // Gateway's (route.ts), and its members' Services are ClusterIP.
      loadBalancerSourceRanges:
        opts.type === 'LoadBalancer' && opts.loadBalancerSourceRanges.length
          ? opts.loadBalancerSourceRanges
          : undefined,
    },
  };
  return { ordinal, pod, name: names[i], service, hostname: dnsNames?.[i] };
}

/**
 * The Services to apply, or what is wrong. `lb` says who serves them and where (read from the cluster when the options
 * ask for an address, a shared one or an internal one): each takes those its own way.
 */
export function desiredServices(
  sts: V1StatefulSet,
  opts: ExposeOptions,
  namespace: string,
  lb?: LoadBalancerOf,
): DesiredService[] | CommandError {
  const parts = partsOf(sts, opts, namespace, lb);
  if (isCommandError(parts)) return parts;
  const services = parts.at.map((_, i) => serviceAt(sts, opts, parts, i));
  const problem = labelProblem(services);
  return problem ? new CommandError(problem) : services;
}

/**
 * A label (or the selector's pod-name label) whose value the API server would refuse, found before any write: a long
 * StatefulSet name with a high ordinal gives a pod name past 63 characters.
 */
function labelProblem(services: DesiredService[]): string | undefined {
  for (const d of services) {
    const labels = { ...d.service.metadata?.labels, ...d.service.spec?.selector };
    for (const [key, value] of Object.entries(labels)) {
      const problem = labelValueProblem(value);
      if (problem) return `ordinal ${d.ordinal} (service "${d.name}"): label ${key} value "${value}" ${problem}`;
    }
  }
  return undefined;
}

/** The body as it goes over the wire: no undefined fields, which server-side apply would read as "not mine". */
export function applyBody(service: V1Service): V1Service {
  return JSON.parse(JSON.stringify(service)) as V1Service;
}
