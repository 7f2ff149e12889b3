// ResourceQuotas the new Services would exceed: `services`, `services.loadbalancers` and `services.nodeports` in the
// namespace. Checked before the first write, as the API server would refuse the writes one by one after some were
// made. Pure: the kube layer lists the quotas.
import type { V1ResourceQuota, V1Service } from '@kubernetes/client-node';
import { nameOf } from './meta.ts';

const counted = ['services', 'services.loadbalancers', 'services.nodeports'] as const;

/** What a Service counts against each quota; a NodePort or LoadBalancer Service holds a node port per port. */
function usage(svc: V1Service | undefined): Record<(typeof counted)[number], number> {
  const type = svc?.spec?.type ?? 'ClusterIP';
  const nodePorts =
    type === 'NodePort' || (type === 'LoadBalancer' && svc?.spec?.allocateLoadBalancerNodePorts !== false);
  return {
    services: svc ? 1 : 0,
    'services.loadbalancers': type === 'LoadBalancer' && svc ? 1 : 0,
    'services.nodeports': nodePorts && svc ? (svc.spec?.ports?.length ?? 0) : 0,
  };
}

/** What the writes add to each quota'd resource (nothing listed: they add nothing, no quota can refuse them). */
export function quotaDemand(writes: { desired: V1Service; existing?: V1Service }[]): [string, number][] {
  return counted
    .map(
      (resource) =>
        [resource, writes.reduce((n, w) => n + usage(w.desired)[resource] - usage(w.existing)[resource], 0)] as [
          string,
          number,
        ],
    )
    .filter(([, more]) => more > 0);
}

/** The first quota that demand would exceed, as an error line. */
export function quotaProblem(
  quotas: V1ResourceQuota[],
  demand: [string, number][],
  namespace: string,
): string | undefined {
  for (const [resource, more] of demand) {
    for (const q of quotas) {
      const hard = q.status?.hard?.[resource] ?? q.spec?.hard?.[resource];
      if (hard === undefined) continue;
      const used = Number(q.status?.used?.[resource] ?? 0);
      if (used + more > Number(hard)) {
        return `the Services would exceed ResourceQuota "${nameOf(q)}": ${resource} ${used} used + ${more} more > ${hard} allowed (kubectl describe resourcequota ${nameOf(q)} -n ${namespace})`;
      }
    }
  }
  return undefined;
}
