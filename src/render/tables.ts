// The expose table and the status table, from the one row model (plan/exposure.ts): kubectl's `<none>` and
// `<pending>` for what is absent, one `host:port` endpoint per member (the DNS name as host when it has one; the port
// --endpoint-port names, or the first), and -o wide's node, address, cluster IP, node ports, policy and every endpoint.
import { endpointsKey } from '../plan/endpoints-configmap.ts';
import type { StatusRow } from '../plan/drift.ts';
import { watchEvents } from '../plan/row-changes.ts';
import type { EndpointPort, Exposure } from '../plan/exposure.ts';
import { layTable } from './table.ts';

const none = (v: string | undefined) => v || '<none>';

/** The port named (by its name or the Service port's number), or the first. */
function chosen(ports: EndpointPort[], endpointPort: string | undefined): EndpointPort | undefined {
  if (endpointPort === undefined) return ports[0];
  return ports.find((p) => p.name === endpointPort || String(p.servicePort) === endpointPort);
}

const hostOf = (e: Exposure) => e.service?.hostname ?? e.service?.endpoint?.host;

/** `host:port`; `<pending>` for a load balancer that has no address yet; `<none>` otherwise. */
export function endpointText(e: Exposure, endpointPort?: string): string {
  const endpoint = e.service?.endpoint;
  const port = endpoint && chosen(endpoint.ports, endpointPort);
  if (endpoint && port) return `${hostOf(e)}:${port.port}`;
  return (e.service?.type === 'LoadBalancer' || e.route) && !endpoint ? '<pending>' : '<none>';
}

/** Every port: `name=host:port,…` (the Service port's number where it has no name). */
export function endpointsText(e: Exposure): string {
  const endpoint = e.service?.endpoint;
  if (!endpoint) return endpointText(e);
  return endpoint.ports.map((p) => `${p.name ?? p.servicePort}=${hostOf(e)}:${p.port}`).join(',');
}

/** What -o endpoints prints: the members' endpoints in order, comma-separated; those without one are left out. */
export function endpointsLine(rows: Exposure[], endpointPort?: string): { line: string; missing: string[] } {
  const texts = rows.map((r) => [r.pod, endpointText(r, endpointPort)] as const);
  return {
    line: `${texts.flatMap(([, t]) => (t.startsWith('<') ? [] : [t])).join(',')}\n`,
    missing: texts.flatMap(([pod, t]) => (t.startsWith('<') ? [pod] : [])),
  };
}

/** The ConfigMap's data: each member's endpoint under its pod name, and the joined list under `endpoints`. */
export function configMapData(rows: Exposure[], endpointPort?: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const r of rows) {
    const text = endpointText(r, endpointPort);
    if (!text.startsWith('<')) data[r.pod] = text;
  }
  data[endpointsKey] = endpointsLine(rows, endpointPort).line.trimEnd();
  return data;
}

/** The columns both tables add with -o wide. */
const wideCells = (e: Exposure) => [
  none(e.node),
  none(e.service?.endpoint?.host),
  none(e.service?.clusterIP),
  none(e.service?.nodePorts.join(',')),
  none(e.service?.externalTrafficPolicy),
  endpointsText(e),
];
const wideHeaders = ['NODE', 'ADDRESS', 'CLUSTER-IP', 'NODE-PORTS', 'POLICY', 'ENDPOINTS'];

type ExposeColumns = { wide: boolean; endpointPort?: string };

/** -o wide's GATEWAY column (namespace/name/listener), in tables of the Gateway mode only. */
const routed = (rows: Exposure[]) => rows.some((r) => r.route);

function exposeCells(r: Exposure, opts: ExposeColumns & { routed?: boolean }): string[] {
  const endpoint = endpointText(r, opts.endpointPort);
  // READY says the member can be reached there: its pod is Ready and its endpoint is in. A Ready pod beside
  // <pending> is not reachable, and `true` there read as if it were.
  const reachable = r.ready && !endpoint.startsWith('<');
  const cells = [String(r.ordinal), r.pod, none(r.service?.name), none(r.type), endpoint, String(reachable)];
  return opts.wide ? [...cells, ...wideCells(r), ...(opts.routed ? [none(r.route?.gateway)] : [])] : cells;
}

/** The expose table, and a changed row printed later in its columns. */
export function layExposeTable(rows: Exposure[], opts: ExposeColumns): { text: string; row(r: Exposure): string } {
  const headers = ['ORDINAL', 'POD', 'SERVICE', 'TYPE', 'ENDPOINT', 'READY'];
  const columns = { ...opts, routed: routed(rows) };
  if (opts.wide) headers.push(...wideHeaders, ...(columns.routed ? ['GATEWAY'] : []));
  const laid = layTable(
    headers,
    rows.map((r) => exposeCells(r, columns)),
  );
  return { text: laid.text, row: (r) => laid.line(exposeCells(r, columns)) };
}

export const exposeTable = (rows: Exposure[], opts: ExposeColumns): string => layExposeTable(rows, opts).text;

type StatusColumns = {
  /** -o wide's GATEWAY column, in tables of the Gateway mode only (set here, from the rows). */
  routed?: boolean;
  allNamespaces: boolean;
  wide: boolean;
  endpointPort?: string;
  /** kubectl's EVENT column first (--output-watch-events): ADDED for the first table's rows. */
  events?: boolean;
  /** The rows without the header line (--no-headers). */
  noHeaders?: boolean;
};

function statusCells(r: StatusRow, opts: StatusColumns, event?: string): string[] {
  const cells = [
    ...(opts.events ? [event ?? 'ADDED'] : []),
    ...(opts.allNamespaces ? [r.namespace] : []),
    r.statefulSet,
    String(r.ordinal),
    none(r.service?.name),
    none(r.type),
    endpointText(r, opts.endpointPort),
    r.state,
  ];
  return opts.wide
    ? [...cells, r.pod, ...wideCells(r), ...(opts.routed ? [none(r.route?.gateway)] : []), none(r.reason)]
    : cells;
}

/** The status table, and a changed row printed later in its columns. */
export function layStatusTable(
  rows: StatusRow[],
  opts: StatusColumns,
): { text: string; row(r: StatusRow, event?: string): string } {
  const headers = [
    // As wide as the longest event, so a MODIFIED row after a table of ADDED ones keeps the columns.
    ...(opts.events ? ['EVENT'.padEnd(Math.max(...watchEvents.map((e) => e.length)))] : []),
    ...(opts.allNamespaces ? ['NAMESPACE'] : []),
    'STATEFULSET',
    'ORDINAL',
    'SERVICE',
    'TYPE',
    'ENDPOINT',
    'STATE',
  ];
  const columns = { ...opts, routed: routed(rows) };
  if (opts.wide) headers.push('POD', ...wideHeaders, ...(columns.routed ? ['GATEWAY'] : []), 'REASON');
  const laid = layTable(
    headers,
    rows.map((r) => statusCells(r, columns)),
    opts.noHeaders,
  );
  return { text: laid.text, row: (r, event) => laid.line(statusCells(r, columns, event)) };
}

export const statusTable = (rows: StatusRow[], opts: StatusColumns): string => layStatusTable(rows, opts).text;
