// expose, steps 3 to 6 as one: check before writing, apply, wait for the addresses, and publish the endpoints, giving
// each member's row (confirmed addresses only). A single run does it once; --watch once more for every change that
// needs it (watch.ts), with the same guarantees.
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Api } from '../../kube/api.ts';
import { withConfirmed } from '../../plan/confirm.ts';
import { type Exposure, exposureOf } from '../../plan/exposure.ts';
import type { DesiredService } from '../../plan/service.ts';
import { printsTable } from '../../render/objects.ts';
import type { IO } from '../io.ts';
import { applyServices } from './apply.ts';
import { checkBeforeWriting } from './check.ts';
import type { Planned } from './plan.ts';
import { printObjects, reportWait, verbs } from './print.ts';
import { configMapFor, configMapVerb, publishEndpoints } from './publish.ts';
import type { Read } from './read.ts';
import { applyRoutes, dryRunObjects, objectsWritten, type RoutesWritten } from './routes.ts';
import { reportRoutes, type RoutesWaited, waitForRoutes } from './routes-wait.ts';
import { type GatewayObject, gatewayAddress } from '../../plan/gateway.ts';
import { type RouteObject, routeRow } from '../../plan/route.ts';
import { addressesBefore, type Members, membersOf, openAddressWatch, type Waited, waitForAddresses } from './wait.ts';

export interface Converged {
  /** Each member's Service as last seen: listed, then as each write answered, then as the watch showed it. */
  current: Map<string, V1Service>;
  services: V1Service[];
  rows: Exposure[];
  waited: Waited;
  /** The members whose address is not confirmed, and why. */
  unconfirmed: Map<string, string>;
  /** The Gateway mode's wait: each route's state and the Gateway as last seen. */
  routes?: RoutesWaited;
  /** The Gateway mode's own Gateway and routes, as their writes answered. */
  routeObjects: (GatewayObject | RouteObject)[];
  /** What the ConfigMap write did ('unchanged': not written), when one is published. */
  published?: string;
  /** Ends this run's interrupt report ("all N services are applied…"): a watch's next round has its own. */
  release: () => void;
}

/**
 * What kept a run (or a watch's round) from ending well, as one error line, and its exit code: an address not
 * confirmed in time or refused, else in the Gateway mode a route refused or not accepted in time.
 */
export function reportConverged(io: IO, planned: Planned, done: Converged, namespace: string): number {
  const { opts, configMap } = planned;
  return (
    reportWait(io, done.waited, done.unconfirmed, { opts, namespace, total: done.services.length, configMap }) ||
    reportRoutes(io, planned.routes, done.routes, { ...opts, configMap })
  );
}

/** Where a member stands, for its row. */
const placeOf = (planned: Planned, namespace: string) => (d: DesiredService) => ({
  namespace,
  statefulSet: planned.opts.statefulSet,
  ordinal: d.ordinal,
  pod: d.pod,
});

/** The ConfigMap a dry run shows: with the endpoints `services` (each action's Service, in order) show now. */
export function dryRunConfigMap(planned: Planned, services: V1Service[], namespace: string) {
  const at = placeOf(planned, namespace);
  const rows = planned.plan.actions.map((a, i) => exposureOf(at(a.desired), services[i], undefined, new Map()));
  return configMapFor(planned, rows, namespace);
}

/**
 * The server dry run's answer, as kubectl apply prints it: each object as the API server would make it, the endpoints
 * ConfigMap too (sent as a dry run with the addresses the Services show now: the API server checks it as it would
 * the real write, permission included).
 */
async function printServerDryRun(
  planned: Planned,
  written: { current: Map<string, V1Service>; routes?: RoutesWritten },
  api: Api,
  io: IO,
): Promise<void> {
  const { current, routes } = written;
  const objects = planned.plan.actions.map((a) => current.get(a.desired.name) ?? a.desired.service);
  const services = planned.plan.actions.map((a, i) => ({ object: objects[i], verb: verbs[a.kind] }));
  const cm = dryRunConfigMap(planned, objects, api.namespace);
  const published = cm
    ? [{ object: await api.applyConfigMap(cm, true), verb: configMapVerb(cm, planned.publishedBefore) }]
    : [];
  printObjects(io, [...services, ...dryRunObjects(planned.routes, routes), ...published], planned.opts);
}

/**
 * Checks, applies and waits; undefined after a server dry run (printed here). `rounds`: a later round of a watch,
 * which writes the ConfigMap only when its endpoints changed.
 */
