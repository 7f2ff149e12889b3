// status output: the drift table (kubectl style), its summary lines, and -o json|yaml with stable field names.
import { stringify } from 'yaml';
import type { StatusRow } from '../plan/drift.ts';
import { table } from './table.ts';

export function statusTable(rows: StatusRow[], opts: { allNamespaces: boolean; wide: boolean }): string {
  const headers = [...(opts.allNamespaces ? ['NAMESPACE'] : []), 'STATEFULSET', 'ORDINAL', 'SERVICE', 'TYPE', 'ENDPOINT', 'STATE'];
  if (opts.wide) headers.push('POD', 'NODE', 'CLUSTER-IP', 'NODE-PORTS', 'POLICY', 'REASON');
  return table(headers, rows.map((r) => {
    const cells = [...(opts.allNamespaces ? [r.namespace] : []), r.statefulSet, String(r.ordinal), r.service?.metadata?.name ?? '<none>', r.type, r.endpoint, r.state];
    if (opts.wide) {
      const ports = (r.service?.spec?.ports ?? []).map((p) => p.nodePort).filter((n) => n !== undefined);
      cells.push(r.pod, r.node, r.service?.spec?.clusterIP ?? '<none>', ports.length ? ports.join(',') : '<none>',
        r.service?.spec?.externalTrafficPolicy ?? '<none>', r.reason || '<none>');
    }
    return cells;
  }));
}

/** The machine-readable form: one object per row; field names are part of the interface, keep them stable. */
export function statusDocument(rows: StatusRow[]) {
  return {
    apiVersion: 'expose-sts.io/v1alpha1',
    kind: 'ExposureStatus',
    items: rows.map((r) => ({
      namespace: r.namespace,
      statefulSet: r.statefulSet,
      ordinal: r.ordinal,
      pod: r.pod,
      service: r.service?.metadata?.name ?? null,
      type: r.type,
      endpoint: r.endpoint,
      state: r.state,
      reason: r.reason,
      node: r.node,
      clusterIP: r.service?.spec?.clusterIP ?? null,
      externalTrafficPolicy: r.service?.spec?.externalTrafficPolicy ?? null,
      loadBalancer: r.service?.status?.loadBalancer?.ingress ?? [],
    })),
  };
}

export function formatStatus(rows: StatusRow[], format: 'json' | 'yaml'): string {
  const doc = statusDocument(rows);
  return format === 'json' ? JSON.stringify(doc, null, 4) + '\n' : stringify(doc);
}
