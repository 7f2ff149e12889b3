// A re-run of expose that names nothing about the Services (`kubectl expose-sts mydb -n data`, the command the hints
// print) keeps the exposed Services as they are: it waits for their addresses, prints the table and writes the
// published ConfigMap again. Without this, leaving out --type made every LoadBalancer Service a ClusterIP one and
// released its address. Pure.
import { CommandError } from '../errors.ts';
import type { V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { configMapAnnotation } from './endpoints-configmap.ts';
import { nameOf } from './meta.ts';
import { ordinals, podName } from './ordinal.ts';
import { ordinalLabel, servicesInUse, statefulSetLabel } from './ownership.ts';
import type { DesiredService } from './service.ts';

/** The StatefulSet's Services in use, by ordinal (servicesInUse: the newest where an ordinal has two). */
export function exposedByOrdinal(statefulSet: string, services: V1Service[]): Map<number, V1Service> {
  const out = new Map<number, V1Service>();
  for (const svc of servicesInUse(services).values()) {
    const labels = svc.metadata?.labels ?? {};
    const ordinal = Number(labels[ordinalLabel]);
    if (labels[statefulSetLabel] === statefulSet && Number.isInteger(ordinal)) out.set(ordinal, svc);
  }
  return out;
}

export interface Kept {
  /** Each ordinal's Service as it is. */
  desired: DesiredService[];
  type: string;
  /** The ConfigMap its endpoints are published in, if they are. */
  configMap?: string;
}

/**
 * The Services to keep; undefined when the StatefulSet is not exposed (a first run exposes it as flags say); what is
 * wrong when an ordinal has no Service, which flags would have to describe.
 */
export function keptServices(
  sts: V1StatefulSet,
  services: V1Service[],
  namespace: string,
): Kept | CommandError | undefined {
  const name = nameOf(sts);
  const byOrdinal = exposedByOrdinal(name, services);
  if (!byOrdinal.size) return undefined;
  const first = [...byOrdinal.values()][0];
  const type = first.spec?.type ?? 'ClusterIP';
  const missing = ordinals(sts).filter((o) => !byOrdinal.has(o));
  if (missing.length)
    return new CommandError(
      `statefulset ${name} has no Service for ordinal${missing.length === 1 ? '' : 's'} ${missing.join(', ')}: a run ` +
        'without flags keeps the Services as they are and makes none; give the flags it was exposed with, e.g. ' +
        `kubectl expose-sts ${name} -n ${namespace} --type ${type}`,
    );
  return {
    desired: ordinals(sts).map((ordinal) => {
      const service = byOrdinal.get(ordinal) as V1Service;
      return { ordinal, pod: podName(name, ordinal), name: nameOf(service), service };
    }),
    type,
    configMap: first.metadata?.annotations?.[configMapAnnotation],
  };
}
