// expose waiting for load-balancer addresses: one watch on the Services (opened before the writes, so nothing is
// missed), a spinner on a terminal, and what the load balancer says about those that get none — printed once per
// distinct reason while waiting, and given as the cause if time runs out. An address counts only once it is confirmed
// for the Service as this run wrote it (plan/confirm.ts); a load balancer that refuses, or gives another address than
// the one requested, ends the wait at once with its reason.
import type { CoreV1Event, V1Service } from '@kubernetes/client-node';
import type { Kube } from '../kube/client.ts';
import type { KubeLayer } from '../kube/load.ts';
import type { OpenWatch } from '../kube/watch.ts';
import { refusal, refusedByEvent, unconfirmed } from '../plan/confirm.ts';
import { pendingReasons, type Reason, reasonLine } from '../plan/warnings.ts';
import { startProgress } from '../render/spinner.ts';
import type { IO } from './io.ts';

/**
 * Events are read only once a wait lasts this long: a load balancer that answers at once (MetalLB, most of the time)
 * costs no request for them (bench P3 counts every request of an expose).
 */
const quietMs = 1000;

/** How much older than this run's writes a refusal Event may look: the clocks of this machine and the cluster's. */
const clockMarginMs = 2000;

export type Waited = { timedOut: false; refused?: string } | { timedOut: true; reasons: Reason[]; refused?: undefined };

/**
 * Waits until every member's address is confirmed, updating `current` from the watch. On timeout, the reasons of
 * those still pending (empty when the load balancer said nothing, or Events cannot be read); on a refusal, its reason.
 * `before`: each Service's addresses before this run wrote it; `since`: when the writes began.
 */
export async function waitForAddresses(
  k: KubeLayer,
  kube: Kube,
  watch: OpenWatch<V1Service>,
  members: { name: string; written: V1Service }[],
  current: Map<string, V1Service>,
  opts: { timeoutMs: number; shared: boolean; before: Map<string, string[]>; since: number },
  io: IO,
): Promise<Waited> {
  const byName = new Map(members.map((m) => [m.name, m]));
  const pending = () => [
    ...unconfirmed(
      members.map((m) => ({ ...m, current: current.get(m.name) })),
      opts.shared,
    ).keys(),
  ];
  const counted = (left: number) => `waiting for load-balancer addresses ${members.length - left}/${members.length}`;
  const first = pending();
  if (!first.length) {
    watch.close();
    return { timedOut: false };
  }
  const progress = await startProgress(counted(first.length));
  const events: CoreV1Event[] = [];
  const said = new Set<string>();
  let refused: string | undefined;
  const tell = () => {
    const left = pending();
    refused ??= refusedByEvent(events, left, opts.since - clockMarginMs);
    if (refused) watch.close();
    for (const r of pendingReasons(events, left, kube.namespace)) {
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
        }, opts.timeoutMs)
        .catch(() => undefined); // advisory: a failing watch of Events changes nothing else
      return w;
    }));
  const quiet = setTimeout(() => void readWarnings(true), quietMs);
  try {
    const result = await watch.until((svc, deleted) => {
      const member = byName.get(svc.metadata?.name ?? '');
      if (!member || deleted) return false;
      current.set(member.name, svc);
      refused ??= refusal({ ...member, current: svc }, opts.before.get(member.name) ?? []);
      const left = pending().length;
      progress.update(counted(left));
      return !!refused || left === 0;
    }, opts.timeoutMs);
    if (refused) return { timedOut: false, refused };
    if (result === 'done') return { timedOut: false };
    await readWarnings(false); // a short --timeout: read them now
    return { timedOut: true, reasons: pendingReasons(events, pending(), kube.namespace) };
  } finally {
    clearTimeout(quiet);
    (await warnings)?.watch?.close();
    progress.stop();
  }
}
