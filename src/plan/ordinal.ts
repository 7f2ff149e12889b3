import type { V1StatefulSet } from '@kubernetes/client-node';

/** Ordinals run from .spec.ordinals.start (default 0) to start + replicas − 1; replicas defaults to 1 as in the API. */
export function ordinals(sts: V1StatefulSet): number[] {
  const start = sts.spec?.ordinals?.start ?? 0;
  const replicas = sts.spec?.replicas ?? 1;
  return Array.from({ length: replicas }, (_, i) => start + i);
}

export const podName = (statefulSet: string, ordinal: number) => `${statefulSet}-${ordinal}`;
