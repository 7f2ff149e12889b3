import type { V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { exposedByOrdinal, keptServices as keptServicesAnswer } from '../../../src/plan/keep.ts';
import { answering } from '../answer.ts';
const keptServices = answering(keptServicesAnswer);

const managed = (name: string, ordinal: number, extra: Partial<V1Service['metadata']> = {}, type = 'LoadBalancer') => ({
  metadata: {
    name,
    labels: {
      'app.kubernetes.io/managed-by': 'kubectl-expose-sts',
      'expose-sts.io/statefulset': 'db',
      'expose-sts.io/ordinal': String(ordinal),
    },
    annotations: { 'expose-sts.io/configmap': 'db-endpoints' },
    ...extra,
  },
  spec: { type },
});
const sts = (replicas: number) => ({ metadata: { name: 'db' }, spec: { replicas } }) as never;

describe('a re-run without flags keeps the exposed Services', () => {
  it('keeps each ordinal Service as it is, with its type and ConfigMap', () => {
    const kept = keptServices(sts(2), [managed('db-0', 0), managed('db-1', 1)], 'data');
    expect(kept).toMatchObject({ type: 'LoadBalancer', configMap: 'db-endpoints' });
    expect(typeof kept === 'object' && kept.desired.map((d) => [d.ordinal, d.name])).toEqual([
      [0, 'db-0'],
      [1, 'db-1'],
    ]);
  });
  it('is not for a StatefulSet that is not exposed, and names the flags for ordinals without a Service', () => {
    expect(keptServices(sts(2), [], 'data')).toBeUndefined();
    expect(keptServices(sts(3), [managed('db-0', 0)], 'data')).toBe(
      'statefulset db has no Service for ordinals 1, 2: a run without flags keeps the Services as they are and makes none; give the flags it was exposed with, e.g. kubectl expose-sts db -n data --type LoadBalancer',
    );
  });
  it('takes the newest Service of an ordinal where a previous --name-template left another', () => {
    const old = managed('db-0', 0, { creationTimestamp: '2026-01-01T00:00:00Z' as never });
    const now = managed('db-0-external', 0, { creationTimestamp: '2026-02-01T00:00:00Z' as never });
    expect(exposedByOrdinal('db', [now, old]).get(0)?.metadata?.name).toBe('db-0-external');
    expect(exposedByOrdinal('db', [old, now]).get(0)?.metadata?.name).toBe('db-0-external');
    // The type kept is that of the Services in use; another StatefulSet's are not this one's.
    expect(keptServices(sts(1), [managed('db-0', 0, {}, 'NodePort')], 'data')).toMatchObject({ type: 'NodePort' });
    expect(exposedByOrdinal('other', [managed('db-0', 0)]).size).toBe(0);
  });
});
