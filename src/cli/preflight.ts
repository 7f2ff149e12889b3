// What expose checks before its first write, so that a problem is one error line and nothing changed, instead of a
// failure half-way through the writes: that the addresses asked for with --load-balancer-ip (and with MetalLB, that
// each is in one of its pools) and the node ports asked for with --node-port are not another Service's, and that no
// ResourceQuota would refuse the new Services, and that the ConfigMap --publish-configmap names is expose-sts's own.
import { CommandError } from '../errors.ts';
import type { Kube } from '../kube/client.ts';
import type { KubeLayer } from '../kube/load.ts';
import { takenProblem, type Wanted } from '../plan/claims.ts';
import type { Action } from '../plan/diff.ts';
import { configMapConflict } from '../plan/dns.ts';
import { poolProblem, type Provider, requestedAddress } from '../plan/load-balancer.ts';
import { quotaDemand, quotaProblem } from '../plan/quota.ts';
import { applyBody } from '../plan/service.ts';

const refuse = (problem: string) => new CommandError(`${problem}; nothing was changed`);

/**
 * `actions`: every Service of the StatefulSet, those that stay as they are included (what they hold is theirs);
 * `configMap`: the one --publish-configmap names, which must be expose-sts's for this StatefulSet, or absent.
 */
export async function checkBeforeWriting(
  k: KubeLayer,
  kube: Kube,
  actions: Action[],
  provider: Provider | undefined,
  configMap?: { name: string; statefulSet: string },
): Promise<void> {
  if (configMap) {
    const conflict = configMapConflict(await k.getConfigMap(kube, configMap.name), configMap.statefulSet);
    if (conflict) throw refuse(conflict);
  }
  const toWrite = actions.filter((a) => a.kind !== 'unchanged');
  const wanted: Wanted[] = actions.map(({ desired: d }) => ({
    namespace: kube.namespace,
    name: d.name,
    ordinal: d.ordinal,
    address: requestedAddress(d.service),
    nodePorts: (d.service.spec?.ports ?? []).flatMap((p) => (p.nodePort === undefined ? [] : [p.nodePort])),
  }));
  let everywhere = true;
  if (wanted.some((w) => w.address || w.nodePorts.length)) {
    const addresses = wanted.flatMap((w) => (w.address ? [{ ip: w.address, ordinal: w.ordinal }] : []));
    const pools = provider === 'metallb' && addresses.length ? await k.addressPools(kube) : undefined;
    const claims = await k.serviceClaims(kube, kube.namespace);
    everywhere = claims.everywhere;
    const problem = (pools && poolProblem(addresses, pools)) || takenProblem(wanted, claims.claims);
    if (problem) throw refuse(problem);
  }

  // Read only when the writes add Services, load balancers or node ports.
  const demand = quotaDemand(toWrite.map((a) => ({ desired: a.desired.service, existing: a.existing })));
  const overQuota = demand.length ? quotaProblem(await k.resourceQuotas(kube), demand) : undefined;
  if (overQuota) throw refuse(overQuota);

  if (!everywhere && toWrite.length && wanted.some((w) => w.nodePorts.length)) {
    // A node port held in a namespace this user may not list would fail its write: the API server's dry run of
    // every write allocates as the real one would, and changes nothing.
    await k
      .applyAll(
        kube,
        toWrite.map((a) => applyBody(a.desired.service)),
        true,
      )
      .catch((err: CommandError) => {
        throw new CommandError(`${err.message}; nothing was changed`, { status: err.status, cause: err });
      });
  }
}
