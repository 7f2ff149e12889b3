// expose, step 6: the endpoints ConfigMap (--publish-configmap), written only once every address is confirmed; each
// run writes it again, so it follows scaling and changed addresses.
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Api } from '../../kube/api.ts';
import { endpointsConfigMap } from '../../plan/endpoints-configmap.ts';
import type { Exposure } from '../../plan/exposure.ts';
import { uidOf } from '../../plan/meta.ts';
import { configMapData } from '../../render/tables.ts';
import type { Planned } from './plan.ts';

/** The ConfigMap to apply, with the endpoints of these rows; undefined when none is published. */
export function configMapFor(planned: Planned, rows: Exposure[], namespace: string): V1ConfigMap | undefined {
  const { configMap, opts, kept, publishedBefore, sts } = planned;
  if (!configMap) return undefined;
  return endpointsConfigMap({
    name: configMap,
    namespace,
    statefulSet: { name: opts.statefulSet, uid: uidOf(sts) },
    owned: kept ? !!publishedBefore?.metadata?.ownerReferences?.length : opts.ownerReference,
    endpointPort: opts.endpointPort,
    data: configMapData(rows, opts.endpointPort),
  });
}

/** What kubectl apply --dry-run=client says of the ConfigMap: created, or unchanged when it holds the same. */
export function configMapVerb(want: V1ConfigMap, has: V1ConfigMap | undefined): string {
  if (!has) return 'created';
  const same = (a: object = {}, b: object = {}) => JSON.stringify(a) === JSON.stringify(b);
  const sorted = (o: Record<string, string> = {}) => Object.fromEntries(Object.entries(o).sort());
  return same(sorted(want.data), sorted(has.data)) &&
    Object.entries(want.metadata?.annotations ?? {}).every(([k, v]) => has.metadata?.annotations?.[k] === v)
    ? 'unchanged'
    : 'configured';
}

/** Writes the ConfigMap when there is one and every address is in (`complete`). */
export async function publishEndpoints(api: Api, cm: V1ConfigMap | undefined, complete: boolean): Promise<void> {
  if (!cm || !complete) return;
  await api.applyConfigMap(cm);
  api.log(1, `configmap/${cm.metadata?.name} configured`);
}
