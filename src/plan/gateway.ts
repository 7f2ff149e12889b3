// The Gateway mode (--gateway, --gateway-class): one Gateway, one load balancer, and a route per member to its own
// ClusterIP Service. TLS passthrough tells members apart by the SNI name the client sends (TLSRoute, every member on
// one listener); without TLS, each member gets a listener port of its own (TCPRoute), counted up per ordinal as
// --shared-address does. Pure: which listener each member's route attaches to, checked against the Gateway before any
// write, and the Gateway expose-sts makes when asked to (--gateway-class).
import { CommandError } from '../errors.ts';
import { dnsSubdomainProblem } from './names.ts';
import { isManagedFor } from './ownership.ts';

export const gatewayGroup = 'gateway.networking.k8s.io';

/** A status condition, as the Gateway API's objects carry them. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}
export type RouteKind = 'TLSRoute' | 'TCPRoute';

/** What the flags ask of the Gateway. */
export interface GatewayOptions {
  /** The Gateway's name: the user's (--gateway), or that of expose-sts's own (--gateway-class; default: the StatefulSet's). */
  name: string;
  /** Its namespace (--gateway-namespace); undefined: the StatefulSet's. */
  namespace?: string;
  /** The listener named after the Gateway (--gateway NAME/LISTENER): the TLS one, or the first member's TCP one. */
  listener?: string;
  /** --gateway-class: expose-sts makes and owns the Gateway, with the listeners the members need. */
  className?: string;
  /** --port-per-member: a TCPRoute per member on a listener port of its own; else a TLSRoute per member by name. */
  portPerMember: boolean;
}

export const routeKindOf = (g: Pick<GatewayOptions, 'portPerMember'>): RouteKind =>
  g.portPerMember ? 'TCPRoute' : 'TLSRoute';

/**
 * On each Service of the Gateway mode, the kind of its route (named as the Service): status and prune read routes
 * only where a Service says it has one, so clusters without the Gateway API pay no request for it.
 */
export const routeAnnotation = 'expose-sts.io/route';
export const routeKinds: readonly RouteKind[] = ['TLSRoute', 'TCPRoute'];

/** The route kinds these Services say they have (their annotation): what status reads, and status -w follows. */
export function routeKindsNamed(services: { metadata?: { annotations?: Record<string, string> } }[]): RouteKind[] {
  const named = new Set(services.flatMap((s) => s.metadata?.annotations?.[routeAnnotation] ?? []));
  return routeKinds.filter((k) => named.has(k));
}

/**
 * A Service of the StatefulSet reached through a route of another kind than a run writes (`kind`; undefined: none,
 * the run exposes it as a Service alone): the run would leave that route behind, where status and prune no longer
 * find it (they read routes where Services name them). The Service's name and its route's kind.
 */
export function routeLeftBehind(
  services: { metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> } }[],
  statefulSet: string,
  kind: RouteKind | undefined,
): { service: string; kind: string } | undefined {
  for (const s of services) {
    const has = s.metadata?.annotations?.[routeAnnotation];
    if (has && has !== kind && isManagedFor(s.metadata?.labels, statefulSet))
      return { service: s.metadata?.name ?? '', kind: has };
  }
  return undefined;
}

export interface Listener {
  name: string;
  port: number;
  protocol: string;
  hostname?: string;
  tls?: { mode?: string };
  allowedRoutes?: {
    namespaces?: { from?: string };
    kinds?: { group?: string; kind: string }[];
  };
}

export interface GatewayObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    generation?: number;
    managedFields?: unknown;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[];
  };
  spec?: {
    gatewayClassName?: string;
    listeners?: Listener[];
    infrastructure?: { annotations?: Record<string, string> };
  };
  status?: {
    addresses?: { type?: string; value: string }[];
    conditions?: Condition[];
    listeners?: { name: string; attachedRoutes?: number; conditions?: Condition[] }[];
  };
}

/** One member's place on the Gateway: the listener its route names (sectionName) and the port clients dial there. */
export interface Attachment {
  listener: string;
  port: number;
}

/** A member, as the Gateway mode needs it: its position among the ordinals, its DNS name, its Service's port. */
export interface Member {
  ordinal: number;
  index: number;
  hostname?: string;
  servicePort: number;
}

const where = (g: GatewayObject) => `gateway "${g.metadata?.namespace}/${g.metadata?.name}"`;

/** Whether a listener's hostname (exact, or a `*.` wildcard of one or more labels) admits a name. */
export function hostnameMatches(listenerHostname: string | undefined, name: string): boolean {
  if (!listenerHostname) return true;
  if (listenerHostname.startsWith('*.'))
    return name.endsWith(listenerHostname.slice(1)) && name.length > listenerHostname.length - 1;
  return listenerHostname === name;
}

/** Why a listener takes no route of `kind` from `namespace`, if it takes none (its allowedRoutes as written). */
function allowedProblem(g: GatewayObject, l: Listener, kind: RouteKind, namespace: string): string | undefined {
  const kinds = l.allowedRoutes?.kinds;
  if (kinds?.length && !kinds.some((k) => k.kind === kind && (k.group ?? gatewayGroup) === gatewayGroup))
    return `listener "${l.name}" of ${where(g)} allows only ${kinds.map((k) => k.kind).join(', ')} routes, not ${kind}`;
  const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'Same' && g.metadata?.namespace !== namespace)
    return `listener "${l.name}" of ${where(g)} allows routes only from its own namespace (allowedRoutes.namespaces.from: Same), not from "${namespace}"`;
  return undefined;
}

