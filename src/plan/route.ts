// The Gateway mode's objects, pure: a route per member (TLSRoute by name, or TCPRoute on a port of its own) to its
// own ClusterIP Service, named and labelled as that Service, and the Gateway expose-sts owns with --gateway-class;
// then what their status says: a route counts as attached only when its Gateway's controller has Accepted this very
// generation of it, and its endpoint only once the Gateway has an address.
import { dnsAnnotations, hostnameOf } from './dns.ts';
import {
  type Attachment,
  type Condition,
  type GatewayObject,
  type GatewayOptions,
  gatewayGroup,
  type Listener,
  type RouteKind,
  sourceRangesAnnotation,
} from './gateway.ts';
import type { Exposure } from './exposure.ts';
import { isManaged, isManagedFor, ownedLabels, statefulSetOwner } from './ownership.ts';
import type { DesiredService } from './service.ts';

interface ParentRef {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
}

export interface RouteObject {
  apiVersion?: string;
  kind?: string;
  metadata?: GatewayObject['metadata'] & { creationTimestamp?: string };
  spec?: {
    parentRefs?: ParentRef[];
    hostnames?: string[];
    rules?: { backendRefs?: { name: string; port?: number }[] }[];
  };
  status?: { parents?: { parentRef: ParentRef; controllerName?: string; conditions?: Condition[] }[] };
}

export interface GatewayRef {
  namespace: string;
  name: string;
}

export interface DesiredRoute {
  ordinal: number;
  pod: string;
  name: string;
  attachment: Attachment;
  route: RouteObject;
}

/** One member's route: as its Service is named and labelled (and owned), to that Service's port. */
export function routeFor(
  d: DesiredService,
  at: {
    kind: RouteKind;
    apiVersion: string;
    gateway: GatewayRef;
    attachment: Attachment;
    backendPort: number;
    dnsTtlSeconds?: number;
  },
): DesiredRoute {
  const meta = d.service.metadata ?? {};
  // external-dns reads a TLSRoute's names from spec.hostnames, and a TCPRoute's (which has none) from the annotation.
  const dns = dnsAnnotations(at.kind === 'TCPRoute' ? d.hostname : undefined, at.dnsTtlSeconds);
  const route: RouteObject = {
    apiVersion: at.apiVersion,
    kind: at.kind,
    metadata: {
      name: d.name,
      namespace: meta.namespace,
      labels: meta.labels,
      annotations: Object.keys(dns).length ? dns : undefined,
      ownerReferences: meta.ownerReferences,
    },
    spec: {
      parentRefs: [
        {
          group: gatewayGroup,
          kind: 'Gateway',
          namespace: at.gateway.namespace,
          name: at.gateway.name,
          sectionName: at.attachment.listener,
        },
      ],
      hostnames: at.kind === 'TLSRoute' && d.hostname ? [d.hostname] : undefined,
      rules: [{ backendRefs: [{ name: d.name, port: at.backendPort }] }],
    },
  };
  return { ordinal: d.ordinal, pod: d.pod, name: d.name, attachment: at.attachment, route };
}

/**
 * Whether `have` holds everything `want` asks for: each field given, recursively, and lists of the same length item by
 * item. What the API server adds (defaults: a backendRef's group, kind and weight) and what is left unset do not count.
 */
function covers(want: unknown, have: unknown): boolean {
  if (want === undefined) return true;
  if (Array.isArray(want))
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => covers(w, have[i]));
  if (want !== null && typeof want === 'object')
    return (
      have !== null &&
      typeof have === 'object' &&
      Object.entries(want).every(([k, w]) => covers(w, (have as Record<string, unknown>)[k]))
    );
  return want === have;
}

/**
 * Whether a route (or expose-sts's own Gateway) is as expose --watch applies it: its labels, annotations, owner and
 * spec as asked (one changed by someone else is applied again; its status, which the Gateway's controller writes,
 * never counts).
 */
