// The ConfigMap that tells pods their own endpoint (--publish-configmap): its name, whose it is, what it holds.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { dnsSubdomainProblem } from './names.ts';
import { isManaged, managedFor, ownedLabels, statefulSetLabel, statefulSetOwner } from './ownership.ts';
import { type PerOrdinal, valueFor } from './per-ordinal.ts';

/** On each Service: the ConfigMap its endpoint is published in, so status knows which to check. */
export const configMapAnnotation = 'expose-sts.io/configmap';
/** On the ConfigMap: the --endpoint-port its values were written for. */
export const endpointPortAnnotation = 'expose-sts.io/endpoint-port';
/** The key of the joined list. */
export const endpointsKey = 'endpoints';

/** The ConfigMap's name for the StatefulSet, or what is wrong with it. */
export function configMapName(template: PerOrdinal, statefulSet: string, namespace: string): string {
  return valueFor(template, { statefulSet, namespace, ordinal: 0, index: 0 });
}

export function configMapNameProblem(name: string): string | undefined {
  const problem = dnsSubdomainProblem(name);
  return problem && `--publish-configmap gives "${name}", which is not a valid ConfigMap name: it ${problem}`;
}

/** Why an existing ConfigMap of that name is not expose-sts's to write for this StatefulSet, if it is not. */
export function configMapConflict(existing: V1ConfigMap | undefined, statefulSet: string): string | undefined {
  if (!existing) return undefined;
  const name = existing.metadata?.name;
  const labels = existing.metadata?.labels;
  if (!isManaged(labels)) {
    return `configmap "${name}" already exists and is not managed by expose-sts: name another with --publish-configmap NAME`;
  }
  if (labels?.[statefulSetLabel] !== statefulSet) {
    return `configmap "${name}" is managed by expose-sts ${managedFor(labels)}: name another with --publish-configmap NAME`;
  }
  return undefined;
}

/** The ConfigMap to apply: the members' endpoints (data, formatted by render/) under expose-sts's labels. */
export function endpointsConfigMap(opts: {
  name: string;
  namespace: string;
  statefulSet: { name: string; uid: string };
  owned: boolean;
  endpointPort?: string;
  data: Record<string, string>;
}): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: opts.name,
      namespace: opts.namespace,
      labels: ownedLabels(opts.statefulSet.name),
      ...(opts.endpointPort !== undefined && { annotations: { [endpointPortAnnotation]: opts.endpointPort } }),
      ...(opts.owned && { ownerReferences: statefulSetOwner(opts.statefulSet.name, opts.statefulSet.uid) }),
    },
    data: opts.data,
  };
}
