// Desired vs actual → what to write. Skipping Services that are already right keeps a re-run at zero writes; what the
// tool applied earlier but no longer wants (a dropped annotation) is found in server-side apply's managedFields.
import type { V1Service } from '@kubernetes/client-node';
import type { DesiredService } from './service.ts';
import { nameOf } from './meta.ts';
import { fieldManager, isManaged, managedFor, statefulSetLabel } from './ownership.ts';

export type ActionKind = 'create' | 'update' | 'unchanged' | 'adopt';

export interface Action {
  kind: ActionKind;
  desired: DesiredService;
  existing?: V1Service;
  /**
   * The Service's ports are replaced before it is applied: apply merges `ports` by port and protocol, so a port
   * someone else set (an adopted Service's, or one changed by hand) would stay beside ours, and two of them named
   * alike make the Service invalid ("spec.ports[1].name: Duplicate value") on every re-run.
   */
  replacePorts?: boolean;
}

const portKey = (p: { port: number; protocol?: string }) => `${p.port}/${p.protocol ?? 'TCP'}`;

/** Ports of the Service that the desired ones do not have: apply would keep them. */
function foreignPorts(desired: V1Service, existing: V1Service): boolean {
  const wanted = new Set((desired.spec?.ports ?? []).map(portKey));
  return (existing.spec?.ports ?? []).some((p) => !wanted.has(portKey(p)));
}

export interface Plan {
  actions: Action[];
  /** Services the tool must not touch; any of them stops the run before anything is written. */
  conflicts: string[];
}

export function planActions(desired: DesiredService[], existing: V1Service[], adopt: boolean): Plan {
  const byName = new Map(existing.map((s) => [nameOf(s), s]));
  const actions: Action[] = [];
  const conflicts: string[] = [];
  for (const d of desired) {
    const name = d.name;
    const found = byName.get(name);
    if (!found) {
      actions.push({ kind: 'create', desired: d });
    } else if (!isManaged(found.metadata?.labels)) {
      if (adopt) actions.push({ kind: 'adopt', desired: d, existing: found, replacePorts: true });
      else
        conflicts.push(
          `service "${name}" already exists and is not managed by expose-sts: use --adopt to take it over, or --name-template to choose other names`,
        );
    } else if (found.metadata?.labels?.[statefulSetLabel] !== d.service.metadata?.labels?.[statefulSetLabel]) {
      conflicts.push(
        `service "${name}" is managed by expose-sts ${managedFor(found.metadata?.labels)}: use --name-template to choose other names`,
      );
    } else {
      const kind = isUpToDate(d.service, found) ? 'unchanged' : 'update';
      actions.push({
        kind,
        desired: d,
        existing: found,
        ...(kind === 'update' && foreignPorts(d.service, found) && { replacePorts: true }),
      });
    }
  }
  return { actions, conflicts };
}

const sameSet = (a: string[] = [], b: string[] = []) => a.length === b.length && a.every((x) => b.includes(x));
const contains = (outer: Record<string, string> = {}, inner: Record<string, string> = {}) =>
  Object.entries(inner).every(([k, v]) => outer[k] === v);

/** Fields this tool's field manager owns on the object, from managedFields (e.g. `metadata.labels` → keys). */
export function ownedFields(svc: V1Service): {
  labels: string[];
  annotations: string[];
  ownerReferences: boolean;
  spec: string[];
} {
  const entry = svc.metadata?.managedFields?.find((m) => m.manager === fieldManager && m.operation === 'Apply');
  const f = (entry?.fieldsV1 ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  const keys = (o: Record<string, unknown> | undefined) =>
    Object.keys(o ?? {})
      .filter((k) => k.startsWith('f:'))
      .map((k) => k.slice(2));
  return {
    labels: keys(f['f:metadata']?.['f:labels'] as Record<string, unknown>),
    annotations: keys(f['f:metadata']?.['f:annotations'] as Record<string, unknown>),
    ownerReferences: !!f['f:metadata']?.['f:ownerReferences'],
    spec: keys(f['f:spec']),
  };
}

export function isUpToDate(desired: V1Service, actual: V1Service): boolean {
  const dm = desired.metadata ?? {};
  const am = actual.metadata ?? {};
  const ds = desired.spec ?? {};
  const as = actual.spec ?? {};
  if (!contains(am.labels, dm.labels) || !contains(am.annotations, dm.annotations)) return false;
  const wantOwner = dm.ownerReferences?.[0];
  if (wantOwner && !am.ownerReferences?.some((o) => o.uid === wantOwner.uid && o.kind === wantOwner.kind)) return false;
  if (ds.type !== as.type) return false;
  if (JSON.stringify(ds.selector) !== JSON.stringify(as.selector ?? {})) return false;
  // A node port counts only where one is asked for (--node-port): elsewhere the API server's allocation stands.
  const pinned = new Set(ds.ports?.filter((p) => p.nodePort !== undefined).map((p) => p.port));
  const fullKey = (p: { name?: string; port: number; targetPort?: unknown; protocol?: string; nodePort?: number }) =>
    `${p.name ?? ''}|${p.port}|${String(p.targetPort ?? p.port)}|${p.protocol ?? 'TCP'}|${pinned.has(p.port) ? p.nodePort : ''}`;
  if (!sameSet(ds.ports?.map(fullKey), as.ports?.map(fullKey))) return false;
  if (ds.loadBalancerClass !== as.loadBalancerClass) return false;
  if (!sameSet(ds.loadBalancerSourceRanges, as.loadBalancerSourceRanges)) return false;
  // Every other field asked for (externalTrafficPolicy, loadBalancerIP, publishNotReadyAddresses, …) as asked.
  const compared = new Set(['type', 'selector', 'ports', 'loadBalancerClass', 'loadBalancerSourceRanges']);
  for (const [key, value] of Object.entries(ds)) {
    if (compared.has(key) || value === undefined) continue;
    if (JSON.stringify(value) !== JSON.stringify((as as Record<string, unknown>)[key])) return false;
  }

  // What the tool applied before and no longer asks for must be removed by a new apply.
  const owned = ownedFields(actual);
  if (owned.labels.some((k) => !(k in (dm.labels ?? {})))) return false;
  if (owned.annotations.some((k) => !(k in (dm.annotations ?? {})))) return false;
  if (owned.ownerReferences && !wantOwner) return false;
  if (owned.spec.some((k) => (ds as Record<string, unknown>)[k] === undefined)) return false;
  return true;
}
