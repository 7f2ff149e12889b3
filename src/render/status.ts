// status output besides its table: the summary line per StatefulSet, and -o json|yaml with stable field names.
import { stringify } from 'yaml';
import { type StatusRow, states } from '../plan/drift.ts';
import { endpointText } from './tables.ts';

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

/** The machine-readable form: one object per row; field names are part of the interface, keep them stable. */
function statusDocument(rows: StatusRow[]) {
  return {
    apiVersion: 'expose-sts.io/v1alpha1',
    kind: 'ExposureStatus',
    items: rows.map((r) => ({
      namespace: r.namespace,
      statefulSet: r.statefulSet,
      ordinal: r.ordinal,
      pod: r.pod,
      service: r.service?.name ?? null,
      type: r.type ?? '<none>',
      endpoint: endpointText(r),
      state: r.state,
      reason: r.reason,
      node: r.node ?? '<none>',
      clusterIP: r.service?.clusterIP ?? null,
      externalTrafficPolicy: r.service?.externalTrafficPolicy ?? null,
      loadBalancer: r.service?.ingress ?? [],
      requestedAddress: r.service?.requested ?? null,
    })),
  };
}

export function formatStatus(rows: StatusRow[], format: 'json' | 'yaml'): string {
  const doc = statusDocument(rows);
  return format === 'json' ? `${JSON.stringify(doc, null, 4)}\n` : stringify(doc);
}
