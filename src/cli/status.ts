// kubectl expose-sts status [STATEFULSET]: what is exposed, where it answers, and what has drifted.
import type { Argv } from 'yargs';
import type { ConnectionFlags } from '../options/connection.ts';
import type { StatusFlags, StatusOptions } from '../options/scope.ts';
import { assess, summaries } from '../plan/drift.ts';
import { formatStatus, statusTable } from '../render/status.ts';
import { loadKube } from '../kube/load.ts';
import { statusFlagSpecs, withFlags } from './flags.ts';
import { bool, str } from './argv.ts';
import type { IO } from './io.ts';

export const withStatefulSetArg = <T>(y: Argv<T>) =>
  y.positional('statefulset', { type: 'string', describe: 'Only this StatefulSet (default: every exposed StatefulSet in scope)' });

export function withStatusFlags<T>(y: Argv<T>) {
  return withFlags(withStatefulSetArg(y), statusFlagSpecs)
    .example('$0 status', 'Every exposed StatefulSet of the namespace, one row per ordinal')
    .example('$0 status -A -o wide', 'Everywhere, with pods, nodes, node ports and why each row is in its state')
    .example('$0 status mydb --exit-code', 'Fail a CI step when mydb has drifted');
}

export function statusFlags(argv: Record<string, unknown>): StatusFlags {
  return {
    statefulSet: str(argv.statefulset),
    allNamespaces: bool(argv.allNamespaces),
    output: str(argv.output),
    exitCode: bool(argv.exitCode),
  };
}

export function nothingExposed(scope: { statefulSet?: string; allNamespaces: boolean }, namespace: string): string {
  const what = scope.statefulSet ? `No exposed StatefulSet named "${scope.statefulSet}" found` : 'No exposed StatefulSets found';
  return scope.allNamespaces ? `${what}.` : `${what} in ${namespace} namespace.`;
}

export async function runStatus(opts: StatusOptions, conn: ConnectionFlags, io: IO): Promise<number> {
  const k = await loadKube();
  const kube = k.connect(conn, (line) => io.err(`${line}\n`));
  const rows = assess(await k.readInventory(kube, opts), opts);
  if (opts.output === 'json' || opts.output === 'yaml') {
    io.out(formatStatus(rows, opts.output));
  } else if (rows.length === 0) {
    io.err(`${nothingExposed(opts, kube.namespace)}\n`);
  } else {
    io.out(statusTable(rows, { allNamespaces: opts.allNamespaces, wide: opts.output === 'wide' }));
    io.out(`\n${summaries(rows, opts.allNamespaces).join('\n')}\n`);
  }
  return opts.exitCode && rows.some((r) => r.state !== 'Ready') ? 1 : 0;
}
