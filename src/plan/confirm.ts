// Which load-balancer addresses a run may print, publish and count as in: only those the load balancer shows for the
// Services as this run wrote them. A re-run that changes what the load balancer must do (other requested addresses,
// --shared-address dropped) finds the previous addresses still in the Services' status until the load balancer
// answers; they were printed as ready, exit 0, and published. Pure: the watch feeds it.
import type { CoreV1Event, V1Service } from '@kubernetes/client-node';
import { lbAddress, lbAddresses } from './endpoint.ts';
import { requestedAddresses } from './load-balancer.ts';
import { nameOf } from './meta.ts';

/** One member as this run wrote it (`written`) and as last seen (`current`). */
export interface Member {
  name: string;
  written: V1Service;
  current?: V1Service;
}

/**
 * Why each member's address cannot be taken yet (no entry: it can): none yet; not the one requested; or, across the
 * members, one that two Services without a shared address both show, or a shared one they do not all show.
 */
export function unconfirmed(members: Member[], shared: boolean): Map<string, string> {
  const out = new Map<string, string>();
  const firsts = new Map<string, string>(); // address → the first member that shows it
  for (const m of members) {
    const got = lbAddresses(m.current);
    const want = requestedAddresses(m.written);
    if (!got.length) out.set(m.name, 'no load-balancer address yet');
    else if (want.some((ip) => !got.includes(ip)))
      out.set(m.name, `the load balancer shows ${got.join(', ')}, not the requested ${want.join(', ')}`);
    for (const ip of got) if (!firsts.has(ip)) firsts.set(ip, m.name);
  }
  if (shared) {
    const first = lbAddresses(members[0]?.current)[0];
    for (const m of members) {
      if (out.has(m.name) || !first) continue;
      if (!lbAddresses(m.current).includes(first)) out.set(m.name, `not on the shared address ${first} yet`);
    }
  } else {
    for (const m of members) {
      const twice = lbAddresses(m.current).find((ip) => firsts.get(ip) !== m.name);
      if (twice && !out.has(m.name)) out.set(m.name, `${twice} is still service ${firsts.get(twice)}'s too`);
    }
  }
  return out;
}

/**
 * Why the run must fail now rather than wait, if it must: the Service no longer asks for what this run wrote
 * (another run wrote it since), or the load balancer, answering this run's write, gave an address other than the
 * one requested. `before`: the addresses the Service showed before this run wrote it.
 */
export function refusal(m: Member, before: string[]): string | undefined {
  if (!m.current) return undefined;
  const wrote = requestedAddresses(m.written);
  const asks = requestedAddresses(m.current);
  if (wrote.join(',') !== asks.join(','))
    return `service ${m.name} was changed by another writer while this run waited: it now asks for ${asks.join(', ') || 'any address'}`;
  const got = lbAddresses(m.current);
  const changed = got.join(',') !== before.join(',');
  if (wrote.length && got.length && changed && wrote.some((ip) => !got.includes(ip)))
    return `the load balancer gave service ${m.name} ${got.join(', ')}, not the requested ${wrote.join(', ')}: it does not take the request this way (see --load-balancer-provider)`;
  return undefined;
}

/** MetalLB's Warning when it cannot give a Service the address it asks for: not worth waiting for. */
const refusedReasons = new Set(['AllocationFailed']);

/**
 * A load balancer's refusal of one of `names` since `since` (ms since the epoch; the caller leaves a margin for the
 * clocks of this machine and the API server's controller, which stamp the two): the Event's message.
 */
export function refusedByEvent(events: CoreV1Event[], names: string[], since: number): string | undefined {
  for (const e of events) {
    const name = e.involvedObject?.name;
    if (e.type !== 'Warning' || e.involvedObject?.kind !== 'Service' || !name || !names.includes(name)) continue;
    if (!refusedReasons.has(e.reason ?? '')) continue;
    const at = String(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '');
    if (Date.parse(at) >= since) return `service ${name}: ${e.message ?? e.reason}`;
  }
  return undefined;
}

/** A Service as the tables may show it: without the addresses that are not confirmed. */
export function withConfirmed(svc: V1Service, why: Map<string, string>): V1Service {
  if (!why.has(nameOf(svc)) || !lbAddress(svc)) return svc;
  return { ...svc, status: { ...svc.status, loadBalancer: {} } };
}
