import type { CoreV1Event } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { pendingReasons, reasonLine } from '../../../src/plan/warnings.ts';

const warning = (name: string, message: string, at: string, type = 'Warning'): CoreV1Event => ({
  metadata: { name: `${name}.${at}`, namespace: 'data' },
  involvedObject: { kind: 'Service', name, namespace: 'data' },
  reason: 'AllocationFailed',
  message,
  type,
  lastTimestamp: at as unknown as Date,
});

describe('why an address does not come', () => {
  it('gives the latest Warning of each pending Service, one line per distinct reason, its own name left out', () => {
    const events = [
      warning('db-0', 'Failed to allocate IP for "data/db-0": no available IPs', '2026-11-30T10:00:00Z'),
      warning('db-1', 'Failed to allocate IP for "data/db-1": no available IPs', '2026-11-30T10:00:01Z'),
      warning('db-2', 'Failed to allocate IP for "data/db-2": no available IPs', '2026-11-30T10:00:00Z'),
      warning(
        'db-2',
        'Failed to allocate IP for "data/db-2": ["192.0.2.9"] is not allowed in config',
        '2026-11-30T10:00:05Z',
      ),
      warning('db-3', 'Failed to allocate IP for "data/db-3": no available IPs', '2026-11-30T10:00:00Z'), // not pending
      warning('db-0', 'Assigned IP', '2026-11-30T09:00:00Z', 'Normal'),
    ];
    const reasons = pendingReasons(events, ['db-0', 'db-1', 'db-2'], 'data');
    expect(reasons.map(reasonLine)).toEqual([
      'db-0, db-1: Failed to allocate IP: no available IPs',
      'db-2: Failed to allocate IP: ["192.0.2.9"] is not allowed in config',
    ]);
    expect(pendingReasons(events, ['db-9'], 'data')).toEqual([]);
  });
});
