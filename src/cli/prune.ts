// kubectl expose-sts prune [STATEFULSET]: deletes managed Services whose pod is gone (Orphaned), or with --all every
// managed Service of one StatefulSet. Never anything without the managed-by label.
import type { Kube } from '../kube/client.ts';
import { loadKube } from '../kube/load.ts';
import { type PruneOptions, pruneFlags, validatePruneFlags } from '../options/scope.ts';
import { assess } from '../plan/drift.ts';
import { managedSelector } from '../plan/ownership.ts';
import type { ClusterCommand } from './command.ts';
import type { IO } from './io.ts';

export const pruneCommand: ClusterCommand<typeof pruneFlags, PruneOptions> = {
  name: 'prune',
  summary: 'Delete managed Services that no longer match a pod',
  description: [
    'Delete managed Services that no longer match a pod.',
    ' Deletes the Services that status calls Orphaned (their ordinal is out of range, or their StatefulSet is gone or was recreated), or with --all every managed Service of the named StatefulSet. Each deletion is conditional on the uid that was listed, so a Service recreated in between is left alone. A Service without the label app.kubernetes.io/managed-by=kubectl-expose-sts is never deleted.',
  ],
  usage: '[STATEFULSET]',
  statefulSetArg: true,
  examples: [
    ['Delete the Services of ordinals that no longer exist (after a scale-down)', 'kubectl expose-sts prune'],
    ['Un-expose mydb: delete all its Services', 'kubectl expose-sts prune mydb --all'],
    ['Show what would be deleted everywhere', 'kubectl expose-sts prune -A --dry-run=client'],
  ],
  flags: pruneFlags,
  validate: validatePruneFlags,
  connects: true,
  run: runPrune,
};

async function runPrune(opts: PruneOptions, kube: Kube, io: IO): Promise<number> {
  const k = await loadKube();
  const rows = assess(await k.readInventory(kube, opts), opts);
  // assess reads only Services with the managed-by label: nothing else is ever a target.
  const targets = rows.flatMap((r) =>
    r.service && (opts.all || r.state === 'Orphaned') ? [{ ...r.service, namespace: r.namespace }] : [],
  );
  if (targets.length === 0) {
    io.err(`Nothing to prune${opts.allNamespaces ? '' : ` in ${kube.namespace} namespace`}.\n`);
    return 0;
  }
  const suffix = opts.dryRun === 'client' ? ' (dry run)' : opts.dryRun === 'server' ? ' (server dry run)' : '';
  let done = 0;
  let sent = false;
  // Each deletion is printed as it happens, so the lines above the interruption are what was done.
  io.onInterrupt?.(
    () =>
      `${done} of ${targets.length} services were deleted${sent ? '; one more was sent and may have been deleted' : ''}; run the same command again to finish`,
  );
  for (const { name, uid, namespace } of targets) {
    if (opts.dryRun !== 'client') {
      sent = true;
      const result = await k.deleteService(kube, namespace, name, uid, opts.dryRun === 'server');
      sent = false;
      if (result === 'replaced') {
        io.err(`warning: service/${name} in namespace ${namespace} was replaced after it was listed; left alone\n`);
        continue;
      }
    }
    io.out(`service/${name} deleted${suffix}\n`);
    done++;
  }
  // Un-exposed whole: its published ConfigMap goes too (read only when a Service says it has one).
  if (opts.all && opts.statefulSet && rows.some((r) => r.service?.configMap)) {
    for (const cm of await k.listConfigMaps(
      kube,
      managedSelector(opts.statefulSet),
      false,
      'the published ConfigMap is not deleted',
    )) {
      const name = cm.metadata?.name ?? '';
      if (opts.dryRun !== 'client') {
        const result = await k.deleteConfigMap(
          kube,
          kube.namespace,
          name,
          cm.metadata?.uid ?? '',
          opts.dryRun === 'server',
        );
        if (result === 'replaced') continue;
      }
      io.out(`configmap/${name} deleted${suffix}\n`);
    }
  }
  return 0;
}
