// prune: what it deletes, and whether for real. Pure.
import { UsageError } from '../errors.ts';
import { type DryRun, dryRunModes } from '../plan/expose-options.ts';
import { exposeFlags } from './expose.ts';
import type { FlagSpecs, Input } from './flags.ts';
import { allNamespaces, scopeProblem } from './scope.ts';
import { oneOf } from './values.ts';

/** As kubectl delete: -o name prints each deleted object as kind/name, and nothing else. */
const pruneOutputs = ['name'] as const;

export const pruneFlags = {
  all: {
    type: 'boolean',
    default: false,
    describe: 'Delete every managed Service of the named StatefulSet (un-expose it)',
  },
  allNamespaces,
  dryRun: {
    ...exposeFlags.dryRun,
    describe:
      'Must be "none", "server", or "client". If client strategy, only print the Services that would be deleted. If ' +
      'server strategy, submit server-side requests without deleting anything.',
  },
  output: {
    type: 'string',
    short: 'o',
    values: pruneOutputs,
    describe: 'Output mode. Use "-o name" for shorter output (resource/name).',
  },
} as const satisfies FlagSpecs;

/** The flags as given, and the StatefulSet named on the command line (optional: default, every one in scope). */
export type PruneFlags = Input<typeof pruneFlags>;

export interface PruneOptions {
  statefulSet?: string;
  allNamespaces: boolean;
  /** Every managed Service of the named StatefulSet, not only the orphaned ones: un-exposes it. */
  all: boolean;
  dryRun: DryRun;
  output: (typeof pruneOutputs)[number] | '';
}

export function validatePruneFlags(f: PruneFlags): PruneOptions | UsageError {
  const problem = scopeProblem(f.statefulSet, f.allNamespaces);
  if (problem) return problem;
  if (f.all && !f.statefulSet)
    return new UsageError(
      '--all needs a StatefulSet name: kubectl expose-sts prune STATEFULSET --all (nothing is pruned namespace-wide by accident)',
    );
  const dryRun = oneOf('dry-run', f.dryRun, dryRunModes);
  if (dryRun instanceof UsageError) return dryRun;
  const output = f.output ? oneOf('output', f.output, pruneOutputs) : '';
  if (output instanceof UsageError) return output;
  return {
    statefulSet: f.statefulSet,
    allNamespaces: f.allNamespaces,
    all: f.all,
    dryRun,
    output,
  };
}
