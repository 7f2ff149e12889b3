// Before expose writes anything, what it claims is checked free: the addresses asked for with --load-balancer-ip
// (and, with MetalLB, that each is in one of its pools) and the node ports asked for with --node-port. A problem is
// one error line, and nothing changed.
import { CommandError } from '../errors.ts';
import type { Kube } from '../kube/client.ts';
import type { KubeLayer } from '../kube/load.ts';
import { takenProblem, type Wanted } from '../plan/claims.ts';
import { poolProblem, type Provider, requestedAddress } from '../plan/load-balancer.ts';
import type { DesiredService } from '../plan/service.ts';

/**
 * Throws when a claim is taken or, with MetalLB, outside its pools. Returns whether every Service of the cluster
 * was seen: if not, a node port held in another namespace shows only when it is written.
 */
export async function checkClaims(
  k: KubeLayer,
  kube: Kube,
  desired: DesiredService[],
  provider: Provider | undefined,
): Promise<{ everywhere: boolean }> {
  const wanted: Wanted[] = desired.map((d) => ({
    namespace: kube.namespace,
    name: d.name,
    ordinal: d.ordinal,
    address: requestedAddress(d.service),
    nodePorts: (d.service.spec?.ports ?? []).flatMap((p) => (p.nodePort === undefined ? [] : [p.nodePort])),
  }));
  if (!wanted.some((w) => w.address || w.nodePorts.length)) return { everywhere: true };
  const addresses = wanted.flatMap((w) => (w.address ? [{ ip: w.address, ordinal: w.ordinal }] : []));
  const pools = provider === 'metallb' && addresses.length ? await k.addressPools(kube) : undefined;
  const { claims, everywhere } = await k.serviceClaims(kube, kube.namespace);
  const problem = (pools && poolProblem(addresses, pools)) || takenProblem(wanted, claims);
  if (problem) throw new CommandError(`${problem}; nothing was changed`);
  return { everywhere };
}
