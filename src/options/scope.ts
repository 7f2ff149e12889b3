// What status and prune look at: every exposed StatefulSet of the namespace (or of all, -A), or the one named. Pure.
import { UsageError } from '../errors.ts';

export const allNamespaces = {
  type: 'boolean',
  short: 'A',
  default: false,
  describe:
    'If present, look in all namespaces. Namespace in current context is ignored even if specified with --namespace.',
} as const;

/** Why the StatefulSet named and -A cannot go together, or the name is not one. */
export function scopeProblem(statefulSet: string | undefined, allNamespaces: boolean): UsageError | undefined {
  if (statefulSet && allNamespaces)
    return new UsageError('a StatefulSet cannot be named across all namespaces: drop -A or the name');
  if (statefulSet && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(statefulSet))
    return new UsageError(`invalid StatefulSet name "${statefulSet}"`);
  return undefined;
}
