// expose waiting for load-balancer addresses: one watch on the Services (opened before the writes, so nothing is
// missed), a spinner on a terminal, and what the load balancer says about those that get none — printed once per
// distinct reason while waiting, and given as the cause if time runs out.
import type { CoreV1Event, V1Service } from '@kubernetes/client-node';
import type { Kube } from '../kube/client.ts';
import type { KubeLayer } from '../kube/load.ts';
import type { OpenWatch } from '../kube/watch.ts';
import { lbAddress } from '../plan/endpoint.ts';
import { pendingReasons, type Reason, reasonLine } from '../plan/warnings.ts';
import { startProgress } from '../render/spinner.ts';
import type { IO } from './io.ts';

/**
 * Events are read only once a wait lasts this long: a load balancer that answers at once (MetalLB, most of the time)
 * costs no request for them (bench P3 counts every request of an expose).
 */
const quietMs = 1000;

/**
 * Waits until every named Service in `current` has an address, updating `current` from the watch. On timeout, the
 * reasons of those still pending (empty when the load balancer said nothing, or Events cannot be read).
 */
export async function waitForAddresses(
  k: KubeLayer,
  kube: Kube,
  watch: OpenWatch<V1Service>,
  names: string[],
  current: Map<string, V1Service>,
  timeoutMs: number,
  io: IO,
): Promise<{ timedOut: false } | { timedOut: true; reasons: Reason[] }> {
  const ready = () => names.filter((n) => lbAddress(current.get(n))).length;
  if (ready() === names.length) {
    watch.close();
    return { timedOut: false };
  }
  const pending = () => names.filter((n) => !lbAddress(current.get(n)));
  const progress = await startProgress(`waiting for load-balancer addresses ${ready()}/${names.length}`);
  const events: CoreV1Event[] = [];
  const said = new Set<string>();
  const tell = () => {
    for (const r of pendingReasons(events, pending(), kube.namespace)) {
      if (said.has(r.text)) continue;
      said.add(r.text);
      progress.above(() => io.err(`warning: ${reasonLine(r)}\n`));
    }
  };
  let warnings: Promise<{ watch?: OpenWatch<CoreV1Event> } | undefined> | undefined;
  const readWarnings = (follow: boolean) =>
    (warnings ??= k.readWarnings(kube, follow).then((w) => {
      events.push(...(w?.items ?? []));
      tell();
      void w?.watch
        ?.until((event) => {
          events.push(event);
          tell();
          return false;
        }, timeoutMs)
        .catch(() => undefined); // advisory: a failing watch of Events changes nothing else
      return w;
    }));
  const quiet = setTimeout(() => void readWarnings(true), quietMs);
  try {
    const result = await watch.until((svc, deleted) => {
      const name = svc.metadata?.name;
      if (!name || !names.includes(name) || deleted) return false;
      current.set(name, svc);
      progress.update(`waiting for load-balancer addresses ${ready()}/${names.length}`);
      return ready() === names.length;
    }, timeoutMs);
    if (result === 'done') return { timedOut: false };
    await readWarnings(false); // a short --timeout: read them now
    return { timedOut: true, reasons: pendingReasons(events, pending(), kube.namespace) };
  } finally {
    clearTimeout(quiet);
    (await warnings)?.watch?.close();
    progress.stop();
  }
}