export function routeUpToDate<T extends RouteObject | GatewayObject>(desired: T, actual: T): boolean {
  const { labels, annotations, ownerReferences } = desired.metadata ?? {};
  const uids = new Set(actual.metadata?.ownerReferences?.map((o) => o.uid));
  return (
    covers(labels, actual.metadata?.labels) &&
    covers(annotations, actual.metadata?.annotations) &&
    (ownerReferences ?? []).every((o) => uids.has(o.uid)) &&
    covers(desired.spec, actual.spec)
  );
}

/** The Gateway expose-sts owns for a StatefulSet (--gateway-class): its listeners, and the source ranges if given. */
export function ownGateway(
  sts: { name: string; uid: string },
  g: GatewayOptions & { className: string },
  at: { namespace: string; apiVersion: string; listeners: Listener[]; sourceRanges: string[]; ownerReference: boolean },
): GatewayObject {
  return {
    apiVersion: at.apiVersion,
    kind: 'Gateway',
    metadata: {
      name: g.name,
      namespace: at.namespace,
      labels: ownedLabels(sts.name),
      ownerReferences: at.ownerReference ? statefulSetOwner(sts.name, sts.uid) : undefined,
    },
    spec: {
      gatewayClassName: g.className,
      listeners: at.listeners,
      infrastructure: at.sourceRanges.length
        ? { annotations: { [sourceRangesAnnotation]: at.sourceRanges.join(',') } }
        : undefined,
    },
  };
}

const sameParent = (ref: ParentRef, gateway: GatewayRef, routeNamespace: string) =>
  ref.name === gateway.name && (ref.namespace ?? routeNamespace) === gateway.namespace;

/**
 * Where a route stands with its Gateway: attached (Accepted for its current generation, its backend resolved) or not.
 * `reason`: why the controller refused it (Accepted False: the wait ends on it); `waiting`: what it waits for
 * (ResolvedRefs False, e.g. the Service's EndpointSlice not made yet, which the controller re-evaluates).
 */
export interface RouteState {
  accepted: boolean;
  reason?: string;
  waiting?: string;
}

const said = (c: Condition) => `${c.type} ${c.reason ?? c.status}${c.message ? `: ${c.message}` : ''}`;

/** Conditions a controller wrote for this generation of the object or a later one (not an earlier one's). */
const currentFor = (generation: number | undefined) => (c: Condition) =>
  generation === undefined || c.observedGeneration === undefined || c.observedGeneration >= generation;

export function routeState(route: RouteObject, gateway: GatewayRef): RouteState {
  const parent = route.status?.parents?.find((p) => sameParent(p.parentRef, gateway, route.metadata?.namespace ?? ''));
  const conditions = (parent?.conditions ?? []).filter(currentFor(route.metadata?.generation));
  const of = (type: string) => conditions.find((c) => c.type === type);
  const accepted = of('Accepted');
  if (accepted?.status === 'False') return { accepted: false, reason: said(accepted) };
  const resolved = of('ResolvedRefs');
  if (resolved?.status === 'False') return { accepted: false, waiting: said(resolved) };
  return { accepted: accepted?.status === 'True' };
}

/** Why a Gateway serves nothing yet, from its status: not Accepted or not Programmed (with the reason), or no address. */
export function gatewayProblem(g: GatewayObject | undefined): string | undefined {
  if (!g) return 'the Gateway does not exist';
  const refused = g.status?.conditions?.find(
    (c) => (c.type === 'Accepted' || c.type === 'Programmed') && c.status === 'False',
  );
  if (refused)
    return `gateway is not ${refused.type}: ${refused.reason ?? ''}${refused.message ? `: ${refused.message}` : ''}`;
  if (!g.status?.addresses?.length) return 'gateway has no address yet';
  return undefined;
}

