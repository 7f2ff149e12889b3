// status output besides its table: the summary line per StatefulSet, the published ConfigMaps that are stale, and
// -o json|yaml with stable field names.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { endpointPortAnnotation } from '../plan/endpoints-configmap.ts';
import { type StatusRow, states } from '../plan/drift.ts';
import type { GatewayObject } from '../plan/gateway.ts';
import { nameOf, namespaceOf } from '../plan/meta.ts';
import { statefulSetLabel } from '../plan/ownership.ts';
import { configMapData, endpointsText, endpointText } from './tables.ts';

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

export interface ConfigMapState {
  namespace: string;
  name: string;
  statefulSet: string;
  /**
   * Keys whose value is not what the Services say now (a member added, an address changed); `state`: the member's,
   * where it is there but has no endpoint now (Pending: a load balancer or a Gateway without its address).
   */
  differences: { key: string; has?: string; wants?: string; state?: string }[];
  /** No Service publishes to it any more (a run without --publish-configmap): prune deletes it. */
  orphaned?: true;
}

/** Each published ConfigMap, against what its StatefulSet's Services say now. */
export function configMapStates(rows: StatusRow[], configMaps: V1ConfigMap[]): ConfigMapState[] {
  return configMaps.flatMap((cm) => {
    const namespace = cm.metadata?.namespace ?? '';
    const name = cm.metadata?.name ?? '';
    const members = rows.filter((r) => r.namespace === namespace && r.service?.configMap === name);
    if (!members.length) {
      const statefulSet = cm.metadata?.labels?.[statefulSetLabel] ?? '';
      return [{ namespace, name, statefulSet, differences: [], orphaned: true as const }];
    }
    const wants = configMapData(members, cm.metadata?.annotations?.[endpointPortAnnotation]);
    const has = cm.data ?? {};
    const keys = [...new Set([...Object.keys(wants), ...Object.keys(has)])];
    const differences = keys
      .filter((k) => wants[k] !== has[k])
      .map((key) => {
        const member = wants[key] === undefined ? members.find((m) => m.pod === key) : undefined;
        return { key, has: has[key], wants: wants[key], ...(member && { state: member.state }) };
      });
    return [{ namespace, name, statefulSet: members[0].statefulSet, differences }];
  });
}

/** What a member says now where the ConfigMap says otherwise. */
const otherwise = (d: ConfigMapState['differences'][number]) =>
  d.wants !== undefined
    ? `its Service ${d.wants}`
    : d.state
      ? `and it has no endpoint now (${d.state})`
      : 'its Service is gone';

/** `configmap kafka-endpoints is stale: kafka-2 says 198.18.0.5:9092, its Service 198.18.0.7:9092; …` */
export function staleLines(states: ConfigMapState[], allNamespaces: boolean): string[] {
  return states
    .filter((s) => s.differences.length || s.orphaned)
    .map((s) => {
      const name = `${allNamespaces ? `${s.namespace}/` : ''}${s.name}`;
      if (s.orphaned)
        return `configmap ${name} is published by no Service of statefulset ${s.statefulSet} any more (kubectl expose-sts prune ${s.statefulSet} -n ${s.namespace} deletes it)`;
      const what = s.differences
        .filter((d) => d.key !== 'endpoints')
        .slice(0, 3)
        .map((d) => `${d.key} says ${d.has ?? 'nothing'}, ${otherwise(d)}`);
      return `configmap ${name} is stale${what.length ? `: ${what.join('; ')}` : ''} (kubectl expose-sts ${s.statefulSet} -n ${s.namespace} writes it again)`;
    });
}

/** An idle own Gateway as status names it: where it is, and the StatefulSet it was made for. */
const idleGateway = (g: GatewayObject) => ({
  namespace: namespaceOf(g),
  name: nameOf(g),
  statefulSet: g.metadata?.labels?.[statefulSetLabel] ?? '',
});

/** expose-sts's own Gateways that no route attaches to any more: a load balancer nothing uses, which prune deletes. */
export function idleGatewayLines(gateways: GatewayObject[]): string[] {
  return gateways
    .map(idleGateway)
    .map(
      ({ namespace, name, statefulSet }) =>
        `gateway ${namespace}/${name} that expose-sts made for statefulset ${statefulSet} has no route any more (kubectl expose-sts prune ${statefulSet} -n ${namespace} deletes it)`,
    );
}

/**
 * The machine-readable form: one object per row; field names are part of the interface, keep them stable.
 * `idleGateways`: expose-sts's own Gateways no route uses, which the table's summary names.
 */
function statusDocument(rows: StatusRow[], configMaps: ConfigMapState[], idleGateways: GatewayObject[]) {
  return {
    apiVersion: 'expose-sts.io/v1alpha1',
    kind: 'ExposureStatus',
    items: rows.map(rowDocument),
    configMaps: configMaps.map((c) => ({ ...c, stale: c.differences.length > 0 || !!c.orphaned })),
    idleGateways: idleGateways.map(idleGateway),
  };
}

/** One row of -o json|yaml. */
function rowDocument(r: StatusRow) {
  return {
    namespace: r.namespace,
    statefulSet: r.statefulSet,
    ordinal: r.ordinal,
    pod: r.pod,
    service: r.service?.name ?? null,
    type: r.type ?? '<none>',
    endpoint: endpointText(r),
    endpoints: endpointsText(r),
    hostname: r.service?.hostname ?? null,
    address: r.service?.endpoint?.host ?? null,
    state: r.state,
    reason: r.reason,
    node: r.node ?? '<none>',
    clusterIP: r.service?.clusterIP ?? null,
    externalTrafficPolicy: r.service?.externalTrafficPolicy ?? null,
    loadBalancer: r.service?.ingress ?? [],
    requestedAddress: r.service?.requested ?? null,
  };
}

/**
 * A changed row under status --watch -o json|yaml, as kubectl get --watch prints an object: alone, or with
 * --output-watch-events as a watch event ({"type": "MODIFIED", "object": …}).
 */
export function formatRowChange(row: StatusRow, format: 'json' | 'yaml', event?: string): string {
  const doc = event ? { type: event, object: rowDocument(row) } : rowDocument(row);
  return format === 'json' ? `${JSON.stringify(doc, null, 4)}\n` : `---\n${stringify(doc)}`;
}

export function formatStatus(
  rows: StatusRow[],
  configMaps: ConfigMapState[],
  idleGateways: GatewayObject[],
  format: 'json' | 'yaml',
): string {
  const doc = statusDocument(rows, configMaps, idleGateways);
  return format === 'json' ? `${JSON.stringify(doc, null, 4)}\n` : stringify(doc);
}
