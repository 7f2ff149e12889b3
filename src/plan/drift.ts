// What is exposed and what has drifted: managed Services against their StatefulSets and pods. Pure, so every state
// is unit-tested; status prints it and prune deletes what it calls Orphaned.
import { gatewayAddress, type GatewayObject, routeAnnotation } from './gateway.ts';
import { parentOf, type RouteObject, routeProblem, routeRow, routeState } from './route.ts';
import type { CoreV1Event, V1Node, V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { lbAddresses, podReady } from './endpoint.ts';
import { type Exposure, exposureOf } from './exposure.ts';
import { requestedAddress, requestedAddresses } from './load-balancer.ts';
import { nameOf, namespaceOf, uidOf } from './meta.ts';
import { ordinals, podName } from './ordinal.ts';
import { pendingReasons } from './warnings.ts';
import {
  fieldManager,
  isManaged,
  ordinalKey,
  ordinalLabel,
  podNameLabel,
  servicesInUse,
  statefulSetLabel,
} from './ownership.ts';

export const states = ['Ready', 'Pending', 'PodNotReady', 'Missing', 'Orphaned', 'Modified', 'WrongAddress'] as const;
type State = (typeof states)[number];

/** An ordinal as status sees it: the exposure, and its state with why. */
export interface StatusRow extends Exposure {
  state: State;
  /** Why the state is what it is, for -o wide/json and the summary; '' when Ready. */
  reason: string;
}

export interface Inventory {
  services: V1Service[];
  statefulSets: V1StatefulSet[];
  pods: V1Pod[];
  nodes: V1Node[];
  /** The Gateway mode's routes and the Gateways they name: read only where a Service says it has a route. */
  routes?: RouteObject[];
  gateways?: GatewayObject[];
}

const key = (ns: string, name: string) => `${ns}/${name}`;

/** Fields whose change by someone else makes a Service Modified: they decide which pod it reaches and how. */
const guardedFields = ['f:selector', 'f:type', 'f:ports'];

/** The manager that changed a field the tool applied, from managedFields, if any. */
export function modifiedBy(svc: V1Service, pod: string): string | undefined {
  const selector = svc.spec?.selector ?? {};
  if (Object.keys(selector).length !== 1 || selector[podNameLabel] !== pod) {
    const other = svc.metadata?.managedFields?.find(
      (m) =>
        m.manager !== fieldManager &&
        (m.fieldsV1 as Record<string, Record<string, unknown>>)?.['f:spec']?.['f:selector'],
    );
    return other?.manager ?? 'someone';
  }
  // Only Services the tool applied itself have fields to lose; ones created from its manifest by kubectl apply do not.
  const ours = svc.metadata?.managedFields?.find((m) => m.manager === fieldManager && m.operation === 'Apply');
  if (!ours) return undefined;
  const applied = Date.parse(String(ours.time ?? ''));
  const other = svc.metadata?.managedFields?.find((m) => {
    if (m.manager === fieldManager || m.operation !== 'Update') return false;
    // A change from before the tool's last apply was taken over by it (timestamps are whole seconds: one from the
    // same second may have come after, and counts).
    if (Date.parse(String(m.time ?? '')) < applied) return false;
    const spec = (m.fieldsV1 as Record<string, Record<string, unknown>>)?.['f:spec'] ?? {};
    return guardedFields.some((f) => f in spec);
  });
  return other?.manager;
}

/** The inventory indexed for assess: StatefulSets and pods by namespace/name, nodes by name. */
interface Indexed {
  stsByKey: Map<string, V1StatefulSet>;
  podByKey: Map<string, V1Pod>;
  nodes: Map<string, V1Node>;
  inUse: Map<string, V1Service>;
  /** Routes by kind/namespace/name, Gateways by namespace/name; undefined where routes were not read (forbidden). */
  routes?: Map<string, RouteObject>;
  gateways: Map<string, GatewayObject>;
}

/** Why a Service whose ordinal and StatefulSet are known is no longer in use, if it is not. */
function orphanedBecause(svc: V1Service, stsName: string, sts: V1StatefulSet | undefined, replacement: string) {
  const labels = svc.metadata?.labels ?? {};
  const ordinal = Number(labels[ordinalLabel]);
  const owner = svc.metadata?.ownerReferences?.find((o) => o.kind === 'StatefulSet' && o.name === stsName);
  const range = sts ? ordinals(sts) : [];
  if (!sts) return `statefulset ${stsName} not found`;
  if (owner && owner.uid !== uidOf(sts)) return `statefulset ${stsName} was recreated`;
  if (!Number.isInteger(ordinal) || !range.includes(ordinal))
    return `ordinal ${labels[ordinalLabel]} out of range ${range.length ? `${range[0]}-${range[range.length - 1]}` : '(0 replicas)'}`;
  if (replacement !== nameOf(svc)) return `replaced by service ${replacement} (another --name-template)`;
  return undefined;
}

/** The state of a Service in use, and why: checked in the order a user would fix them. */
function stateOf(svc: V1Service, pod: string, podObj: V1Pod | undefined): [State, string] {
  const changer = modifiedBy(svc, pod);
  const requested = svc.spec?.type === 'LoadBalancer' ? requestedAddress(svc) : undefined;
  const got = lbAddresses(svc);
  if (changer) return ['Modified', `changed by ${changer}`];
  if (svc.spec?.type === 'LoadBalancer' && !svc.status?.loadBalancer?.ingress?.length)
    return ['Pending', `no load-balancer address yet${requested ? ` (requested ${requested})` : ''}`];
  if (requested && requestedAddresses(svc).some((ip) => !got.includes(ip)))
    return ['WrongAddress', `address ${got.join(', ')}, requested ${requested}`];
  if (!podReady(podObj)) return ['PodNotReady', podObj ? `pod ${pod} not ready` : `pod ${pod} not found`];
  return ['Ready', ''];
}

/** A managed Service's row, or undefined for one not ours or out of scope. */
function serviceRow(svc: V1Service, at: Indexed, scope: { statefulSet?: string }): StatusRow | undefined {
  const labels = svc.metadata?.labels ?? {};
  if (!isManaged(labels)) return undefined; // never ours, whatever the list returned
  const ns = namespaceOf(svc);
  const stsName = labels[statefulSetLabel];
  if (!stsName || (scope.statefulSet && stsName !== scope.statefulSet)) return undefined;
  const ordinal = Number(labels[ordinalLabel]);
  const pod = podName(stsName, ordinal);
  const podObj = at.podByKey.get(key(ns, pod));
  const replacement = nameOf(at.inUse.get(ordinalKey(ns, stsName, labels[ordinalLabel])) ?? svc);
  const orphaned = orphanedBecause(svc, stsName, at.stsByKey.get(key(ns, stsName)), replacement);
  const row = exposureOf({ namespace: ns, statefulSet: stsName, ordinal, pod }, svc, podObj, at.nodes);
  const [state, reason]: [State, string] = orphaned ? ['Orphaned', orphaned] : stateOf(svc, pod, podObj);
  const kind = svc.metadata?.annotations?.[routeAnnotation];
  if (!kind) return { ...row, state, reason };
  // Routes not read (they may not be listed or watched, or status -w has not widened to them yet): the Service's own
  // state, and no endpoint, since its cluster IP is not where clients reach it.
  if (!at.routes)
    return { ...row, type: kind, service: row.service && { ...row.service, endpoint: undefined }, state, reason };
  // The Gateway mode: the member is reached through its route, which has a state of its own before the Service's.
  const route = at.routes.get(`${kind}/${key(ns, nameOf(svc))}`);
  const ref = route && parentOf(route);
  const gateway = ref && at.gateways.get(key(ref.namespace, ref.name));
  const problem =
    orphaned || (state !== 'Ready' && state !== 'PodNotReady') ? undefined : routeProblem(kind, route, gateway, ref);
  const section = route?.spec?.parentRefs?.[0]?.sectionName;
  const listener = gateway?.spec?.listeners?.find((l) => l.name === section);
  const routedRow =
    route && ref
      ? routeRow(row, route, {
          gateway: ref,
          attachment: { listener: section, port: listener?.port },
          state: problem ? { accepted: false } : routeState(route, ref),
          address: gatewayAddress(gateway),
        })
      : { ...row, type: kind };
  return { ...routedRow, state: problem?.[0] ?? state, reason: problem?.[1] ?? reason };
}

/** Ordinals in range with no managed Service: typically a scale-up without a re-run of expose. */
function missingRows(rows: StatusRow[], at: Indexed): StatusRow[] {
  const seen = new Map<string, Set<number>>(); // exposed StatefulSet → ordinals that have a Service
  for (const r of rows)
    seen.set(key(r.namespace, r.statefulSet), (seen.get(key(r.namespace, r.statefulSet)) ?? new Set()).add(r.ordinal));
  const missing: StatusRow[] = [];
  for (const [k, have] of seen) {
    const sts = at.stsByKey.get(k);
    if (!sts) continue;
    const [ns, stsName] = [namespaceOf(sts), nameOf(sts)];
    const type = rows.find((r) => r.namespace === ns && r.statefulSet === stsName)?.type;
    for (const ordinal of ordinals(sts)) {
      if (have.has(ordinal)) continue;
      const pod = podName(stsName, ordinal);
      const podObj = at.podByKey.get(key(ns, pod));
      missing.push({
        namespace: ns,
        statefulSet: stsName,
        ordinal,
        pod,
        node: podObj?.spec?.nodeName,
        ready: podReady(podObj),
        type,
        state: 'Missing',
        reason: 'no Service: run kubectl expose-sts again',
      });
    }
  }
  return missing;
}

export function assess(inv: Inventory, scope: { statefulSet?: string }): StatusRow[] {
  const at: Indexed = {
    stsByKey: new Map(inv.statefulSets.map((s) => [key(namespaceOf(s), nameOf(s)), s])),
    podByKey: new Map(inv.pods.map((p) => [key(namespaceOf(p), nameOf(p)), p])),
    nodes: new Map(inv.nodes.map((n) => [nameOf(n), n])),
    inUse: servicesInUse(inv.services),
    routes: inv.routes && new Map(inv.routes.map((r) => [`${r.kind}/${key(namespaceOf(r), nameOf(r))}`, r])),
    gateways: new Map((inv.gateways ?? []).map((g) => [key(namespaceOf(g), nameOf(g)), g])),
  };
  const rows = inv.services.flatMap((svc) => serviceRow(svc, at, scope) ?? []);
  return [...rows, ...missingRows(rows, at)].sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) || a.statefulSet.localeCompare(b.statefulSet) || a.ordinal - b.ordinal,
  );
}

/** Pending rows with what the load balancer said of their Service, where it said something (status -o wide). */
export function withWarnings(rows: StatusRow[], events: CoreV1Event[]): StatusRow[] {
  return rows.map((r) => {
    const name = r.service?.name;
    if (r.state !== 'Pending' || !name) return r;
    const said = pendingReasons(
      events.filter((e) => e.involvedObject?.namespace === r.namespace),
      [name],
      r.namespace,
    )[0];
    return said ? { ...r, reason: `${r.reason}: ${said.text}` } : r;
  });
}