function tlsListener(g: GatewayObject, named: string | undefined): Listener | CommandError {
  const listeners = g.spec?.listeners ?? [];
  const passthrough = (l: Listener) => l.protocol === 'TLS' && l.tls?.mode === 'Passthrough';
  if (named !== undefined) {
    const l = listeners.find((x) => x.name === named);
    if (!l)
      return new CommandError(
        `${where(g)} has no listener "${named}" (it has ${listeners.map((x) => x.name).join(', ') || 'none'})`,
      );
    if (!passthrough(l))
      return new CommandError(
        `listener "${named}" of ${where(g)} is protocol ${l.protocol}${l.tls?.mode ? ` with tls.mode ${l.tls.mode}` : ''}: ` +
          'routing by name to each member needs protocol TLS with tls.mode Passthrough (the member ends TLS itself)',
      );
    return l;
  }
  const found = listeners.filter(passthrough);
  if (found.length === 1) return found[0];
  return new CommandError(
    found.length
      ? `${where(g)} has ${found.length} TLS passthrough listeners (${found.map((l) => l.name).join(', ')}): name one, --gateway ${g.metadata?.name}/LISTENER`
      : `${where(g)} has no TLS listener with tls.mode Passthrough, which routing by name needs: add one, or use --port-per-member for a TCP listener per member`,
  );
}

/**
 * Each member's listener on a Gateway that exists, checked as far as its spec says (kinds, namespaces, protocol,
 * hostname); the rest (a namespace selector, what the controller supports) its status tells after the routes are in.
 */
export function attachments(
  g: GatewayObject,
  opts: GatewayOptions,
  members: Member[],
  routeNamespace: string,
): Attachment[] | CommandError {
  const kind = routeKindOf(opts);
  const listeners = g.spec?.listeners ?? [];
  if (kind === 'TLSRoute') {
    const l = tlsListener(g, opts.listener);
    if (l instanceof CommandError) return l;
    const problem = allowedProblem(g, l, kind, routeNamespace);
    if (problem) return new CommandError(problem);
    for (const m of members) {
      if (!hostnameMatches(l.hostname, m.hostname ?? ''))
        return new CommandError(
          `listener "${l.name}" of ${where(g)} takes only ${l.hostname}, and ordinal ${m.ordinal}'s --hostname is "${m.hostname}"`,
        );
    }
    return members.map(() => ({ listener: l.name, port: l.port }));
  }
  const first = opts.listener === undefined ? undefined : listeners.find((x) => x.name === opts.listener);
  if (opts.listener !== undefined && !first)
    return new CommandError(
      `${where(g)} has no listener "${opts.listener}" (it has ${listeners.map((x) => x.name).join(', ') || 'none'})`,
    );
  const out: Attachment[] = [];
  for (const m of members) {
    const port = (first?.port ?? members[0].servicePort) + m.index;
    const l = listeners.find((x) => x.port === port && x.protocol === 'TCP');
    if (!l) {
      const base = first?.port ?? members[0].servicePort;
      return new CommandError(
        `${where(g)} has no TCP listener on port ${port} for ordinal ${m.ordinal}: --port-per-member needs one per member, ` +
          `on ports ${base}–${base + members.length - 1}` +
          (opts.className ? '' : ' (or let expose-sts make its own Gateway with them: --gateway-class CLASS)'),
      );
    }
    const problem = allowedProblem(g, l, kind, routeNamespace);
    if (problem) return new CommandError(problem);
    out.push({ listener: l.name, port });
  }
  return out;
}

/** Where the plugin's own Gateway lists a member: one TLS listener for all, or a TCP listener per member. */
export function ownListeners(kind: RouteKind, members: (Member & { pod: string })[]): Listener[] | CommandError {
  const allowedRoutes = { namespaces: { from: 'Same' }, kinds: [{ group: gatewayGroup, kind }] };
  if (kind === 'TLSRoute')
    return [
      { name: 'tls', port: members[0].servicePort, protocol: 'TLS', tls: { mode: 'Passthrough' }, allowedRoutes },
    ];
  const listeners = members.map((m) => ({
    name: m.pod,
    port: members[0].servicePort + m.index,
    protocol: 'TCP',
    allowedRoutes,
  }));
  const past = listeners.find((l) => l.port > 65535);
  if (past)
    return new CommandError(
      `--port-per-member: ${past.name} would answer on port ${past.port}, past 65535: expose a lower port`,
    );
  const bad = listeners.find((l) => dnsSubdomainProblem(l.name));
  return bad ? new CommandError(`listener name "${bad.name}" ${dnsSubdomainProblem(bad.name)}`) : listeners;
}

/** The address clients dial: the Gateway's first, once its controller has given it one. */
export const gatewayAddress = (g: GatewayObject | undefined): string | undefined => g?.status?.addresses?.[0]?.value;

/**
 * The annotation the Services that implementations make for a Gateway carry its source ranges in
 * (spec.infrastructure.annotations are copied onto them: Envoy Gateway, Istio, Cilium); cloud load balancers and
 * kube-proxy read it as they read spec.loadBalancerSourceRanges.
 */
export const sourceRangesAnnotation = 'service.beta.kubernetes.io/load-balancer-source-ranges';
