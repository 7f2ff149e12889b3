// expose --watch: after the first run, follow the StatefulSet and its Services, and in the Gateway mode its routes and
// Gateway (kube/follow.ts: watches, never a poll), and run the same steps again (read, plan, check, apply, wait,
// publish) whenever a change needs them, with the same guarantees as a single run. Each thing done is one line
// (stderr; -o json: one object per line on stdout), and each member whose row changes is printed in the table's
// columns. A round that fails says why and is tried again after a pause growing to five minutes; the watch itself
// ends only when interrupted (or refused for good).
import type { V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import type { Api } from '../../kube/api.ts';
import type { Change, FollowScope } from '../../kube/follow.ts';
import type { ExposeOptions } from '../../plan/expose-options.ts';
import type { Exposure } from '../../plan/exposure.ts';
import {
  actionNotes,
  gatewayNotes,
  type Kept,
  type Note,
  orphanNote,
  orphansOf,
  roundNeeded,
  routeNotes,
  shapeOf,
} from '../../plan/in-step.ts';
import { podReady } from '../../plan/endpoint.ts';
import { nameOf, uidOf } from '../../plan/meta.ts';
import { rowChanges } from '../../plan/row-changes.ts';
import { endpointsLine, endpointText, layExposeTable } from '../../render/tables.ts';
import type { IO } from '../io.ts';
import { pruneRouteOf, type RoutePlan } from './routes.ts';
import { type Converged, converge, reportConverged } from './converge.ts';
import { type Planned, planRun } from './plan.ts';
import { readCluster } from './read.ts';

/** How long changes may keep coming before a round starts: a scale by 3 is one round, not three. */
const settleMs = 100;
/** The pause after a failed round, doubled each time up to the longest. */
const retryMs = { first: 5_000, longest: 300_000 };

export interface FirstRun {
  planned: Planned;
  converged: Converged;
  /** The table as printed, to print changed rows in its columns. */
  laid: { row?: (r: Exposure) => string };
}

/** Rows with their pods as followed now: a round's LIST of pods may be older than the watch's events. */
function withPods(rows: Exposure[], pods: V1Pod[]): Exposure[] {
  const byName = new Map(pods.map((p) => [nameOf(p), p]));
  return rows.map((r) => {
    const pod = byName.get(r.pod);
    return { ...r, ready: podReady(pod), node: pod?.spec?.nodeName };
  });
}

class Keeper {
  private readonly kept: Kept = { desired: new Map(), current: new Map(), orphans: new Set(), routes: new Map() };
  private rows: Exposure[] = [];
  private row?: (r: Exposure) => string;
  private endpoints?: string;
  private gone = false;
  private given: ExposeOptions;
  private readonly api: Api;
  private readonly io: IO;

  constructor(given: ExposeOptions, api: Api, io: IO, first?: FirstRun) {
    this.given = given;
    this.api = api;
    this.io = io;
    if (first) this.remember(first.planned, first.converged);
    this.rows = first?.converged.rows ?? [];
    this.row = first?.laid.row;
    if (first && given.output === 'endpoints') this.endpoints = endpointsLine(first.converged.rows).line;
  }

  needs = (change: Change) => {
    // An orphan gone (pruned here, or by anyone) is forgotten: the set stays as small as what is left.
    const uid = (change.object as V1Service | undefined)?.metadata?.uid;
    if (change.deleted && change.kind === 'Service' && uid) this.kept.orphans.delete(uid);
    return roundNeeded(change, this.kept, this.rows);
  };

  private remember(planned: Planned, done: Converged): void {
    // A run that exposed from its flags (nothing was exposed yet) goes on from them: keeping the Services it just made
    // as they are would leave a member a scale-up adds nothing to be made from.
    if (!planned.kept) this.given = { ...this.given, keep: undefined };
    this.kept.desired = new Map(planned.desired.map((d) => [d.name, d]));
    this.kept.current = done.current;
    this.kept.statefulSet = shapeOf(planned.sts);
    const routes = planned.routes;
    this.kept.routes = new Map(routes?.routes.map((r) => [r.name, r.route]));
    this.kept.gateway = routes && { ...routes.gateway, generation: done.routes?.gateway?.metadata?.generation };
  }

  note(n: Note): void {
    if (this.given.output !== 'json') {
      this.io.err(`${n.message}\n`);
      return;
    }
    const at = { namespace: this.api.namespace, statefulSet: this.given.statefulSet };
    this.io.out(`${JSON.stringify({ time: new Date().toISOString(), ...at, ...n })}\n`);
  }

  /**
   * One round for the StatefulSet as followed now (undefined: deleted). `follow`: called with the round's routes, if
   * it planned any, before it writes them, so that the watch follows them from before they exist.
   */
  async round(
    sts: V1StatefulSet | undefined,
    now: () => { services: V1Service[]; pods: V1Pod[] },
    follow: (routes: RoutePlan) => Promise<void>,
  ) {
    const name = this.given.statefulSet;
    if (!sts) {
      if (!this.gone)
        this.note({
          reason: 'Deleted',
          object: `statefulset/${name}`,
          message: `statefulset ${name} was deleted; waiting for it to be created again`,
        });
      this.gone = true;
      return;
    }
    const recreated = this.gone || (!!this.kept.statefulSet && this.kept.statefulSet.uid !== uidOf(sts));
    if (recreated)
      this.note({
        reason: 'Recreated',
        object: `statefulset/${name}`,
        message: `statefulset ${name} was created again: exposing it afresh`,
      });
    this.gone = false;
    const read = await readCluster(this.given, this.api);
    if (!read) {
      const message = `statefulset ${name} has 0 replicas: nothing to expose`;
      if (this.kept.statefulSet?.replicas !== 0)
        this.note({ reason: 'ScaledToZero', object: `statefulset/${name}`, message });
      this.kept.statefulSet = shapeOf(sts);
      this.kept.desired.clear();
      return this.orphans(now().services);
    }
    const planned = await planRun(this.given, read, this.api, this.io, true);
    if (planned.routes) await follow(planned.routes);
    const done = await converge(planned, read, { api: this.api, io: this.io, rounds: true });
    if (!done) return;
    done.release();
    for (const n of actionNotes(planned.plan.actions, this.kept, recreated)) this.note(n);
    const routes = planned.routes;
    if (routes)
      for (const n of [
        ...gatewayNotes(routes.own, routes.existing.own, this.kept, recreated),
        ...routeNotes(routes.routes, routes.existing.routes, this.kept, recreated),
      ])
        this.note(n);
    this.print(withPods(done.rows, now().pods));
    this.failed(planned, done);
    if (done.published && done.published !== 'unchanged')
      this.note({
        reason: 'Published',
        object: `configmap/${planned.configMap}`,
        message: `configmap/${planned.configMap} ${done.published}`,
      });
    this.remember(planned, done);
    await this.orphans(read.existing.items, planned.routes);
  }

  /** A wait that timed out or a refusal: its error line, and the watch goes on. */
  private failed(planned: Planned, done: Converged): void {
    // As a single run says it; in the Gateway mode that includes a route refused or not accepted in time.
    reportConverged(this.io, planned, done, this.api.namespace);
  }

  /**
   * A member's pod changed (it became Ready, or moved): its row's READY and node, from the followed pods, with no round:
   * nothing is written for a pod.
   */
  refresh(pods: V1Pod[]): void {
    this.print(withPods(this.rows, pods));
  }

  /** The members whose row changed, as the first output showed them. */
  private print(rows: Exposure[]): void {
    const opts = this.given;
    const before = this.rows;
    this.rows = rows;
    if (opts.output === 'endpoints') {
      const { line } = endpointsLine(rows, opts.endpointPort);
      if (line !== this.endpoints) this.io.out(line);
      this.endpoints = line;
      return;
    }
    const json = (r: Exposure) =>
      JSON.stringify({
        ordinal: r.ordinal,
        pod: r.pod,
        service: r.service?.name,
        endpoint: endpointText(r, opts.endpointPort),
        ready: r.ready,
      });
    const changed = rowChanges(before, rows, this.row ?? json).filter((c) => c.event !== 'DELETED');
    if (opts.output === 'json') {
      for (const c of changed)
        this.note({ reason: 'Endpoint', object: `service/${c.row.service?.name}`, message: json(c.row) });
      return;
    }
    if (!changed.length) return;
    if (!this.row) {
      const laid = layExposeTable(
        changed.map((c) => c.row),
        { wide: opts.output === 'wide', endpointPort: opts.endpointPort },
      );
      this.row = laid.row;
      this.io.out(laid.text);
      return;
    }
    this.io.out(changed.map((c) => (this.row as (r: Exposure) => string)(c.row)).join(''));
  }

  /** Services no member now: reported once each, or deleted with --prune if still the one listed (its uid). */
  private async orphans(services: V1Service[], routes?: RoutePlan): Promise<void> {
    const name = this.given.statefulSet;
    const found = orphansOf(name, services, new Set(this.kept.desired.keys()));
    const hint = `kubectl expose-sts prune ${name} -n ${this.api.namespace} deletes it`;
    for (const svc of found) {
      const uid = uidOf(svc);
      if (this.kept.orphans.has(uid)) continue;
      this.kept.orphans.add(uid);
      if (!this.given.prune) {
        this.note(orphanNote(svc, false, hint));
        continue;
      }
      const deleting = this.api
        .deleteService(this.api.namespace, nameOf(svc), uid, false)
        // Its route (the Gateway mode) goes with it: a route to a Service gone would leave the Gateway refusing it.
        .then(async (result) => [result, await pruneRouteOf(this.api, svc, name, routes)] as const);
      const [result, route] = await (this.io.writing?.(deleting) ?? deleting);
      if (result === 'deleted') this.note(orphanNote(svc, true, hint));
      if (route)
        this.note({ reason: 'Pruned', object: route, message: `${route} deleted with service/${nameOf(svc)}` });
    }
  }
}

/**
 * What the watch follows: the StatefulSet, its pods and Services, and the Gateway mode's routes and Gateway as the
 * first run wrote them (one deleted or changed by someone else is restored at once, as a Service is), or the first
 * round that did (the StatefulSet had no replicas at first, or was not there).
 */
function followed(given: ExposeOptions, routes?: RoutePlan): FollowScope {
  return {
    allNamespaces: false,
    statefulSet: given.statefulSet,
    pods: true,
    configMaps: false,
    routes: routes && {
      versions: { [routes.kind]: routes.versions.route, Gateway: routes.versions.gateway },
      gatewayNamespaces: [routes.gateway.namespace],
      gatewayName: routes.gateway.name,
    },
  };
}

/**
 * Follows until interrupted. `first`: the first run's result (none when the StatefulSet had no replicas then). A
 * failed round is one error line, and tried again: the cluster may mend (an API server back, a quota raised).
 */
export async function keepInStep(given: ExposeOptions, api: Api, io: IO, first?: FirstRun): Promise<number> {
  const keeper = new Keeper(given, api, io, first);
  const pending: Change[] = [];
  let timer: NodeJS.Timeout | undefined;
  let rounds = Promise.resolve();
  let failures = 0;
  let stopped = false;
  const schedule = (ms = settleMs) => {
    if (stopped) return;
    timer ??= setTimeout(() => {
      timer = undefined;
      rounds = rounds.then(next);
    }, ms);
  };
  const next = async () => {
    const changes = pending.splice(0);
    if (stopped) return;
    const needed = changes.filter(keeper.needs).length > 0; // each change seen (needs forgets pruned orphans)
    if (!needed && failures === 0) {
      if (changes.some((c) => c.kind === 'Pod')) keeper.refresh(following.now().pods);
      return;
    }
    try {
      const now = following.now();
      await keeper.round(now.statefulSets[0], () => following.now(), followRoutes);
      failures = 0;
    } catch (err) {
      failures++;
      const pause = Math.min(retryMs.first * 2 ** (failures - 1), retryMs.longest);
      const message = err instanceof Error ? err.message : String(err);
      io.err(`error: ${message}; trying again in ${pause / 1000} s\n`);
      schedule(pause);
    }
  };
  // The first round that plans routes (the first run had no members) widens the watch to them before it writes them:
  // widened after, its LIST could miss a route deleted in between, which would then never be restored.
  const followRoutes = async (routes: RoutePlan) => {
    if (!following.scope.routes) await following.widen(followed(given, routes));
  };
  const following = await api.followInventory(followed(given, first?.planned.routes), (change) => {
    pending.push(change);
    schedule();
  });
  // A signal stops the watch: no round starts, and the one in progress ends (its writes, its lines) before the
  // process does, within cli/io.ts's grace.
  const release = io.onStop?.(() => {
    stopped = true;
    clearTimeout(timer);
    following.close();
    return rounds;
  });
  io.onInterrupt?.(() => '');
  pending.push({ kind: 'Service', deleted: false }); // what changed between the first run's reads and the LISTs
  schedule();
  try {
    await following.done; // rejects when a watch is refused for good: main reports it as any command's error
  } finally {
    release?.();
  }
  await rounds;
  return 0;
}
