// What is exposed and what has drifted: managed Services against their StatefulSets and pods. Pure, so every state
// is unit-tested; status prints it and prune deletes what it calls Orphaned.
import type { V1Node, V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { endpointOf, podReady } from './endpoint.ts';
import { ordinals, podName } from './ordinal.ts';
import { fieldManager, isManaged, ordinalLabel, podNameLabel, statefulSetLabel } from './ownership.ts';

export const states = ['Ready', 'Pending', 'PodNotReady', 'Missing', 'Orphaned', 'Modified'] as const;
export type State = (typeof states)[number];

export interface StatusRow {
  namespace: string;
  statefulSet: string;
  ordinal: number;
  /** undefined for a Missing row: the ordinal has no Service yet. */
  service?: V1Service;
  type: string;
  endpoint: string;
  state: State;
  /** Why the state is what it is, for -o wide/json and the summary. */
  reason: string;
  pod: string;
  node: string;
}

export interface Inventory {
  services: V1Service[];
  statefulSets: V1StatefulSet[];
  pods: V1Pod[];
  nodes: V1Node[];
}

const key = (ns: string, name: string) => `${ns}/${name}`;

/** Fields whose change by someone else makes a Service Modified: they decide which pod it reaches and how. */
const guardedFields = ['f:selector', 'f:type', 'f:ports'];

/** The manager that changed a field the tool applied, from managedFields, if any. */
export function modifiedBy(svc: V1Service, pod: string): string | undefined {
  const selector = svc.spec?.selector ?? {};
  if (Object.keys(selector).length !== 1 || selector[podNameLabel] !== pod) {
    const other = svc.metadata?.managedFields?.find((m) => m.manager !== fieldManager && (m.fieldsV1 as Record<string, Record<string, unknown>>)?.['f:spec']?.['f:selector']);
    return other?.manager ?? 'someone';
  }
  // Only Services the tool applied itself have fields to lose; ones created from its manifest by kubectl apply do not.
  if (!svc.metadata?.managedFields?.some((m) => m.manager === fieldManager && m.operation === 'Apply')) return undefined;
  const other = svc.metadata.managedFields.find((m) => {
    if (m.manager === fieldManager || m.operation !== 'Update') return false;
    const spec = (m.fieldsV1 as Record<string, Record<string, unknown>>)?.['f:spec'] ?? {};
    return guardedFields.some((f) => f in spec);
  });
  return other?.manager;
}

export function assess(inv: Inventory, scope: { statefulSet?: string }): StatusRow[] {
  const stsByKey = new Map(inv.statefulSets.map((s) => [key(s.metadata!.namespace!, s.metadata!.name!), s]));
  const podByKey = new Map(inv.pods.map((p) => [key(p.metadata!.namespace!, p.metadata!.name!), p]));
  const nodes = new Map(inv.nodes.map((n) => [n.metadata!.name!, n]));
  const rows: StatusRow[] = [];
  const seen = new Map<string, Set<number>>(); // exposed StatefulSet → ordinals that have a Service

  for (const svc of inv.services) {
    const labels = svc.metadata?.labels ?? {};
    if (!isManaged(labels)) continue; // never ours, whatever the list returned
    const ns = svc.metadata!.namespace!;
    const stsName = labels[statefulSetLabel];
    if (!stsName || (scope.statefulSet && stsName !== scope.statefulSet)) continue;
    const ordinal = Number(labels[ordinalLabel]);
    const pod = podName(stsName, ordinal);
    const sts = stsByKey.get(key(ns, stsName));
    const podObj = podByKey.get(key(ns, pod));
    const node = podObj?.spec?.nodeName;
    const owner = svc.metadata?.ownerReferences?.find((o) => o.kind === 'StatefulSet' && o.name === stsName);
    const range = sts ? ordinals(sts) : [];
    if (!seen.has(key(ns, stsName))) seen.set(key(ns, stsName), new Set());
    seen.get(key(ns, stsName))!.add(ordinal);

    let state: State;
    let reason: string;
    const changer = modifiedBy(svc, pod);
    if (!sts) [state, reason] = ['Orphaned', `statefulset ${stsName} not found`];
    else if (owner && owner.uid !== sts.metadata!.uid) [state, reason] = ['Orphaned', `statefulset ${stsName} was recreated`];
    else if (!Number.isInteger(ordinal) || !range.includes(ordinal)) [state, reason] = ['Orphaned', `ordinal ${labels[ordinalLabel]} out of range ${range.length ? `${range[0]}-${range[range.length - 1]}` : '(0 replicas)'}`];
    else if (changer) [state, reason] = ['Modified', `changed by ${changer}`];
    else if (svc.spec?.type === 'LoadBalancer' && !svc.status?.loadBalancer?.ingress?.length) [state, reason] = ['Pending', 'no load-balancer address yet'];
    else if (!podReady(podObj)) [state, reason] = ['PodNotReady', podObj ? `pod ${pod} not ready` : `pod ${pod} not found`];
    else [state, reason] = ['Ready', ''];

    rows.push({
      namespace: ns, statefulSet: stsName, ordinal, service: svc, type: svc.spec?.type ?? 'ClusterIP',
      endpoint: endpointOf(svc, podObj, node ? nodes.get(node) : undefined), state, reason, pod, node: node ?? '<none>',
    });
  }

  // Ordinals in range with no managed Service: typically a scale-up without a re-run of expose.
  for (const [k, have] of seen) {
    const sts = stsByKey.get(k);
    if (!sts) continue;
    const [ns, stsName] = [sts.metadata!.namespace!, sts.metadata!.name!];
    const type = rows.find((r) => r.namespace === ns && r.statefulSet === stsName)?.type ?? '<none>';
    for (const ordinal of ordinals(sts)) {
      if (have.has(ordinal)) continue;
      const pod = podName(stsName, ordinal);
      rows.push({ namespace: ns, statefulSet: stsName, ordinal, type, endpoint: '<none>', state: 'Missing',
        reason: 'no Service: run kubectl expose-sts again', pod, node: podByKey.get(key(ns, pod))?.spec?.nodeName ?? '<none>' });
    }
  }
  return rows.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.statefulSet.localeCompare(b.statefulSet) || a.ordinal - b.ordinal);
}

/** One line per StatefulSet: `statefulset mydb: 3 Ready, 2 Orphaned`. */
export function summaries(rows: StatusRow[], allNamespaces: boolean): string[] {
  const groups = new Map<string, StatusRow[]>();
  for (const r of rows) {
    const k = `statefulset ${allNamespaces ? `${r.namespace}/` : ''}${r.statefulSet}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups].map(([name, rs]) => {
    const counts = states.map((s) => [s, rs.filter((r) => r.state === s).length] as const).filter(([, n]) => n > 0);
    return `${name}: ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}`;
  });
}
