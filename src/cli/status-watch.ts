// status --watch, as kubectl get --watch: the first table (or objects, or endpoints list), then one line for each row
// whose state or endpoint changes, until interrupted. What it shows is followed with watches (kube/follow.ts), never
// polled; a burst of events (a scale-up: the pod, its Service, its address) is printed once it settles.
import type { V1Node, V1Service } from '@kubernetes/client-node';
import type { Api } from '../kube/api.ts';
import { orAbsent } from '../kube/absent.ts';
import type { FollowScope } from '../kube/follow.ts';
import type { RoutesFollowed } from '../kube/gateway.ts';
import type { StatusOptions } from '../options/status.ts';
import { assess, type StatusRow } from '../plan/drift.ts';
import { routeKindsNamed } from '../plan/gateway.ts';
import { beyondFollowed, gatewayNamespacesOf, type RouteObject } from '../plan/route.ts';
import { rowChanges, type WatchEvent } from '../plan/row-changes.ts';
import { formatRowChange } from '../render/status.ts';
import { endpointsLine, layStatusTable } from '../render/tables.ts';
import type { IO } from './io.ts';

/** How long events may keep coming before the rows are printed: a pod, its Service and its address arrive together. */
const settleMs = 50;

export function nothingExposed(scope: { statefulSet?: string; allNamespaces: boolean }, namespace: string): string {
  const what = scope.statefulSet
    ? `No exposed StatefulSet named "${scope.statefulSet}" found`
    : 'No exposed StatefulSets found';
  return scope.allNamespaces ? `${what}.` : `${what} in ${namespace} namespace.`;
}

/** -o endpoints' line, with a warning for the members without one. */
export function statusEndpoints(endpoints: { line: string; missing: string[] }, io: IO): string {
  if (endpoints.missing.length) io.err(`warning: no endpoint for ${endpoints.missing.join(', ')}\n`);
  return endpoints.line;
}

/** Prints rows as they change, in the output's form; the table's header comes with the first rows. */
class RowPrinter {
  private laid?: { row(r: StatusRow, event?: string): string };
  private endpoints?: string;
  private readonly opts: StatusOptions;
  private readonly io: IO;
  /** A row as the table's columns show it, laid out once: what tells whether a row changed. */
  private readonly cells: (r: StatusRow) => string;

  constructor(opts: StatusOptions, io: IO) {
    this.opts = opts;
    this.io = io;
    this.cells = layStatusTable([], this.columns()).row;
  }

  /** What a row shows in this output, to tell whether it changed (a pod's node shows only in -o wide's table). */
  readonly shown = (r: StatusRow): string =>
    this.opts.output === '' || this.opts.output === 'wide' ? this.cells(r) : formatRowChange(r, 'json');

  private columns() {
    return {
      allNamespaces: this.opts.allNamespaces,
      wide: this.opts.output === 'wide',
      endpointPort: this.opts.endpointPort,
      events: this.opts.outputWatchEvents,
      noHeaders: this.opts.noHeaders,
    };
  }

  print(changes: { event: WatchEvent; row: StatusRow }[], rows: StatusRow[]): void {
    const { output, outputWatchEvents } = this.opts;
    if (output === 'endpoints') {
      const endpoints = endpointsLine(rows, this.opts.endpointPort);
      if (endpoints.line === this.endpoints) return;
      this.endpoints = statusEndpoints(endpoints, this.io);
      this.io.out(endpoints.line);
      return;
    }
    if (output === 'json' || output === 'yaml') {
      for (const c of changes) this.io.out(formatRowChange(c.row, output, outputWatchEvents ? c.event : undefined));
      return;
    }
    if (!changes.length) return;
    if (!this.laid) {
      // The first rows lay the table out (after an empty start, the first that appear), header included.
      const laid = layStatusTable(
        changes.map((c) => c.row),
        this.columns(),
      );
      this.laid = laid;
      this.io.out(laid.text);
      return;
    }
    let text = '';
    for (const c of changes) text += this.laid.row(c.row, c.event);
    this.io.out(text);
  }
}

/** A 403 on the routes' or Gateways' LIST or watch: logged, and one warning; the rows then show the Services alone. */
function watchRefused(api: Api, io: IO, err: Error): void {
  api.log(6, err.message);
  io.err('warning: cannot watch the routes or Gateways: from here on, routed members show as their Services say\n');
}

/**
 * The watches, with the Gateway mode's routes and Gateways where they may be watched. Where they may not (403: a Role
 * with list but not watch on them), a warning, and from then on the rows show what the Services alone say, as status
 * does where routes may not be listed.
 */
