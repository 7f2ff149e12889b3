// status and prune: which StatefulSets they look at, and what they do with them. Pure.
import { dryRunModes, type DryRun } from './expose.ts';
import { UsageError } from '../errors.ts';
import { oneOf } from './values.ts';

export const statusOutputs = ['wide', 'json', 'yaml'] as const;
export type StatusOutput = (typeof statusOutputs)[number] | '';

export interface StatusFlags {
  statefulSet?: string;
  allNamespaces?: boolean;
  output?: string;
  exitCode?: boolean;
}

export interface StatusOptions {
  statefulSet?: string;
  allNamespaces: boolean;
  output: StatusOutput;
  /** Exit 1 when anything is not Ready, like `kubectl diff`, for scripts and CI. */
  exitCode: boolean;
}

export interface PruneFlags {
  statefulSet?: string;
  allNamespaces?: boolean;
  all?: boolean;
  dryRun?: string;
}

export interface PruneOptions {
  statefulSet?: string;
  allNamespaces: boolean;
  /** Every managed Service of the named StatefulSet, not only the orphaned ones: un-exposes it. */
  all: boolean;
  dryRun: DryRun;
}

function scopeProblem(statefulSet: string | undefined, allNamespaces: boolean | undefined): UsageError | undefined {
  if (statefulSet && allNamespaces) return new UsageError('a StatefulSet cannot be named across all namespaces: drop -A or the name');
  if (statefulSet && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(statefulSet)) return new UsageError(`invalid StatefulSet name "${statefulSet}"`);
  return undefined;
}

export function validateStatusFlags(f: StatusFlags): StatusOptions | UsageError {
  const problem = scopeProblem(f.statefulSet, f.allNamespaces);
  if (problem) return problem;
  const output = f.output ? oneOf('output', f.output, statusOutputs) : '';
  if (output instanceof UsageError) return output;
  return { statefulSet: f.statefulSet, allNamespaces: f.allNamespaces ?? false, output, exitCode: f.exitCode ?? false };
}

export function validatePruneFlags(f: PruneFlags): PruneOptions | UsageError {
  const problem = scopeProblem(f.statefulSet, f.allNamespaces);
  if (problem) return problem;
  if (f.all && !f.statefulSet) return new UsageError('--all needs a StatefulSet name: kubectl expose-sts prune STATEFULSET --all (nothing is pruned namespace-wide by accident)');
  const dryRun = f.dryRun === undefined ? 'none' : f.dryRun === '' ? 'client' : oneOf('dry-run', f.dryRun, dryRunModes);
  if (dryRun instanceof UsageError) return dryRun;
  return { statefulSet: f.statefulSet, allNamespaces: f.allNamespaces ?? false, all: f.all ?? false, dryRun };
}
