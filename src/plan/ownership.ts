// How the tool recognises what is its own (docs/conventions.md, Ownership): a Service without managedBy is never changed.
export const fieldManager = 'kubectl-expose-sts';
export const managedByLabel = 'app.kubernetes.io/managed-by';
export const managedByValue = 'kubectl-expose-sts';
export const statefulSetLabel = 'expose-sts.io/statefulset';
export const ordinalLabel = 'expose-sts.io/ordinal';
/** Set by the StatefulSet controller on every pod; the only selector of a per-pod Service. */
export const podNameLabel = 'statefulset.kubernetes.io/pod-name';

export const ownershipLabels = [managedByLabel, statefulSetLabel, ordinalLabel] as const;

export function isManaged(labels: Record<string, string> | undefined): boolean {
  return labels?.[managedByLabel] === managedByValue;
}

/** Label selector for the managed Services of one StatefulSet (or of all, without a name). */
export function managedSelector(statefulSet?: string): string {
  return `${managedByLabel}=${managedByValue}${statefulSet ? `,${statefulSetLabel}=${statefulSet}` : ''}`;
}
