// expose, step 3: what it checks before its first write, so that a problem is one error line and nothing changed,
// instead of a failure half-way through the writes: that the addresses asked for with --load-balancer-ip (and with MetalLB, that
// each is in one of its pools and one it gives out) and the node ports asked for with --node-port are not another
// Service's, that no ResourceQuota would refuse the new Services, that the ConfigMap --publish-configmap names is
// expose-sts's own, and then every write as the API server's dry run takes it, with the address family it gives.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { CommandError } from '../../errors.ts';
import type { Api } from '../../kube/api.ts';
import { takenProblem, type Wanted } from '../../plan/claims.ts';
import type { Action } from '../../plan/diff.ts';
import { configMapConflict } from '../../plan/endpoints-configmap.ts';
import { familyProblem, poolProblem, type Provider, requestedAddress } from '../../plan/load-balancer.ts';
import { quotaDemand, quotaProblem } from '../../plan/quota.ts';
import { applyBody } from '../../plan/service.ts';

const refuse = (problem: string) => new CommandError(`${problem}; nothing was changed`);

/**
 * `actions`: every Service of the StatefulSet, those that stay as they are included (what they hold is theirs);
 * `configMap`: the one --publish-configmap names as read, which must be expose-sts's for this StatefulSet, or absent.
 */
export async function checkBeforeWriting(
  api: Api,
  statefulSet: string,
  actions: Action[],
  provider: Provider | undefined,
  configMap?: { existing: V1ConfigMap | undefined },
): Promise<void> {
  if (configMap) {
    const conflict = configMapConflict(configMap.existing, statefulSet);
    if (conflict) throw refuse(conflict);
  }
  const toWrite = actions.filter((a) => a.kind !== 'unchanged');
  const wanted: Wanted[] = actions.map(({ desired: d }) => ({
    namespace: api.namespace,
    name: d.name,
    ordinal: d.ordinal,
    address: requestedAddress(d.service),
    nodePorts: (d.service.spec?.ports ?? []).flatMap((p) => (p.nodePort === undefined ? [] : [p.nodePort])),
  }));
  if (wanted.some((w) => w.address || w.nodePorts.length)) {
    const addresses = wanted.flatMap((w) => (w.address ? [{ ip: w.address, ordinal: w.ordinal }] : []));
    const pools = provider === 'metallb' && addresses.length ? await api.addressPools() : undefined;
    const claims = await api.serviceClaims(api.namespace);
    const problem = (pools && poolProblem(addresses, pools)) || takenProblem(wanted, claims.claims);
    if (problem) throw refuse(problem);
  }

  // Read only when the writes add Services, load balancers or node ports.
  const demand = quotaDemand(toWrite.map((a) => ({ desired: a.desired.service, existing: a.existing })));
  const overQuota = demand.length ? quotaProblem(await api.resourceQuotas(), demand, api.namespace) : undefined;
  if (overQuota) throw refuse(overQuota);

  // Every write as the API server would take it (validation, node-port and address allocation, immutable fields),
  // without keeping it: what it refuses, the run refuses whole, before the first write. Services whose ports are
  // replaced before they are applied (adopted, or changed by hand) cannot be checked so (a dry run does not chain):
  // their real writes check them.
  const checked = toWrite.filter((a) => !a.replacePorts);
  if (!checked.length) return;
  const answers = await api
    .applyAll(
      checked.map((a) => applyBody(a.desired.service)),
      true,
    )
    .catch((err: CommandError) => {
      const immutable = /may not change once set|field is immutable/.test(err.message);
      const wayThrough = immutable
        ? `: these Services must be made anew, so prune them first (kubectl expose-sts prune ${statefulSet} -n ${api.namespace} --all) and run this command again; addresses asked for with --load-balancer-ip are asked for again`
        : '';
      throw new CommandError(`${err.message}${wayThrough}; nothing was changed`, { status: err.status, cause: err });
    });
  const mismatch = familyProblem(
    checked.map((a, i) => ({ ...a.desired, families: answers[i]?.spec?.ipFamilies ?? [] })),
  );
  if (mismatch) throw refuse(mismatch);
}
