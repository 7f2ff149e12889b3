// kubectl expose-sts status [STATEFULSET]: what is exposed, where it answers, and what has drifted.
import type { Kube } from '../kube/client.ts';
import { loadKube } from '../kube/load.ts';
import { type StatusOptions, statusFlags, validateStatusFlags } from '../options/scope.ts';
import { assess, withWarnings } from '../plan/drift.ts';
import { managedSelector } from '../plan/ownership.ts';
import { configMapStates, formatStatus, staleLines, summaries } from '../render/status.ts';
import { endpointsLine, statusTable } from '../render/tables.ts';
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
  ],
  flags: statusFlags,
  validate: validateStatusFlags,
  connects: true,
  run: runStatus,
};

function nothingExposed(scope: { statefulSet?: string; allNamespaces: boolean }, namespace: string): string {
  const what = scope.statefulSet
    ? `No exposed StatefulSet named "${scope.statefulSet}" found`
    : 'No exposed StatefulSets found';
  return scope.allNamespaces ? `${what}.` : `${what} in ${namespace} namespace.`;
}

async function runStatus(opts: StatusOptions, kube: Kube, io: IO): Promise<number> {
  const k = await loadKube();
  let rows = assess(await k.readInventory(kube, opts), opts);
  // Why a row is Pending, where the load balancer said why: only for the outputs that show reasons.
  if (opts.output !== '' && rows.some((r) => r.state === 'Pending')) {
    rows = withWarnings(rows, (await k.readWarnings(kube, false, opts.allNamespaces))?.items ?? []);
  }
  // Published ConfigMaps (--publish-configmap), read only when a Service says it has one.
  const configMaps = rows.some((r) => r.service?.configMap)
    ? configMapStates(
        rows,
        await k.listConfigMaps(
          kube,
          managedSelector(opts.statefulSet),
          opts.allNamespaces,
          'the published ConfigMaps are not checked',
        ),
      )
    : [];
  const stale = staleLines(configMaps, opts.allNamespaces);
  if (opts.output === 'json' || opts.output === 'yaml') {
    io.out(formatStatus(rows, configMaps, opts.output));
  } else if (rows.length === 0) {
    io.err(`${nothingExposed(opts, kube.namespace)}\n`);
  } else if (opts.output === 'endpoints') {
    const { line, missing } = endpointsLine(rows, opts.endpointPort);
    if (missing.length) io.err(`warning: no endpoint for ${missing.join(', ')}\n`);
    io.out(line);
  } else {
    io.out(
      statusTable(rows, {
        allNamespaces: opts.allNamespaces,
        wide: opts.output === 'wide',
        endpointPort: opts.endpointPort,
      }),
    );
    io.out(`\n${[...summaries(rows, opts.allNamespaces), ...stale].join('\n')}\n`);
  }
  return opts.exitCode && (rows.some((r) => r.state !== 'Ready') || stale.length) ? 1 : 0;
}
