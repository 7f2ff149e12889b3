// expose in the Gateway mode: the routes beside the Services. Planned with the Services (every read and check before
// the first write: the Gateway API installed, the Gateway there with a listener for each member, no route of another
// owner in the way), applied after them (expose-sts's own Gateway first, with --gateway-class), then waited for
// (routes-wait.ts): each route Accepted by the Gateway's controller for its current generation, and the Gateway with
// an address. Only then does a member's row show the endpoint clients dial.
import { CommandError } from '../../errors.ts';
import type { Api } from '../../kube/api.ts';
import { type GatewayApi, missingKindProblem } from '../../kube/gateway.ts';
import type { ExposeOptions } from '../../plan/expose-options.ts';
import {
  attachments,
  type GatewayObject,
  type GatewayOptions,
  gatewayGroup,
  type Member,
  ownListeners,
  routeKindOf,
  type RouteKind,
  routeAnnotation,
  routeKinds,
} from '../../plan/gateway.ts';
import { nameOf, uidOf } from '../../plan/meta.ts';
import { isManaged, isManagedFor, managedFor, managedSelector } from '../../plan/ownership.ts';
import { type DesiredRoute, type GatewayRef, ownGateway, type RouteObject, routeFor } from '../../plan/route.ts';
import type { DesiredService } from '../../plan/service.ts';
import type { V1Service, V1StatefulSet } from '@kubernetes/client-node';

export interface RoutePlan {
  kind: RouteKind;
  /** The versions this cluster serves the route kind and Gateways at. */
  versions: { route: string; gateway: string };
  gateway: GatewayRef;
  /** The routes of this StatefulSet, as a label selector. */
  selector: string;
  /** expose-sts's own Gateway, to apply before the routes (--gateway-class). */
  own?: GatewayObject;
  /**
   * What exists already (routes by name, and the own Gateway as read), for a dry run's created or configured and
   * --watch's lines.
   */
  existing: { routes: Map<string, RouteObject>; own?: GatewayObject };
  routes: DesiredRoute[];
}

const refuse = (problem: string) => new CommandError(`${problem}; nothing was changed`);

/** The Service port a route sends to and the port clients use: --endpoint-port's, or the first. */
function endpointPortOf(d: DesiredService, endpointPort: string | undefined): number {
  const ports = d.service.spec?.ports ?? [];
  const p =
    endpointPort === undefined
      ? ports[0]
      : ports.find((x) => x.name === endpointPort || String(x.port) === endpointPort);
  return (p ?? ports[0]).port;
}

/** A route of that name that is not this StatefulSet's, in the way of one of ours. */
function routeConflict(
  existing: RouteObject[],
  routes: DesiredRoute[],
  statefulSet: string,
  adopt: boolean,
): string | undefined {
  for (const r of routes) {
    const other = existing.find((e) => nameOf(e) === r.name);
    if (!other) continue;
    const labels = other.metadata?.labels;
    if (isManagedFor(labels, statefulSet)) continue;
    if (adopt && !isManaged(labels)) continue;
    return `${r.route.kind?.toLowerCase()} "${r.name}" exists and is ${isManaged(labels) ? `managed ${managedFor(labels)}` : 'not managed by expose-sts (--adopt takes it over)'}`;
  }
  return undefined;
}

/** expose-sts's own Gateway (--gateway-class), unless one of that name is not its own for this StatefulSet. */
function ownFor(
  opts: ExposeOptions,
  sts: V1StatefulSet,
  at: {
    before?: GatewayObject;
    gateway: GatewayRef;
    kind: RouteKind;
    members: (Member & { pod: string })[];
    version: string;
  },
): GatewayObject {
  const { before, gateway } = at;
  const labels = before?.metadata?.labels;
  if (before && !isManagedFor(labels, opts.statefulSet))
    throw refuse(
      `gateway "${gateway.namespace}/${gateway.name}" exists and is not expose-sts's for statefulset ${opts.statefulSet}: attach to it with --gateway ${gateway.name} (without --gateway-class), or name another`,
    );
  const listeners = ownListeners(at.kind, at.members);
  if (listeners instanceof CommandError) throw listeners;
  return ownGateway(
    { name: nameOf(sts), uid: uidOf(sts) },
    { ...(opts.gateway as GatewayOptions), className: opts.gateway?.className ?? '' },
    {
      namespace: gateway.namespace,
      apiVersion: `${gatewayGroup}/${at.version}`,
      listeners,
      sourceRanges: opts.loadBalancerSourceRanges,
      ownerReference: opts.ownerReference,
    },
  );
}

/**
 * The Gateway as it is, the routes of the kind, and with --gateway-class that the class exists: a class that does not
 * is refused here, where it once left a Gateway and routes written and the run waiting its --timeout for a controller.
 */
async function readGatewaySide(
  api: Api,
  gateway: GatewayRef & { className?: string },
  kind: RouteKind,
  versions: { route: string; gateway: string },
) {
  const { className } = gateway;
  const [before, existing, classFound] = await Promise.all([
    api.getGateway(gateway.namespace, gateway.name, versions.gateway),
    api.listRoutes(kind, versions.route, ''),
    className ? api.gatewayClassExists(className, versions.gateway) : undefined,
  ]);
  if (classFound === false)
    throw refuse(
      `gatewayclass "${className}" not found: name one this cluster has (kubectl get gatewayclasses), or attach to an existing Gateway with --gateway NAME`,
    );
  return { before, existing };
}

/**
 * Reads what the Gateway mode needs and plans the routes, or refuses before any write. `desired`: the members'
 * Services, as planned; `discovered`: the Gateway API's discovery, if asked already.
 */