async function followAll(api: Api, scope: FollowScope, changed: () => void, io: IO) {
  if (!scope.routes) return { following: await api.followInventory(scope, changed), refused: false };
  const following = await orAbsent(api.followInventory(scope, changed), [403], (err) => {
    watchRefused(api, io, err);
    return undefined;
  });
  if (following) return { following, refused: false };
  return { following: await api.followInventory({ ...scope, routes: undefined }, changed), refused: true };
}

/**
 * The routes and Gateways followed, with what the followed Services and routes name now and the watch does not follow
 * yet (a member exposed in the Gateway mode after it started): the kinds at the versions this cluster serves them at.
 * Undefined: nothing more, or nothing more this cluster serves (`unserved` remembers those, so discovery runs once).
 */
async function widerRoutes(
  api: Api,
  followed: RoutesFollowed | undefined,
  now: { services: V1Service[]; routes?: RouteObject[] },
  at: { allNamespaces: boolean; unserved: Set<string> },
): Promise<RoutesFollowed | undefined> {
  const wanted = {
    kinds: routeKindsNamed(now.services),
    gatewayNamespaces: gatewayNamespacesOf(now.routes ?? [], api.namespace),
  };
  const kinds = [...Object.keys(followed?.versions ?? {}), ...at.unserved];
  const beyond = beyondFollowed(
    followed && { kinds, gatewayNamespaces: followed.gatewayNamespaces },
    wanted,
    at.allNamespaces,
  );
  if (!beyond) return undefined;
  const served = beyond.kinds.length ? await api.gatewayApi() : {};
  const versions = { ...followed?.versions, Gateway: followed?.versions.Gateway ?? served.Gateway };
  for (const kind of beyond.kinds) {
    if (served[kind]) versions[kind] = served[kind];
    else at.unserved.add(kind);
  }
  const gatewayNamespaces = [
    ...new Set([...(followed?.gatewayNamespaces ?? [api.namespace]), ...beyond.gatewayNamespaces]),
  ];
  const more = beyond.gatewayNamespaces.length || beyond.kinds.some((k) => served[k]);
  return more ? { versions, gatewayNamespaces } : undefined;
}

/**
 * Prints the first rows, then follows until the process is interrupted (or a watch fails for good: an error). Nodes
 * are listed again only when a NodePort member lands on a node not yet known. The Gateway mode's routes and Gateways
 * are followed where the Services name routes, from the first read or as soon as one does: a route's or Gateway's
 * status changes a row too. Where the first read could not list them, they are not followed (it warned).
 */
export async function followStatus(
  opts: StatusOptions,
  api: Api,
  io: IO,
  first: { rows: StatusRow[]; nodes: V1Node[]; routes?: RoutesFollowed; routesForbidden?: string },
): Promise<number> {
  const printer = new RowPrinter(opts, io);
  if (!first.rows.length && opts.output !== 'endpoints') io.err(`${nothingExposed(opts, api.namespace)}\n`);
  printer.print(
    first.rows.map((row) => ({ event: 'ADDED', row })),
    first.rows,
  );
  // Ctrl-C ends a watch: there is nothing to report.
  io.onInterrupt?.(() => '');
  let shown = first.rows;
  let nodes = first.nodes;
  const update = async () => {
    const wider = refused ? undefined : await widerRoutes(api, following.scope.routes, following.now(), watched);
    if (wider)
      await orAbsent(following.widen({ ...following.scope, routes: wider }), [403], (err) => {
        watchRefused(api, io, err);
        refused = true;
      });
    const now = following.now();
    const known = new Set(nodes.map((n) => n.metadata?.name));
    const nodePort = now.services.some((s) => s.spec?.type === 'NodePort');
    if (nodePort && now.pods.some((p) => p.spec?.nodeName && !known.has(p.spec.nodeName)))
      nodes = [...(await api.listNodes()).values()];
    const rows = assess({ ...now, nodes }, opts);
    printer.print(rowChanges(shown, rows, printer.shown), rows);
    shown = rows;
  };
  let timer: NodeJS.Timeout | undefined;
  let updating = Promise.resolve();
  let failure: unknown;
  const schedule = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      updating = updating.then(update).catch((err: unknown) => {
        failure ??= err;
        following.close();
      });
    }, settleMs);
  };
  const scope = {
    allNamespaces: opts.allNamespaces,
    statefulSet: opts.statefulSet,
    pods: true,
    configMaps: false,
    routes: first.routes,
  };
  const watched = { allNamespaces: opts.allNamespaces, unserved: new Set<string>() };
  const { following, refused: refusedAtFirst } = await followAll(api, scope, schedule, io);
  let refused = refusedAtFirst || !!first.routesForbidden;
  schedule(); // what changed between the first table's reads and the watches' LISTs
  await following.done;
  clearTimeout(timer);
  await updating;
  if (failure) throw failure;
  return 0;
}
