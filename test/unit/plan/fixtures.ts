import type { V1StatefulSet } from '@kubernetes/client-node';
import { UsageError } from '../../../src/errors.ts';
import { exposeFlags, validateExposeFlags, type ExposeFlags, type ExposeOptions } from '../../../src/options/expose.ts';
import { withDefaults } from '../../../src/options/flags.ts';

export function sts(
  over: {
    replicas?: number;
    start?: number;
    ports?: { name?: string; containerPort: number; protocol?: string }[][];
    sidecarPorts?: number[];
  } = {},
): V1StatefulSet {
  const ports = over.ports ?? [[{ name: 'postgres', containerPort: 5432 }], [{ name: 'metrics', containerPort: 9187 }]];
  return {
    metadata: { name: 'mydb', namespace: 'data', uid: 'uid-1' },
    spec: {
      replicas: over.replicas ?? 3,
      ordinals: over.start === undefined ? undefined : { start: over.start },
      serviceName: 'mydb',
      selector: { matchLabels: { app: 'mydb' } },
      template: {
        spec: {
          initContainers: [
            { name: 'init', image: 'busybox', ports: [{ containerPort: 1111 }] },
            ...(over.sidecarPorts
              ? [
                  {
                    name: 'proxy',
                    image: 'envoy',
                    restartPolicy: 'Always',
                    ports: over.sidecarPorts.map((p) => ({ containerPort: p })),
                  },
                ]
              : []),
          ],
          containers: ports.map((p, i) => ({ name: `c${i}`, image: 'x', ports: p })),
        },
      },
    },
  };
}

export function options(flags: Partial<ExposeFlags> = {}): ExposeOptions {
  const o = validateExposeFlags({ ...withDefaults(exposeFlags, flags), statefulSet: 'mydb', ...flags });
  if (o instanceof UsageError) throw o;
  return o;
}