/**
 * A Gateway no controller has taken up: its conditions still the CRD's defaults (Unknown, Pending, "Waiting for
 * controller"), or none. Its routes then wait with no condition that says why: its class's controller is not running,
 * or serves another controllerName.
 */
export function unservedGateway(g: GatewayObject | undefined): string | undefined {
  const conditions = g?.status?.conditions ?? [];
  if (!g || conditions.some((c) => c.status !== 'Unknown')) return undefined;
  const accepted = conditions.find((c) => c.type === 'Accepted');
  return `no controller has taken it up yet${accepted?.message ? ` (${accepted.message})` : ''}: is the controller of gatewayclass ${g.spec?.gatewayClassName ?? ''} running?`;
}

/**
 * Whether the Gateway's controller has answered the Gateway as it is now: an Accepted condition it wrote (not the
 * CRD's Unknown default) for the current generation. Until then a route refused on it may have been judged against
 * its listeners as they were (a listener this run just added for a new member: NotAllowedByListeners), and is
 * judged again once the controller sees them. No Gateway at all: nothing to wait for.
 */
export function gatewayAnswered(g: GatewayObject | undefined): boolean {
  if (!g) return true;
  const accepted = g.status?.conditions?.find((c) => c.type === 'Accepted');
  return !!accepted && accepted.status !== 'Unknown' && currentFor(g.metadata?.generation)(accepted);
}

const listenerReady = ['Accepted', 'Programmed', 'ResolvedRefs'];

/**
 * Why the Gateway's controller refused a listener, from the listener's conditions for the Gateway's current generation
 * (Accepted, Programmed or ResolvedRefs False, or Conflicted True). It is what a route on that listener cannot say: the
 * route is only NotAllowedByListeners (Traefik, for a port none of its entrypoints serves).
 */
export function listenerProblem(g: GatewayObject | undefined, listener: string | undefined): string | undefined {
  const conditions = g?.status?.listeners?.find((l) => l.name === listener)?.conditions ?? [];
  const refused = conditions
    .filter(currentFor(g?.metadata?.generation))
    .find((c) =>
      c.type === 'Conflicted' ? c.status === 'True' : listenerReady.includes(c.type) && c.status === 'False',
    );
  if (!refused) return undefined;
  const is = refused.type === 'Conflicted' ? 'Conflicted' : `not ${refused.type}`;
  return `listener "${listener}" is ${is}: ${refused.reason ?? ''}${refused.message ? `: ${refused.message}` : ''}`;
}

/**
 * A member's row in the Gateway mode: reached through its route, so its endpoint is the Gateway's address (or its
 * DNS name) on the listener's port, and only once the route is attached and the Gateway has an address.
 */
export function routeRow(
  row: Exposure,
  route: RouteObject,
  at: { gateway: GatewayRef; attachment: Partial<Attachment>; state: RouteState; address?: string },
): Exposure {
  const backend = route.spec?.rules?.[0]?.backendRefs?.[0]?.port;
  const servicePort = row.service?.endpoint?.ports.find((p) => p.servicePort === backend);
  const { address } = at;
  const port = at.attachment.port;
  const hostname = route.spec?.hostnames?.[0] ?? hostnameOf(route);
  return {
    ...row,
    type: route.kind,
    service: row.service && {
      ...row.service,
      hostname,
      endpoint:
        at.state.accepted && address !== undefined && port !== undefined
          ? { host: address, ports: [{ name: servicePort?.name, servicePort: backend ?? 0, port }] }
          : undefined,
    },
    route: {
      kind: route.kind ?? '',
      name: route.metadata?.name ?? '',
      gateway: `${at.gateway.namespace}/${at.gateway.name}/${at.attachment.listener ?? ''}`,
      accepted: at.state.accepted,
      reason: at.state.reason,
    },
  };
}

/**
 * Where a member's route stands for status, from what is listed: its route, its Gateway and the listener it names.
 * Undefined when it is attached and its Gateway serves: the Service's own state then stands.
 */
