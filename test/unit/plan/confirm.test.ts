import type { CoreV1Event, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { refusal, refusedByEvent, unconfirmed, withConfirmed } from '../../../src/plan/confirm.ts';

const svc = (name: string, opts: { asks?: string; shows?: string[]; shared?: boolean } = {}): V1Service => ({
  metadata: {
    name,
    annotations: {
      ...(opts.asks && { 'metallb.io/loadBalancerIPs': opts.asks }),
      ...(opts.shared && { 'metallb.io/allow-shared-ip': 'data/db' }),
    },
  },
  spec: { type: 'LoadBalancer' },
  status: { loadBalancer: { ingress: (opts.shows ?? []).map((ip) => ({ ip })) } },
});
const member = (name: string, asks: string | undefined, shows: string[]) => ({
  name,
  written: svc(name, { asks }),
  current: svc(name, { asks, shows }),
});

describe('unconfirmed addresses', () => {
  it('takes an address only where it is the one requested', () => {
    const why = unconfirmed(
      [member('db-0', '198.18.2.20', ['198.18.2.10']), member('db-1', '198.18.2.21', ['198.18.2.21'])],
      false,
    );
    expect([...why]).toEqual([['db-0', 'the load balancer shows 198.18.2.10, not the requested 198.18.2.20']]);
    expect([...unconfirmed([member('db-0', undefined, [])], false)]).toEqual([
      ['db-0', 'no load-balancer address yet'],
    ]);
  });
  it('takes no address two Services show unless they share one, and a shared one only where all show it', () => {
    const same = [member('db-0', undefined, ['198.18.0.5']), member('db-1', undefined, ['198.18.0.5'])];
    expect([...unconfirmed(same, false)]).toEqual([['db-1', "198.18.0.5 is still service db-0's too"]]);
    expect(unconfirmed(same, true).size).toBe(0);
    const apart = [member('db-0', undefined, ['198.18.0.5']), member('db-1', undefined, ['198.18.0.6'])];
    expect([...unconfirmed(apart, true)]).toEqual([['db-1', 'not on the shared address 198.18.0.5 yet']]);
    expect(unconfirmed(apart, false).size).toBe(0);
  });
  it('shows an unconfirmed Service without its addresses', () => {
    const s = svc('db-0', { shows: ['198.18.0.5'] });
    expect(withConfirmed(s, new Map([['db-0', 'x']])).status?.loadBalancer).toEqual({});
    expect(withConfirmed(s, new Map())).toBe(s);
  });
});

describe('refusals end the wait at once', () => {
  it('another run changed the request, or the load balancer answered with another address', () => {
    const wrote = svc('db-0', { asks: '198.18.2.20' });
    expect(refusal({ name: 'db-0', written: wrote, current: svc('db-0', { asks: '198.18.2.30' }) }, [])).toBe(
      'service db-0 was changed by another writer while this run waited: it now asks for 198.18.2.30',
    );
    // The address it showed before this run's write is not an answer to it: wait.
    const old = svc('db-0', { asks: '198.18.2.20', shows: ['198.18.2.10'] });
    expect(refusal({ name: 'db-0', written: wrote, current: old }, ['198.18.2.10'])).toBeUndefined();
    expect(refusal({ name: 'db-0', written: wrote, current: old }, [])).toMatch(
      /^the load balancer gave service db-0 198.18.2.10, not the requested 198.18.2.20/,
    );
  });
  it("MetalLB's AllocationFailed since the writes, not before them nor another Warning", () => {
    const event = (reason: string, at: string): CoreV1Event => ({
      metadata: {},
      involvedObject: { kind: 'Service', name: 'db-0' },
      type: 'Warning',
      reason,
      message: 'Failed to allocate IP for "data/db-0": no available IPs',
      lastTimestamp: at as never,
    });
    const since = Date.parse('2026-12-06T01:00:00Z');
    expect(refusedByEvent([event('AllocationFailed', '2026-12-06T01:00:01Z')], ['db-0'], since)).toBe(
      'service db-0: Failed to allocate IP for "data/db-0": no available IPs',
    );
    expect(refusedByEvent([event('AllocationFailed', '2026-12-06T00:59:00Z')], ['db-0'], since)).toBeUndefined();
    expect(refusedByEvent([event('SyncLoadBalancerFailed', '2026-12-06T01:00:01Z')], ['db-0'], since)).toBeUndefined();
    expect(refusedByEvent([event('AllocationFailed', '2026-12-06T01:00:01Z')], ['db-1'], since)).toBeUndefined();
  });
});
