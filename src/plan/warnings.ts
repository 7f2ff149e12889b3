// Why an address does not come: the load balancer's own Warning Events on the Services still pending (MetalLB: no
// free address, one outside its pools, a sharing conflict; a cloud: quota, subnet, permissions), the latest of each
// Service, one line per distinct reason. Pure: the kube layer reads the Events.
import type { CoreV1Event } from '@kubernetes/client-node';

export interface Reason {
  /** The pending Services this reason holds up, in the order given. */
  services: string[];
  text: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const timeOf = (e: CoreV1Event) => String(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '');

/** The latest Warning of each pending Service, grouped by what it says once the Service's own name is left out. */
export function pendingReasons(events: CoreV1Event[], pending: string[], namespace: string): Reason[] {
  const latest = new Map<string, CoreV1Event>();
  for (const e of events) {
    const name = e.involvedObject?.name;
    if (e.type !== 'Warning' || e.involvedObject?.kind !== 'Service' || !name || !pending.includes(name)) continue;
    const before = latest.get(name);
    if (!before || timeOf(before) <= timeOf(e)) latest.set(name, e);
  }
  const reasons: Reason[] = [];
  for (const name of pending) {
    const e = latest.get(name);
    if (!e) continue;
    // `Failed to allocate IP for "data/mydb-2": no available IPs` says the same for every Service but its name.
    const own = new RegExp(`\\s*(for\\s+)?"?${escapeRegExp(namespace)}/${escapeRegExp(name)}"?`, 'g');
    const text = (e.message || e.reason || 'Warning').replace(own, '').trim();
    const same = reasons.find((r) => r.text === text);
    if (same) same.services.push(name);
    else reasons.push({ services: [name], text });
  }
  return reasons;
}

/** `mydb-2, mydb-3: no available IPs in pool tiny` */
export const reasonLine = (r: Reason) => `${r.services.join(', ')}: ${r.text}`;
