// expose, step 5: waiting for load-balancer addresses: one watch on the Services (opened before the writes, so
// nothing is missed), a spinner on a terminal, and what the load balancer says about those that get none — printed
// once per distinct reason while waiting, and given as the cause if time runs out. An address counts only once it is
// confirmed for the Service as this run wrote it (plan/confirm.ts); a load balancer that refuses, or gives another
// address than the one requested, ends the wait at once with its reason.
import type { CoreV1Event, V1Service } from '@kubernetes/client-node';
import type { Api } from '../../kube/api.ts';
import { lbAddresses } from '../../plan/endpoint.ts';
import { sharingAnnotations } from '../../plan/load-balancer.ts';
import { managedSelector } from '../../plan/ownership.ts';
import type { DesiredService } from '../../plan/service.ts';
import type { Planned } from './plan.ts';
import type { OpenWatch } from '../../kube/watch.ts';
import { refusal, refusedByEvent, unconfirmed } from '../../plan/confirm.ts';
import { pendingReasons, type Reason, reasonLine } from '../../plan/warnings.ts';
import { startProgress } from '../../render/spinner.ts';
import type { IO } from '../io.ts';

/** Each member as this run writes it: what its address must answer (plan/confirm.ts). */
export interface Members {
  list: { name: string; written: V1Service }[];
  /** Each member whose address is not yet confirmed as `current` shows it, and why. */
  unconfirmed(current: Map<string, V1Service>): Map<string, string>;
}

export function membersOf(desired: DesiredService[], type: string): Members {
  const list = desired.map((d) => ({ name: d.name, written: d.service }));
  const shared = desired.some((d) => sharingAnnotations.some((key) => d.service.metadata?.annotations?.[key]));
  return {
    list,
    unconfirmed: (current) =>
      type === 'LoadBalancer'
        ? unconfirmed(
            list.map((m) => ({ ...m, current: current.get(m.name) })),
            shared,
          )
        : new Map<string, string>(),
  };
}

/**
 * The watch the wait follows, opened before the first write when the run waits: a write may change what the load
 * balancer must do, so the addresses the Services show now are not yet this run's. Watching from the LIST's version
 * replays our own writes and every address assigned since: nothing is missed.
 */
export async function openAddressWatch(
  api: Api,
  planned: Planned,
  members: Members,
  current: Map<string, V1Service>,
): Promise<OpenWatch<V1Service> | undefined> {
  const { opts, plan, existing } = planned;
  const writes = plan.actions.some((a) => a.kind !== 'unchanged');
  const waiting =
    opts.wait &&
    opts.type === 'LoadBalancer' &&
    opts.dryRun !== 'server' &&
    (writes || members.unconfirmed(current).size > 0);
  return waiting ? api.watchServices(managedSelector(opts.statefulSet), existing.resourceVersion) : undefined;
}

/** Each Service's addresses before this run wrote it: a refusal compares against them. */
export const addressesBefore = (planned: Planned) =>
  new Map(planned.plan.actions.map((a) => [a.desired.name, lbAddresses(a.existing)]));

/**
 * Events are read only once a wait lasts this long: a load balancer that answers at once (MetalLB, most of the time)
 * costs no request for them (bench P3 counts every request of an expose).
 */
const quietMs = 1000;

/** How much older than this run's writes a refusal Event may look: the clocks of this machine and the cluster's. */
const clockMarginMs = 2000;

export type Waited = { timedOut: false; refused?: string } | { timedOut: true; reasons: Reason[]; refused?: undefined };

/**
 * What the load balancer says of the members still pending (their Warning Events): read once the wait lasts
 * (quietMs), then followed; each distinct reason is printed once, and a refusal is kept for the wait to end on.
 */
class LoadBalancerSays {
  readonly events: CoreV1Event[] = [];
  refused?: string;
  private readonly said = new Set<string>();
  private reading?: Promise<{ watch?: OpenWatch<CoreV1Event> } | undefined>;
  private readonly api: Api;
  private readonly run: { pending: () => string[]; since: number; timeoutMs: number; onRefused: () => void };
  private readonly say: (line: string) => void;

  constructor(api: Api, run: LoadBalancerSays['run'], say: (line: string) => void) {
    this.api = api;
    this.run = run;
    this.say = say;
  }

  tell(): void {
    const left = this.run.pending();
    this.refused ??= refusedByEvent(this.events, left, this.run.since - clockMarginMs);
    if (this.refused) this.run.onRefused();
    for (const r of pendingReasons(this.events, left, this.api.namespace)) {
      if (this.said.has(r.text)) continue;
      this.said.add(r.text);
      this.say(`warning: ${reasonLine(r)}\n`);
    }
  }

  read(follow: boolean): Promise<unknown> {
    this.reading ??= this.api.readWarnings(follow).then((w) => {
      this.events.push(...(w?.items ?? []));
      this.tell();
      const onEvent = (event: CoreV1Event) => {
        this.events.push(event);
        this.tell();
        return false;
      };
      // Advisory: a failing watch of Events changes nothing else.
      void w?.watch?.until(onEvent, this.run.timeoutMs).catch(() => undefined);
      return w;
    });
    return this.reading;
  }

  async stop(): Promise<void> {
    (await this.reading)?.watch?.close();
  }
}

/**
 * Waits until every member's address is confirmed, updating `current` from the watch. On timeout, the reasons of
 * those still pending (empty when the load balancer said nothing, or Events cannot be read); on a refusal, its reason.
 * `before`: each Service's addresses before this run wrote it; `since`: when the writes began.
 */
export async function waitForAddresses(
  api: Api,
  watch: OpenWatch<V1Service>,
  members: Members,
  current: Map<string, V1Service>,
  opts: { timeoutMs: number; before: Map<string, string[]>; since: number },
  io: IO,
): Promise<Waited> {
  const byName = new Map(members.list.map((m) => [m.name, m]));
  const pending = () => [...members.unconfirmed(current).keys()];
  const total = members.list.length;
  const counted = (left: number) => `waiting for load-balancer addresses ${total - left}/${total}`;
  const first = pending();
  if (!first.length) {
    watch.close();
    return { timedOut: false };
  }
  const progress = await startProgress(counted(first.length));
  const run = { pending, since: opts.since, timeoutMs: opts.timeoutMs, onRefused: () => watch.close() };
  const lb = new LoadBalancerSays(api, run, (line) => progress.above(() => io.err(line)));
  const quiet = setTimeout(() => void lb.read(true), quietMs);
  let refused: string | undefined;
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
    refused ??= lb.refused;
    if (refused) return { timedOut: false, refused };
    if (result === 'done') return { timedOut: false };
    await lb.read(false); // a short --timeout: read them now
    return { timedOut: true, reasons: pendingReasons(lb.events, pending(), api.namespace) };
  } finally {
    clearTimeout(quiet);
    await lb.stop();
    progress.stop();
  }
}
