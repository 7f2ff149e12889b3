// Desired per-pod Services from a StatefulSet and the expose options. Pure: the apply bodies the kube layer sends.
import type { V1Service, V1StatefulSet } from '@kubernetes/client-node';
import type { ExposeOptions } from '../options/expose.ts';
import { nameOf, uidOf } from './meta.ts';
import { serviceNames } from './name-template.ts';
import { ordinals, podName } from './ordinal.ts';
import { managedByLabel, managedByValue, ordinalLabel, podNameLabel, statefulSetLabel } from './ownership.ts';
import { servicePorts } from './ports.ts';

export interface DesiredService {
  ordinal: number;
  pod: string;
  /** The Service's name (from --name-template), also in `service.metadata.name`. */
  name: string;
  service: V1Service;
}

export function desiredServices(sts: V1StatefulSet, opts: ExposeOptions, namespace: string): DesiredService[] | string {
  const name = nameOf(sts);
  const ords = ordinals(sts);
  const names = serviceNames(opts.nameTemplate, name, ords);
  if (typeof names === 'string') return names;
  const ports = servicePorts(sts, opts.ports);
  if (typeof ports === 'string') return ports;
  const annotations = Object.keys(opts.annotations).length ? opts.annotations : undefined;
  const external = opts.type !== 'ClusterIP';

  return ords.map((ordinal, i) => {
    const pod = podName(name, ordinal);
    const serviceName = names[i];
    return {
      ordinal,
      pod,
      name: serviceName,
      service: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: serviceName,
          namespace,
          labels: {
            ...opts.labels,
            [managedByLabel]: managedByValue,
            [statefulSetLabel]: name,
            [ordinalLabel]: String(ordinal),
          },
          annotations,
          // No blockOwnerDeletion: it needs permission to set finalizers on the StatefulSet, which users rarely have.
          ownerReferences: opts.ownerReference
            ? [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: uidOf(sts) }]
            : undefined,
        },
        spec: {
          type: opts.type,
          // Only this label: the pod's others (controller-revision-hash) change on every rolling update.
          selector: { [podNameLabel]: pod },
          ports,
          externalTrafficPolicy: external ? opts.externalTrafficPolicy : undefined,
          loadBalancerClass: opts.loadBalancerClass,
          loadBalancerSourceRanges: opts.loadBalancerSourceRanges.length ? opts.loadBalancerSourceRanges : undefined,
        },
      },
    };
  });
}

/** The body as it goes over the wire: no undefined fields, which server-side apply would read as "not mine". */
export function applyBody(service: V1Service): V1Service {
  return JSON.parse(JSON.stringify(service)) as V1Service;
}