export async function converge(
  planned: Planned,
  read: Read,
  run: { api: Api; io: IO; rounds?: boolean },
): Promise<Converged | undefined> {
  const { api, io } = run;
  const { opts, plan, desired } = planned;
  // A server dry run refuses what the real run would refuse: the same checks come first.
  const published = planned.configMap ? { existing: planned.publishedBefore } : undefined;
  await checkBeforeWriting(api, opts.statefulSet, plan.actions, planned.lb?.provider, published);
  const current = new Map(plan.actions.flatMap((a) => (a.existing ? [[a.desired.name, a.existing] as const] : [])));
  // Every read comes before the first write, so a missing permission or a refused connection changes nothing.
  const pods = await read.pods;
  const wantsNodes = printsTable(opts) && (opts.type === 'NodePort' || opts.output === 'wide');
  const nodes = wantsNodes ? await api.listNodes() : new Map<string, V1Node>();
  const members = membersOf(desired, opts.type);
  const watch = await openAddressWatch(api, planned, members, current);
  const before = addressesBefore(planned);
  const since = Date.now();
  const dryRun = opts.dryRun === 'server';
  const applying = applyServices(api, plan.actions, current, { dryRun, io, cleanUp: () => watch?.close() });
  await (io.writing?.(applying) ?? applying);
  // From here on every Service is applied: an interruption says so, whatever step it stops, until released.
  const step = { routesApplied: false };
  const release = dryRun
    ? () => undefined
    : (io.onInterrupt?.(() => appliedReport(planned, api.namespace, step.routesApplied)) ?? (() => undefined));
  try {
    // The routes after the Services they send to (a route to a Service not there yet is refused: ResolvedRefs).
    const routing = planned.routes && applyRoutes(api, planned.routes, dryRun);
    const written = routing && (await (io.writing?.(routing) ?? routing));
    step.routesApplied = true;
    if (dryRun) {
      await printServerDryRun(planned, { current, routes: written }, api, io);
      return undefined;
    }
    const waitOpts = { timeoutMs: opts.timeoutMs, before, since };
    const waited: Waited = watch
      ? await waitForAddresses(api, watch, members, current, waitOpts, io)
      : { timedOut: false };
    const left = opts.wait ? opts.timeoutMs - (Date.now() - since) : 0;
    const routes = planned.routes && written && (await waitForRoutes(api, planned.routes, written.routes, left));
    const settled = await settle(planned, {
      api,
      io,
      current,
      members,
      waited,
      routes,
      pods,
      nodes,
      rounds: run.rounds,
    });
    return { ...settled, routeObjects: objectsWritten(written), release };
  } catch (err) {
    release(); // a watch's next round must not say this one's words, nor keep them
    throw err;
  }
}

/**
 * What an interruption after the Services' writes says: what is applied, and the step it stopped (the routes' writes,
 * or the wait for addresses or for the Gateway to accept the routes).
 */
function appliedReport(planned: Planned, namespace: string, routesApplied: boolean): string {
  const { opts, desired, routes } = planned;
  const status = `(kubectl expose-sts status ${opts.statefulSet} -n ${namespace} shows them)`;
  if (!routes)
    return opts.type === 'LoadBalancer'
      ? `all ${desired.length} services are applied; interrupted while waiting for load-balancer addresses ${status}`
      : `all ${desired.length} services are applied; interrupted before the table was printed ${status}`;
  const kind = routes.kind.toLowerCase();
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const gateway = `gateway ${routes.gateway.namespace}/${routes.gateway.name}`;
  const services = count(desired.length, 'service');
  if (!routesApplied)
    return `${services} ${desired.length === 1 ? 'is' : 'are'} applied; interrupted while applying ${routes.own ? `${gateway} and ` : ''}the ${kind}s: run the same command again to finish`;
  return `${services}${routes.own ? `, ${gateway}` : ''} and ${count(routes.routes.length, kind)} are applied; interrupted while waiting for ${gateway} to accept the ${kind}s ${status}`;
}

/** After the writes and the wait: the rows (confirmed addresses only) and the ConfigMap, once every address is in. */
async function settle(
  planned: Planned,
  run: {
    api: Api;
    io: IO;
    current: Map<string, V1Service>;
    members: Members;
    waited: Waited;
    routes?: RoutesWaited;
    pods?: Map<string, V1Pod>;
    nodes: Map<string, V1Node>;
    rounds?: boolean;
  },
): Promise<Omit<Converged, 'release' | 'routeObjects'>> {
  const { api, current, waited } = run;
  const { desired } = planned;
  const services = desired.map((d) => current.get(d.name) ?? d.service);
  // Only confirmed addresses are printed, counted or published: the others show as <pending>.
  const unconfirmed = run.members.unconfirmed(current);
  const at = placeOf(planned, api.namespace);
  const plain = desired.map((d, i) =>
    exposureOf(at(d), withConfirmed(services[i], unconfirmed), run.pods?.get(d.pod), run.nodes),
  );
  const rows = routed(planned, plain, run.routes);
  const unrouted = rows.some((r) => r.route && !r.service?.endpoint);
  const complete = !waited.timedOut && !waited.refused && !unconfirmed.size && !unrouted;
  const cm = configMapFor(planned, rows, api.namespace);
  const verb = cm && configMapVerb(cm, planned.publishedBefore);
  if (!(run.rounds && verb === 'unchanged')) {
    const publishing = publishEndpoints(api, cm, complete);
    await (run.io.writing?.(publishing) ?? publishing);
  }
  return { current, services, rows, waited, unconfirmed, routes: run.routes, published: complete ? verb : undefined };
}

/** In the Gateway mode, each member's row as its route makes it: the Gateway's endpoint once attached. */
function routed(planned: Planned, rows: Exposure[], waited: RoutesWaited | undefined): Exposure[] {
  const plan = planned.routes;
  if (!plan || !waited) return rows;
  const address = gatewayAddress(waited.gateway);
  return rows.map((row, i) => {
    const r = plan.routes[i];
    const state = waited.states.get(r.name) ?? { accepted: false };
    return routeRow(row, r.route, { gateway: plan.gateway, attachment: r.attachment, state, address });
  });
}
