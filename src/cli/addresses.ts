// Before expose writes anything, the addresses asked for with --load-balancer-ip are checked: none is taken by
// another Service, and with MetalLB each is in one of its pools. A problem is one error line, and nothing changed.
import { CommandError } from '../errors.ts';
import type { Kube } from '../kube/client.ts';
import type { KubeLayer } from '../kube/load.ts';
import { heldProblem, poolProblem, type Provider, requestedAddress } from '../plan/load-balancer.ts';
import type { DesiredService } from '../plan/service.ts';

export async function checkAddresses(
  k: KubeLayer,
  kube: Kube,
  desired: DesiredService[],
  provider: Provider,
): Promise<void> {
  const wanted = desired.flatMap((d) => {
    const ip = requestedAddress(d.service);
    return ip ? [{ ip, ordinal: d.ordinal, namespace: kube.namespace, name: d.name }] : [];
  });
  if (!wanted.length) return;
  const pools = provider === 'metallb' ? await k.addressPools(kube) : undefined;
  const problem =
    (pools && poolProblem(wanted, pools)) || heldProblem(wanted, await k.addressHolders(kube, kube.namespace));
  if (problem) throw new CommandError(`${problem}; nothing was changed`);
}