export function routeProblem(
  kind: string,
  route: RouteObject | undefined,
  gateway: GatewayObject | undefined,
  ref: GatewayRef | undefined,
): ['Missing' | 'Pending', string] | undefined {
  if (!route || !ref) return ['Missing', `no ${kind}: run kubectl expose-sts again`];
  const where = `gateway ${ref.namespace}/${ref.name}`;
  if (!gateway) return ['Pending', `${where} not found`];
  const section = route.spec?.parentRefs?.[0]?.sectionName;
  if (section && !gateway.spec?.listeners?.some((l) => l.name === section))
    return ['Pending', `${where} has no listener "${section}"`];
  const listener = listenerProblem(gateway, section);
  if (listener) return ['Pending', `${where}: ${listener}`];
  const state = routeState(route, ref);
  if (state.reason ?? state.waiting) return ['Pending', `${kind} ${state.reason ?? state.waiting}`];
  const unserved = unservedGateway(gateway);
  if (!state.accepted) return ['Pending', unserved ? `${where}: ${unserved}` : `${kind} not accepted by ${where} yet`];
  const problem = gatewayProblem(gateway);
  return problem ? ['Pending', `${where}: ${problem}`] : undefined;
}

/** The Gateway a route names first, with the route's namespace where it names none. */
export function parentOf(route: RouteObject): GatewayRef | undefined {
  const p = route.spec?.parentRefs?.[0];
  return p && { namespace: p.namespace ?? route.metadata?.namespace ?? '', name: p.name };
}

/**
 * expose-sts's own Gateways (of `statefulSet`, or of any) that none of these routes attaches to: their members moved
 * to another Gateway, or have no route now. A load balancer nothing uses: status names it, prune deletes it. Routes
 * not known (they could not be listed): none.
 */
export function idleOwnGateways(
  gateways: GatewayObject[],
  routes: RouteObject[] | undefined,
  statefulSet?: string,
): GatewayObject[] {
  if (!routes) return [];
  const used = new Set(routes.flatMap((r) => parentOf(r) ?? []).map((p) => `${p.namespace}/${p.name}`));
  return gateways.filter((g) => {
    const labels = g.metadata?.labels;
    const ours = statefulSet === undefined ? isManaged(labels) : isManagedFor(labels, statefulSet);
    return ours && !used.has(`${g.metadata?.namespace}/${g.metadata?.name}`);
  });
}

/**
 * The namespaces of the Gateways these routes attach to, with the one the command runs in first (expose-sts's own
 * Gateway is there): where status reads, and status -w follows, Gateways.
 */
export function gatewayNamespacesOf(routes: RouteObject[], namespace: string): string[] {
  const parents = routes.flatMap(
    (r) => r.spec?.parentRefs?.map((p) => p.namespace ?? r.metadata?.namespace ?? '') ?? [],
  );
  return [...new Set([namespace, ...parents])];
}

/**
 * What status -w must follow beyond what it does: the route kinds its Services name now, and (in one namespace) the
 * Gateway namespaces its routes name now, that it does not follow yet. Undefined: nothing more. A member exposed in
 * the Gateway mode after the watch started, or moved to another route kind or Gateway namespace, is followed then.
 */
export function beyondFollowed(
  followed: { kinds: string[]; gatewayNamespaces: string[] } | undefined,
  wanted: { kinds: RouteKind[]; gatewayNamespaces: string[] },
  allNamespaces: boolean,
): { kinds: RouteKind[]; gatewayNamespaces: string[] } | undefined {
  if (!wanted.kinds.length) return undefined;
  const kinds = wanted.kinds.filter((k) => !followed?.kinds.includes(k));
  const gatewayNamespaces = allNamespaces
    ? []
    : wanted.gatewayNamespaces.filter((n) => !followed?.gatewayNamespaces.includes(n));
  return kinds.length || gatewayNamespaces.length ? { kinds, gatewayNamespaces } : undefined;
}