export async function planRoutes(
  opts: ExposeOptions,
  sts: V1StatefulSet,
  desired: DesiredService[],
  api: Api,
  discovered?: Promise<GatewayApi>,
): Promise<RoutePlan | undefined> {
  const g = opts.gateway;
  if (!g || !desired.length) return undefined;
  const kind = routeKindOf(g);
  const found = await (discovered ?? api.gatewayApi());
  const [route, gatewayVersion] = [found[kind], found.Gateway];
  if (!route || !gatewayVersion) throw missingKindProblem(found, ['Gateway', kind]);
  const versions = { route, gateway: gatewayVersion };
  const gateway = { namespace: g.namespace ?? api.namespace, name: g.name };
  const { before, existing } = await readGatewaySide(api, { ...gateway, className: g.className }, kind, versions);
  const members: (Member & { pod: string })[] = desired.map((d, index) => ({
    ordinal: d.ordinal,
    index,
    pod: d.pod,
    hostname: d.hostname,
    servicePort: endpointPortOf(d, opts.endpointPort),
  }));
  const own = g.className
    ? ownFor(opts, sts, { before, gateway, kind, members, version: versions.gateway })
    : undefined;
  const target = own ?? before;
  if (!target)
    throw refuse(
      `gateway "${gateway.name}" not found in namespace "${gateway.namespace}"${g.namespace ? '' : ' (--gateway-namespace names another)'}: ` +
        'name an existing Gateway, or let expose-sts make one with --gateway-class CLASS',
    );
  const placed = attachments(target, g, members, api.namespace);
  if (placed instanceof CommandError) throw refuse(placed.message);
  const apiVersion = `${gatewayGroup}/${versions.route}`;
  const routes = desired.map((d, i) =>
    routeFor(d, {
      kind,
      apiVersion,
      gateway,
      attachment: placed[i],
      backendPort: members[i].servicePort,
      dnsTtlSeconds: opts.dnsTtlSeconds,
    }),
  );
  const conflict = routeConflict(existing.items, routes, opts.statefulSet, opts.adopt);
  if (conflict) throw refuse(conflict);
  return {
    kind,
    versions,
    gateway,
    selector: managedSelector(opts.statefulSet),
    own,
    existing: { routes: new Map(existing.items.map((r) => [nameOf(r), r])), own: own && before },
    routes,
  };
}

/** What the Gateway mode's writes answered: expose-sts's own Gateway, if it has one, and each route by name. */
export interface RoutesWritten {
  own?: GatewayObject;
  routes: Map<string, RouteObject>;
}

/** The objects written, in the order they were: the own Gateway first. */
export const objectsWritten = (w: RoutesWritten | undefined): (GatewayObject | RouteObject)[] =>
  w ? [...(w.own ? [w.own] : []), ...w.routes.values()] : [];

/** Applies expose-sts's own Gateway (if any), then every route. */
export async function applyRoutes(api: Api, plan: RoutePlan, dryRun: boolean): Promise<RoutesWritten> {
  const own = plan.own && (await api.applyGateway(plan.own, dryRun));
  const answers = await Promise.all(plan.routes.map((r) => api.applyRoute(r.route, dryRun)));
  api.log(1, `${plan.kind.toLowerCase()}s: ${answers.length} applied`);
  return { own, routes: new Map(answers.map((a) => [nameOf(a), a])) };
}

/**
 * After a Service of the Gateway mode is pruned: its route (named as it, of the kind its annotation says), if it is
 * there and expose-sts's for the StatefulSet. Deleted only if still the one listed (its uid), as the Service was.
 * `planned`: the round's routes, whose versions and list of routes serve for every orphan of that kind (a scale-down
 * by ten pays no discovery or LIST per member); without them (a round that planned none), they are read here.
 * Returns the route's `kind/name` when it was deleted.
 */
export async function pruneRouteOf(
  api: Api,
  svc: V1Service,
  statefulSet: string,
  planned?: RoutePlan,
): Promise<string | undefined> {
  const kind = svc.metadata?.annotations?.[routeAnnotation] as RouteKind | undefined;
  if (!kind || !routeKinds.includes(kind)) return undefined;
  const known = planned?.kind === kind ? planned : undefined;
  const version = known?.versions.route ?? (await api.gatewayApi())[kind];
  if (!version) return undefined;
  const route = known
    ? known.existing.routes.get(nameOf(svc))
    : (await api.listRoutes(kind, version, managedSelector(statefulSet))).items.find((r) => nameOf(r) === nameOf(svc));
  if (!route || !isManagedFor(route.metadata?.labels, statefulSet)) return undefined;
  const at = { kind, version, namespace: api.namespace, name: nameOf(route), uid: uidOf(route) };
  return (await api.deleteGatewayObject(at, false)) === 'deleted'
    ? `${kind.toLowerCase()}/${nameOf(route)}`
    : undefined;
}

/**
 * The Gateway mode's objects as a dry run prints them, each with kubectl apply's word for it (created, configured):
 * as they would be sent (a client dry run, without `written`), or as the server's dry run answered.
 */
export function dryRunObjects(
  plan: RoutePlan | undefined,
  written?: RoutesWritten,
): { object: GatewayObject | RouteObject; verb: string }[] {
  if (!plan) return [];
  const verb = (exists: boolean) => (exists ? 'configured' : 'created');
  const sent = written ?? { own: plan.own, routes: new Map(plan.routes.map((r) => [r.name, r.route])) };
  return [
    ...(sent.own ? [{ object: sent.own, verb: verb(!!plan.existing.own) }] : []),
    ...[...sent.routes].map(([name, object]) => ({ object, verb: verb(plan.existing.routes.has(name)) })),
  ];
}
