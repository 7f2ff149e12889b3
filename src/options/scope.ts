// status and prune: which StatefulSets they look at, and what they do with them. Pure.
import { UsageError } from '../errors.ts';
import { exposeFlags } from './expose.ts';
import { dryRunModes } from '../plan/expose-options.ts';
import type { FlagSpecs, Input } from './flags.ts';
import { oneOf } from './values.ts';

const statusOutputs = ['wide', 'json', 'yaml', 'endpoints'] as const;

const allNamespaces = {
  type: 'boolean',
  short: 'A',
  default: false,
  describe:
    'If present, look in all namespaces. Namespace in current context is ignored even if specified with --namespace.',
} as const;

export const statusFlags = {
  allNamespaces,
  endpointPort: exposeFlags.endpointPort,
  exitCode: {
    type: 'boolean',
    default: false,
    describe: 'Exit 1 when anything is not Ready, or a published ConfigMap is stale (for scripts and CI)',
  },
  output: {
    type: 'string',
    short: 'o',
    values: statusOutputs,
    describe:
      "Output format. One of: (wide, json, yaml, endpoints). endpoints: the members' host:port, comma-separated in " +
      'ordinal order; nothing else on stdout',
  },
} as const satisfies FlagSpecs;

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
} as const satisfies FlagSpecs;

/** The flags as given, and the StatefulSet named on the command line (optional: default, every one in scope). */
export type StatusFlags = Input<typeof statusFlags>;
export type PruneFlags = Input<typeof pruneFlags>;

/** The checked options: what the validations return, so a new flag's option is written once, there. */
export type StatusOptions = Exclude<ReturnType<typeof validateStatusFlags>, UsageError>;
export type PruneOptions = Exclude<ReturnType<typeof validatePruneFlags>, UsageError>;

function scopeProblem(statefulSet: string | undefined, allNamespaces: boolean): UsageError | undefined {
  if (statefulSet && allNamespaces)
    return new UsageError('a StatefulSet cannot be named across all namespaces: drop -A or the name');
  if (statefulSet && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(statefulSet))
    return new UsageError(`invalid StatefulSet name "${statefulSet}"`);
  return undefined;
}

export function validateStatusFlags(f: StatusFlags) {
  const problem = scopeProblem(f.statefulSet, f.allNamespaces);
  if (problem) return problem;
  const output = f.output ? oneOf('output', f.output, statusOutputs) : '';
  if (output instanceof UsageError) return output;
  return {
    statefulSet: f.statefulSet,
    allNamespaces: f.allNamespaces,
    output,
    /** Exit 1 when anything is not Ready, like `kubectl diff`, for scripts and CI. */
    exitCode: f.exitCode,
    endpointPort: f.endpointPort,
  };
}

export function validatePruneFlags(f: PruneFlags) {
  const problem = scopeProblem(f.statefulSet, f.allNamespaces);
  if (problem) return problem;
  if (f.all && !f.statefulSet)
    return new UsageError(
      '--all needs a StatefulSet name: kubectl expose-sts prune STATEFULSET --all (nothing is pruned namespace-wide by accident)',
    );
  const dryRun = oneOf('dry-run', f.dryRun, dryRunModes);
  if (dryRun instanceof UsageError) return dryRun;
  return {
    statefulSet: f.statefulSet,
    allNamespaces: f.allNamespaces,
    /** Every managed Service of the named StatefulSet, not only the orphaned ones: un-exposes it. */
    all: f.all,
    dryRun,
  };
}
