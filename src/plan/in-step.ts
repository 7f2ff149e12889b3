// What expose --watch decides on each change, pure: whether a change needs another round of the run's steps, what
// each write of a round is called in its log line, and which Services a scale-down left (orphans).
import type { V1ManagedFieldsEntry, V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import type { Exposure } from './exposure.ts';
import type { Action } from './diff.ts';
import { isUpToDate } from './diff.ts';
import { lbAddresses } from './endpoint.ts';
import { nameOf, uidOf } from './meta.ts';
import type { GatewayObject } from './gateway.ts';
import { fieldManager, isManagedFor, ordinalLabel } from './ownership.ts';
import { type DesiredRoute, type RouteObject, routeState, routeUpToDate } from './route.ts';
import type { DesiredService } from './service.ts';

/** A line of the watch's log: why (a short CamelCase reason, as an Event's), the object, and what a person reads. */
export interface Note {
  reason: string;
  object?: string;
  message: string;
}

/** What the last round left: each member's Service as written, and the StatefulSet it exposed. */
export interface Kept {
  desired: Map<string, DesiredService>;
  current: Map<string, V1Service>;
  /** The StatefulSet's uid, replicas and first ordinal as last exposed; undefined before any. */
  statefulSet?: { uid: string; replicas: number; start: number };
  /** Orphans already reported (by uid), so each is said once. */
  orphans: Set<string>;
  /** The Gateway mode: each member's route as applied, by name, and its Gateway at the generation last seen. */
  routes: Map<string, RouteObject>;
  gateway?: { namespace: string; name: string; generation?: number };
}

export const shapeOf = (sts: V1StatefulSet) => ({
  uid: uidOf(sts),
  replicas: sts.spec?.replicas ?? 1,
  start: sts.spec?.ordinals?.start ?? 0,
});

const sameAddresses = (a: V1Service | undefined, b: V1Service | undefined) =>
  lbAddresses(a).join(',') === lbAddresses(b).join(',');

/**
 * Whether a change to a followed object needs a round: the StatefulSet deleted, re-created or scaled; a member's
 * Service deleted, changed from what was applied, or given another address; a Service of the StatefulSet that is no
 * member and not yet reported; a NodePort member's pod on another node than `rows` show; a member's route deleted or
 * changed, or Accepted where its row was shown without it, or its Gateway deleted or given a new spec (generation). Our
 * own writes and the rest of the status the StatefulSet's, the routes' and the Gateway's controllers write need none.
 */
export function roundNeeded(
  change: { kind: string; object?: unknown; deleted: boolean },
  kept: Kept,
  rows: Exposure[] = [],
): boolean {
  // A pod changes its row (watch.ts refreshes it) and writes nothing, unless a NodePort member moved (its address).
  if (change.kind === 'Pod') return !change.deleted && !!change.object && podMoved(change.object as V1Pod, rows);
  if (!change.object) return true; // the watch listed again: anything may have changed
  if (change.kind === 'StatefulSet') {
    const sts = change.object as V1StatefulSet;
    const was = kept.statefulSet;
    const now = shapeOf(sts);
    return change.deleted || !was || was.uid !== now.uid || was.replicas !== now.replicas || was.start !== now.start;
  }
  if (change.kind === 'Gateway') {
    const gw = change.object as GatewayObject;
    const was = kept.gateway;
    const same = was && was.name === nameOf(gw) && was.namespace === gw.metadata?.namespace;
    return !!same && (change.deleted || (gw.metadata?.generation ?? 0) > (was.generation ?? 0));
  }
  if (change.kind === 'TLSRoute' || change.kind === 'TCPRoute') {
    const route = change.object as RouteObject;
    const desired = kept.routes.get(nameOf(route));
    return !!desired && (change.deleted || !routeUpToDate(desired, route) || acceptedSince(route, kept, rows));
  }
  const svc = change.object as V1Service;
  const member = kept.desired.get(nameOf(svc));
  if (!member) return !change.deleted && !kept.orphans.has(uidOf(svc));
  if (change.deleted) return true;
  return !isUpToDate(member.service, svc) || !sameAddresses(svc, kept.current.get(member.name));
}

/**
 * Whether a member's route is Accepted now where its row was shown without it: a round's wait ends at the first
 * refusal, which a controller may take back (Traefik refused a route as NotAllowedByListeners while it had not yet
 * seen the listener written just before it). A round then waits for it again and prints its endpoint.
 */
function acceptedSince(route: RouteObject, kept: Kept, rows: Exposure[]): boolean {
  const row = rows.find((r) => r.route?.name === nameOf(route));
  return !!row?.route && !row.route.accepted && !!kept.gateway && routeState(route, kept.gateway).accepted;
}

/**
 * Whether a member's pod now runs on another node than its row shows, for NodePort Services, whose endpoint is the
 * node's address: a round reads the nodes again and rewrites the endpoint (and the published ConfigMap).
 */
export function podMoved(pod: V1Pod, rows: Exposure[]): boolean {
  const row = rows.find((r) => r.pod === nameOf(pod));
  const node = pod.spec?.nodeName;
  return !!row && row.service?.type === 'NodePort' && !!node && node !== row.node;
}

/**
 * The log line of each write of a round. A member's Service that was written before and is written again was deleted
 * or changed by someone else: it is restored (after a re-created StatefulSet, only re-owned).
 */
export function actionNotes(actions: Action[], kept: Kept, recreated: boolean): Note[] {
  return actions.flatMap((a): Note[] => {
    if (a.kind === 'unchanged') return [];
    const write = { object: `service/${a.desired.name}`, pod: a.desired.pod, existing: a.existing };
    return [writeNote(write, kept.desired.has(a.desired.name) && !recreated)];
  });
}

/** The same for the Gateway mode's routes: each one created, or restored after someone deleted or changed it. */
export function routeNotes(
  routes: DesiredRoute[],
  existing: Map<string, RouteObject>,
  kept: Kept,
  recreated: boolean,
): Note[] {
  return routes.flatMap((r): Note[] => {
    const before = existing.get(r.name);
    if (before && routeUpToDate(r.route, before)) return [];
    const write = { object: `${r.route.kind?.toLowerCase()}/${r.name}`, pod: r.pod, existing: before };
    return [writeNote(write, kept.routes.has(r.name) && !recreated)];
  });
}

/**
 * The same for expose-sts's own Gateway (--gateway-class), as this round read it (`before`): created; restored after
 * someone deleted it, or changed its spec (a generation past the one the last round saw) from what it should be; or
 * configured (a listener for a new member, from here).
 */
export function gatewayNotes(
  own: GatewayObject | undefined,
  before: GatewayObject | undefined,
  kept: Kept,
  recreated: boolean,
): Note[] {
  if (!own) return [];
  const object = `gateway/${nameOf(own)}`;
  const wasOurs = !!kept.gateway && !recreated;
  if (!before)
    return [
      wasOurs
        ? { reason: 'Restored', object, message: `${object} restored: it was deleted` }
        : { reason: 'Created', object, message: `${object} created` },
    ];
  if (routeUpToDate(own, before)) return [];
  const changed = wasOurs && (before.metadata?.generation ?? 0) > (kept.gateway?.generation ?? 0);
  return [
    changed
      ? { reason: 'Restored', object, message: `${object} restored: it was changed` }
      : { reason: 'Configured', object, message: `${object} configured` },
  ];
}

/** A Service or route as listed: what its managedFields say of who wrote it. */
type Written = { metadata?: { managedFields?: unknown } };

/** One write's line: a member's object written before and written again was deleted or changed by someone else. */
function writeNote(w: { object: string; pod: string; existing?: Written }, wasMember: boolean): Note {
  const { object } = w;
  if (!w.existing)
    return wasMember
      ? { reason: 'Restored', object, message: `${object} restored: it was deleted` }
      : { reason: 'Created', object, message: `${object} created for pod ${w.pod}` };
  if (!wasMember) return { reason: 'Configured', object, message: `${object} configured` };
  const by = changedBy(w.existing);
  return { reason: 'Restored', object, message: `${object} restored: it was changed${by ? ` by ${by}` : ''}` };
}

/** Who last changed the object's spec or metadata besides expose-sts, from managedFields (not a controller's status). */
function changedBy(o: Written): string | undefined {
  const updates = ((o.metadata?.managedFields ?? []) as V1ManagedFieldsEntry[]).filter(
    (m) => m.manager !== fieldManager && m.operation === 'Update' && !m.subresource,
  );
  return updates.sort((a, b) => String(b.time ?? '').localeCompare(String(a.time ?? '')))[0]?.manager;
}

/** The StatefulSet's Services that are no member now: their ordinal is gone, or an earlier --name-template named them. */
export function orphansOf(statefulSet: string, services: V1Service[], members: Set<string>): V1Service[] {
  return services.filter((s) => {
    const labels = s.metadata?.labels;
    return isManagedFor(labels, statefulSet) && !members.has(nameOf(s));
  });
}

/** The log line of an orphan, reported or (with --prune) deleted. */
export function orphanNote(svc: V1Service, pruned: boolean, hint: string): Note {
  const object = `service/${nameOf(svc)}`;
  const ordinal = svc.metadata?.labels?.[ordinalLabel];
  const why = ordinal === undefined ? 'it is no member' : `ordinal ${ordinal} is no member now`;
  return pruned
    ? { reason: 'Pruned', object, message: `${object} deleted: ${why}` }
    : { reason: 'Orphaned', object, message: `${object} is orphaned: ${why} (${hint})` };
}
