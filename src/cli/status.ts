// kubectl expose-sts status [STATEFULSET]: what is exposed, where it answers, and what has drifted.
import { UsageError } from '../errors.ts';
import type { Api } from '../kube/api.ts';
import { type StatusOptions, statusFlags, validateStatusFlags } from '../options/status.ts';
import { assess, type StatusRow, withWarnings } from '../plan/drift.ts';
import { endpointPortProblem } from '../plan/service.ts';
import { idleOwnGateways } from '../plan/route.ts';
import { configMapStates, formatStatus, idleGatewayLines, staleLines, summaries } from '../render/status.ts';
import { endpointsLine, statusTable } from '../render/tables.ts';
import { followStatus, nothingExposed, statusEndpoints } from './status-watch.ts';
import type { ClusterCommand } from './command.ts';
import type { IO } from './io.ts';

export const statusCommand: ClusterCommand<typeof statusFlags, StatusOptions> = {
  name: 'status',
  summary: 'Show what is exposed, where it answers, and what has drifted',
  description: [
    'Show what is exposed, where it answers, and what has drifted.',
    ' One row per ordinal of every exposed StatefulSet in scope (or of the one named), with its state: Ready, Pending (no load-balancer address yet), PodNotReady, Missing (no Service: run expose again), Orphaned (the ordinal or the StatefulSet is gone: prune deletes it), Modified (someone else changed the selector, type or ports) or WrongAddress (the load balancer gave another address than --load-balancer-ip asked for).',
  ],
  usage: '[STATEFULSET]',
  statefulSetArg: true,
  examples: [
    ['Every exposed StatefulSet of the namespace, one row per ordinal', 'kubectl expose-sts status'],
    [
      'Everywhere, with pods, nodes, node ports and why each row is in its state',
      'kubectl expose-sts status -A -o wide',
    ],
    ['Fail a CI step when mydb has drifted', 'kubectl expose-sts status mydb --exit-code'],
    [
      'Print each row again when its state or endpoint changes, as kubectl get --watch',
      'kubectl expose-sts status mydb -w',
    ],
  ],
  flags: statusFlags,
  validate: validateStatusFlags,
  connects: true,
  run: runStatus,
};

async function runStatus(opts: StatusOptions, api: Api, io: IO): Promise<number> {
  const inventory = await api.readInventory(opts);
  let rows = assess(inventory, opts);
  // Why a row is Pending, where the load balancer said why: only for the outputs that show reasons.
  if (opts.output !== '' && rows.some((r) => r.state === 'Pending')) {
    rows = withWarnings(rows, (await api.readWarnings(false, opts.allNamespaces))?.items ?? []);
  }
  // Published ConfigMaps, and those no Service publishes to any more (which prune deletes).
  if (inventory.configMapsForbidden && rows.some((r) => r.service?.configMap))
    io.err(`warning: ${inventory.configMapsForbidden}, so the published ConfigMaps are not checked\n`);
  const configMaps = configMapStates(rows, inventory.configMaps);
  const idleGateways = idleOwnGateways(inventory.gateways ?? [], inventory.routes, opts.statefulSet);
  const stale = [...staleLines(configMaps, opts.allNamespaces), ...idleGatewayLines(idleGateways)];
  const problem = outputProblem(opts, rows);
  if (problem) throw problem;
  if (opts.watch)
    return followStatus(opts, api, io, {
      rows,
      nodes: inventory.nodes,
      routes: inventory.routesFollowed,
      routesForbidden: inventory.routesForbidden,
    });
  if (opts.output === 'json' || opts.output === 'yaml') {
    io.out(formatStatus(rows, configMaps, idleGateways, opts.output));
  } else if (rows.length === 0) {
    io.err(`${[nothingExposed(opts, api.namespace), ...stale].join('\n')}\n`);
  } else if (opts.output === 'endpoints') {
    io.out(statusEndpoints(endpointsLine(rows, opts.endpointPort), io));
  } else {
    io.out(
      statusTable(rows, {
        allNamespaces: opts.allNamespaces,
        wide: opts.output === 'wide',
        endpointPort: opts.endpointPort,
        noHeaders: opts.noHeaders,
      }),
    );
    if (!opts.noHeaders) io.out(`\n${[...summaries(rows, opts.allNamespaces), ...stale].join('\n')}\n`);
    else if (stale.length) io.err(`${stale.map((l) => `warning: ${l}`).join('\n')}\n`);
  }
  return opts.exitCode && (rows.some((r) => r.state !== 'Ready') || stale.length) ? 1 : 0;
}

/** An --endpoint-port the Services do not have, or -o endpoints over more than one StatefulSet. */
function outputProblem(opts: StatusOptions, rows: StatusRow[]): UsageError | undefined {
  // Checked against the ports of the Services that have an endpoint: expose refuses such a port too.
  const ports = new Map(
    rows.flatMap((r) => r.service?.endpoint?.ports ?? []).map((p) => [p.name ?? p.servicePort, p] as const),
  );
  const portProblem =
    ports.size > 0 &&
    endpointPortProblem(
      opts.endpointPort,
      [...ports.values()].map((p) => ({ name: p.name, port: p.servicePort })),
    );
  if (portProblem) return new UsageError(portProblem);
  const listed = new Set(rows.map((r) => `${r.namespace}/${r.statefulSet}`));
  if (opts.output === 'endpoints' && listed.size > 1)
    return new UsageError(
      `-o endpoints gives one StatefulSet's list, and ${listed.size} are in scope (${[...listed].join(', ')}): name one, e.g. kubectl expose-sts status ${rows[0].statefulSet} -n ${rows[0].namespace} -o endpoints`,
    );
  return undefined;
}
