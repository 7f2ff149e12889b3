// StatefulSets shaped like the ones users run (databases with named ports, volumes, sidecars), for e2e tests.
import type { V1StatefulSet } from '@kubernetes/client-node';

export interface StsShape {
  replicas?: number;
  /** Adds a volumeClaimTemplate, as nearly every real database StatefulSet has. */
  volume?: boolean;
  initContainer?: boolean;
  /** A metrics sidecar with its own named port. */
  sidecar?: boolean;
  ordinalsStart?: number;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
}

export function statefulSet(name: string, shape: StsShape = {}): V1StatefulSet {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, labels },
    spec: {
      serviceName: name,
      replicas: shape.replicas ?? 3,
      podManagementPolicy: shape.podManagementPolicy ?? 'Parallel',
      ordinals: shape.ordinalsStart === undefined ? undefined : { start: shape.ordinalsStart },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          initContainers: shape.initContainer
            ? [{ name: 'init-config', image: 'busybox:1.37', command: ['sh', '-c', 'true'] }]
            : undefined,
          containers: [
            {
              name: 'db',
              image: 'postgres:17',
              ports: [{ name: 'postgres', containerPort: 5432 }],
              volumeMounts: shape.volume ? [{ name: 'data', mountPath: '/var/lib/postgresql/data' }] : undefined,
            },
            ...(shape.sidecar
              ? [
                  {
                    name: 'metrics',
                    image: 'postgres-exporter:0.17',
                    ports: [{ name: 'metrics', containerPort: 9187 }],
                  },
                ]
              : []),
          ],
        },
      },
      volumeClaimTemplates: shape.volume
        ? [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ]
        : undefined,
    },
  };
}
