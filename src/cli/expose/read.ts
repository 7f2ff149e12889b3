// expose, step 1: the reads every later step works from. Reads that do not depend on each other go out together: on
// a remote cluster each round trip in a row is tens of milliseconds (bench/ANALYSIS.md, P7b). A read's failure is
// thrown where it is awaited, in the order the steps need them.
import type { V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import type { Api } from '../../kube/api.ts';
import type { GatewayApi } from '../../kube/gateway.ts';
import type { ExposeOptions } from '../../plan/expose-options.ts';
import { sizeRun } from '../large-run.ts';
import { printsTable } from '../../render/objects.ts';

export interface Read {
  sts: V1StatefulSet;
  /** One LIST of the namespace's Services: finds our own and any same-named Service we must not touch. */
  existing: { items: V1Service[]; resourceVersion: string };
  /** The pods, for the table's columns; read only when a table is printed, awaited only once it is. */
  pods?: Promise<Map<string, V1Pod>>;
  /**
   * The Gateway mode's discovery, asked with the reads rather than two round trips after them (bench:gateway's remote
   * expose --gateway, 15 rounds: 899 ms → 788 ms).
   */
  gatewayApi?: Promise<GatewayApi>;
}

/** Started now, awaited later: an unawaited rejection must not end the process before its step awaits it. */
function early<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** The StatefulSet and what exists around it; undefined when it has no replicas (nothing to expose). */
export async function readCluster(opts: ExposeOptions, api: Api): Promise<Read | undefined> {
  // Listed for a client dry run too: as kubectl apply --dry-run=client, it says created, configured or unchanged.
  const listed = early(api.listServices());
  const pods = printsTable(opts) ? early(api.listPods()) : undefined;
  const gatewayApi = opts.gateway ? early(api.gatewayApi()) : undefined;
  const sts = await api.getStatefulSet(opts.statefulSet);
  const replicas = sts.spec?.replicas ?? 1;
  sizeRun(replicas);
  if (replicas === 0) return undefined;
  return { sts, existing: await listed, pods, gatewayApi };
}
