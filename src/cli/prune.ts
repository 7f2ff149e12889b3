// kubectl expose-sts prune [STATEFULSET]: deletes managed Services whose pod is gone (Orphaned), or with --all every
// managed Service of one StatefulSet. Never anything without the managed-by label.
import type { Argv } from 'yargs';
import type { ConnectionFlags } from '../options/connection.ts';
import type { PruneFlags, PruneOptions } from '../options/scope.ts';
import { assess } from '../plan/drift.ts';
import { isManaged } from '../plan/ownership.ts';
import { loadKube } from '../kube/load.ts';
import { bool, str } from './argv.ts';
import type { IO } from './io.ts';
import { pruneFlagSpecs, withFlags } from './flags.ts';
import { withStatefulSetArg } from './status.ts';

export function withPruneFlags<T>(y: Argv<T>) {
  return withFlags(withStatefulSetArg(y), pruneFlagSpecs)
    .example('$0 prune', 'Delete the Services of ordinals that no longer exist (after a scale-down)')
    .example('$0 prune mydb --all', 'Un-expose mydb: delete all its Services')
    .example('$0 prune -A --dry-run=client', 'Show what would be deleted everywhere');
}

export function pruneFlags(argv: Record<string, unknown>): PruneFlags {
  return {
    statefulSet: str(argv.statefulset),
    allNamespaces: bool(argv.allNamespaces),
    all: bool(argv.all),
    dryRun: str(argv.dryRun),
  };
}

export async function runPrune(opts: PruneOptions, conn: ConnectionFlags, io: IO): Promise<number> {
  const k = await loadKube();
  const kube = k.connect(conn, (line) => io.err(`${line}\n`));
  const rows = assess(await k.readInventory(kube, opts), opts);
  const targets = rows.filter((r) => r.service && isManaged(r.service.metadata?.labels) && (opts.all || r.state === 'Orphaned'));
  if (targets.length === 0) {
    io.err(`Nothing to prune${opts.allNamespaces ? '' : ` in ${kube.namespace} namespace`}.\n`);
    return 0;
  }
  const suffix = opts.dryRun === 'client' ? ' (dry run)' : opts.dryRun === 'server' ? ' (server dry run)' : '';
  let done = 0;
  let sent = false;
  // Each deletion is printed as it happens, so the lines above the interruption are what was done.
  io.onInterrupt?.(() => `${done} of ${targets.length} services were deleted${sent ? '; one more was sent and may have been deleted' : ''}; run the same command again to finish`);
  for (const r of targets) {
    const svc = r.service!;
    const name = svc.metadata!.name!;
    if (opts.dryRun !== 'client') {
      sent = true;
      const result = await k.deleteService(kube, r.namespace, name, svc.metadata!.uid!, opts.dryRun === 'server');
      sent = false;
      if (result === 'replaced') {
        io.err(`warning: service/${name} in namespace ${r.namespace} was replaced after it was listed; left alone\n`);
        continue;
      }
    }
    io.out(`service/${name} deleted${suffix}\n`);
    done++;
  }
  return 0;
}
