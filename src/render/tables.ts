// The expose table and the status table, from the one row model (plan/exposure.ts): kubectl's `<none>` and
// `<pending>` for what is absent, `host:port,port` endpoints, and -o wide's node, cluster IP, node ports and policy.
import type { StatusRow } from '../plan/drift.ts';
import type { Exposure } from '../plan/exposure.ts';
import { table } from './table.ts';

const none = (v: string | undefined) => v || '<none>';

/** `host:port[,port…]`; `<pending>` for a load balancer that has no address yet; `<none>` otherwise. */
export function endpointText(e: Exposure): string {
  const endpoint = e.service?.endpoint;
  if (endpoint) return `${endpoint.host}:${endpoint.ports.join(',')}`;
  return e.service?.type === 'LoadBalancer' ? '<pending>' : '<none>';
}

/** The columns both tables add with -o wide. */
const wideCells = (e: Exposure) => [
  none(e.node),
  none(e.service?.clusterIP),
  none(e.service?.nodePorts.join(',')),
  none(e.service?.externalTrafficPolicy),
];

export function exposeTable(rows: Exposure[], wide: boolean): string {
  const headers = ['ORDINAL', 'POD', 'SERVICE', 'TYPE', 'ENDPOINT', 'READY'];
  if (wide) headers.push('NODE', 'CLUSTER-IP', 'NODE-PORTS', 'POLICY');
  return table(
    headers,
    rows.map((r) => {
      const cells = [String(r.ordinal), r.pod, none(r.service?.name), none(r.type), endpointText(r), String(r.ready)];
      return wide ? [...cells, ...wideCells(r)] : cells;
    }),
  );
}

export function statusTable(rows: StatusRow[], opts: { allNamespaces: boolean; wide: boolean }): string {
  const headers = [
    ...(opts.allNamespaces ? ['NAMESPACE'] : []),
    'STATEFULSET',
    'ORDINAL',
    'SERVICE',
    'TYPE',
    'ENDPOINT',
    'STATE',
  ];
  if (opts.wide) headers.push('POD', 'NODE', 'CLUSTER-IP', 'NODE-PORTS', 'POLICY', 'REASON');
  return table(
    headers,
    rows.map((r) => {
      const cells = [
        ...(opts.allNamespaces ? [r.namespace] : []),
        r.statefulSet,
        String(r.ordinal),
        none(r.service?.name),
        none(r.type),
        endpointText(r),
        r.state,
      ];
      return opts.wide ? [...cells, r.pod, ...wideCells(r), none(r.reason)] : cells;
    }),
  );
}
