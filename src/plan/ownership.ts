// How the tool recognises what is its own (docs/conventions.md, Ownership): a Service without managedBy is never changed.
import type { V1OwnerReference, V1Service } from '@kubernetes/client-node';
import { namespaceOf } from './meta.ts';

export const fieldManager = 'kubectl-expose-sts';
const managedByLabel = 'app.kubernetes.io/managed-by';
const managedByValue = 'kubectl-expose-sts';
export const statefulSetLabel = 'expose-sts.io/statefulset';

/** Whose a managed object is, for a message: `for statefulset db`, or that it has no StatefulSet label at all. */
export const managedFor = (labels: Record<string, string> | undefined): string =>
  labels?.[statefulSetLabel] ? `for statefulset ${labels[statefulSetLabel]}` : `but has no ${statefulSetLabel} label`;
export const ordinalLabel = 'expose-sts.io/ordinal';
/** Set by the StatefulSet controller on every pod; the only selector of a per-pod Service. */
export const podNameLabel = 'statefulset.kubernetes.io/pod-name';

export const ownershipLabels = [managedByLabel, statefulSetLabel, ordinalLabel] as const;

/** The labels that make an object expose-sts's, for one StatefulSet (docs/conventions.md, Ownership). */
export function ownedLabels(statefulSet: string): Record<string, string> {
  return { [managedByLabel]: managedByValue, [statefulSetLabel]: statefulSet };
}

/**
 * The StatefulSet as owner, so that deleting it lets the garbage collector remove what expose-sts made for it. No
 * blockOwnerDeletion: it needs permission to set finalizers on the StatefulSet, which users rarely have.
 */
export function statefulSetOwner(name: string, uid: string): V1OwnerReference[] {
  return [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid }];
}

export function isManaged(labels: Record<string, string> | undefined): boolean {
  return labels?.[managedByLabel] === managedByValue;
}

/** Whether an object is expose-sts's for this StatefulSet: managed, and labelled with it. */
export const isManagedFor = (labels: Record<string, string> | undefined, statefulSet: string): boolean =>
  isManaged(labels) && labels?.[statefulSetLabel] === statefulSet;

/** The key of one ordinal of one StatefulSet: `namespace/statefulset/ordinal`. */
export const ordinalKey = (namespace: string, statefulSet: string, ordinal: number | string) =>
  `${namespace}/${statefulSet}/${ordinal}`;

/**
 * The managed Service in use for each ordinal, by ordinalKey: where a previous --name-template left a second Service
 * for an ordinal, the newest.
 */
export function servicesInUse(services: V1Service[]): Map<string, V1Service> {
  const out = new Map<string, V1Service>();
  for (const svc of services) {
    const labels = svc.metadata?.labels;
    if (!isManaged(labels) || !labels?.[statefulSetLabel]) continue;
    const k = ordinalKey(namespaceOf(svc), labels[statefulSetLabel], labels[ordinalLabel] ?? '');
    const before = out.get(k);
    if (!before || (before.metadata?.creationTimestamp ?? '') <= (svc.metadata?.creationTimestamp ?? ''))
      out.set(k, svc);
  }
  return out;
}

/** Label selector for the managed Services of one StatefulSet (or of all, without a name). */
export function managedSelector(statefulSet?: string): string {
  return `${managedByLabel}=${managedByValue}${statefulSet ? `,${statefulSetLabel}=${statefulSet}` : ''}`;
}
