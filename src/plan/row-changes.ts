// What a watch prints after the first table: the rows that changed, as kubectl get --watch prints them, each with
// kubectl's watch event type. Pure.
import type { Exposure } from './exposure.ts';

export const watchEvents = ['ADDED', 'MODIFIED', 'DELETED'] as const;
export type WatchEvent = (typeof watchEvents)[number];

export interface RowChange<R> {
  event: WatchEvent;
  row: R;
}

/**
 * A row's identity across updates: its StatefulSet and ordinal, so a member whose Service is made, gets an address or
 * is orphaned by a scale-down is one row MODIFIED. Where an ordinal has more than one row (a Service an earlier
 * --name-template left, Orphaned beside the one in use), the extra ones are told apart by their Service.
 */
function keyed<R extends Exposure & { state?: string }>(rows: R[]): Map<string, R> {
  const count = new Map<string, number>();
  const base = (r: R) => `${r.namespace}/${r.statefulSet}/${r.ordinal}`;
  for (const r of rows) count.set(base(r), (count.get(base(r)) ?? 0) + 1);
  const out = new Map<string, R>();
  for (const r of rows) {
    const extra = (count.get(base(r)) ?? 0) > 1 && r.state === 'Orphaned';
    out.set(extra ? `${base(r)}/${r.service?.name ?? ''}` : base(r), r);
  }
  return out;
}

/**
 * The rows of `after` that are new or show something else than in `before` (as `shown` prints them), and those of
 * `before` that are gone, in the order of `after` with the gone ones last.
 */
export function rowChanges<R extends Exposure & { state?: string }>(
  before: R[],
  after: R[],
  shown: (r: R) => string,
): RowChange<R>[] {
  const was = keyed(before);
  const is = keyed(after);
  const changes: RowChange<R>[] = [];
  for (const [k, row] of is) {
    const old = was.get(k);
    if (!old) changes.push({ event: 'ADDED', row });
    else if (shown(old) !== shown(row)) changes.push({ event: 'MODIFIED', row });
  }
  for (const [k, row] of was) if (!is.has(k)) changes.push({ event: 'DELETED', row });
  return changes;
}
