// The expose table: ORDINAL POD SERVICE TYPE ENDPOINT READY, and -o wide's node, cluster IP, node ports and policy.
import type { Row } from '../plan/endpoint.ts';
import { table } from './table.ts';

export function exposeTable(rows: Row[], wide: boolean): string {
  const headers = ['ORDINAL', 'POD', 'SERVICE', 'TYPE', 'ENDPOINT', 'READY'];
  if (wide) headers.push('NODE', 'CLUSTER-IP', 'NODE-PORTS', 'POLICY');
  return table(headers, rows.map((r) => {
    const cells = [String(r.ordinal), r.pod, r.service, r.type, r.endpoint, String(r.ready)];
    if (wide) cells.push(r.node, r.clusterIP, r.nodePorts, r.policy);
    return cells;
  }));
}
