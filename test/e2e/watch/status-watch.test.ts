// status --watch, as kubectl get --watch: the table, then one line per row whose state or endpoint changes; kubectl's
// EVENT column with --output-watch-events; -o json each changed row as an object; -o endpoints printing the whole
// list again on each change.
import { describe, expect, it } from 'vitest';
import { statefulSet } from '../fixtures.ts';
import { kubectl, lbArgs, newNamespace, plugin, readyStatefulSet } from '../helpers.ts';
import { follow } from './following.ts';

describe('kubectl expose-sts status --watch', () => {
  it('prints the rows that change, the EVENT column, and the endpoints list again', async () => {
    const ns = await newNamespace('status-watch');
    await readyStatefulSet(ns, statefulSet('db', { replicas: 2 }));
    expect(plugin(lbArgs('db', '-n', ns)).code).toBe(0);
    const table = follow(['status', 'db', '-n', ns, '--watch']);
    const events = follow(['status', '-n', ns, '-w', '--output-watch-events']);
    const list = follow(['status', 'db', '-n', ns, '-w', '-o', 'endpoints']);
    const objects = follow(['status', 'db', '-n', ns, '-w', '-o', 'json', '--output-watch-events']);
    const bare = follow(['status', 'db', '-n', ns, '-w', '--no-headers']);
    try {
      await table.until('stdout', /^db\s+1\s+db-1\s+LoadBalancer\s+\S+:5432\s+Ready$/m);
      await events.until('stdout', /^ADDED\s+db\s+1\s/m);
      const first = await list.until('stdout', /^\S+,\S+\n/m);
      expect(kubectl(['scale', 'statefulset', 'db', '-n', ns, '--replicas', '3']).code).toBe(0);
      // The new ordinal has a pod and no Service yet: Missing, until expose gives it one.
      await table.until('stdout', /^db\s+2\s+<none>\s+LoadBalancer\s+<none>\s+Missing$/m);
      await events.until('stdout', /^ADDED\s+db\s+2\s+<none>/m);
      expect(plugin(lbArgs('db', '-n', ns)).code).toBe(0);
      await table.until('stdout', /^db\s+2\s+db-2\s+LoadBalancer\s+\S+:5432\s+Ready$/m);
      await events.until('stdout', /^MODIFIED\s+db\s+2\s+db-2\s+LoadBalancer\s+\S+:5432\s+Ready$/m);
      await list.until('stdout', /^\S+,\S+,\S+:5432\n/m);
      await bare.until('stdout', /^db\s+2\s+db-2\s+LoadBalancer\s+\S+:5432\s+Ready$/m);
      // Each changed row as kubectl get -w -o json --output-watch-events prints an object: a watch event.
      await objects.until(
        'stdout',
        /"type": "MODIFIED",\n {4}"object": \{\n(?: {8}.*\n)*? {8}"ordinal": 2,\n(?: {8}.*\n)*? {8}"state": "Ready"/,
      );
      expect(objects.stdout).toMatch(/^\{\n {4}"type": "ADDED",/);
      // The table's header once; every later line is a row in its columns.
      expect(table.stdout.match(/^STATEFULSET/gm)).toHaveLength(1);
      expect(events.stdout.split('\n')[0]).toMatch(/^EVENT\s+STATEFULSET\s+ORDINAL/);
      expect(list.stdout.startsWith(first)).toBe(true);
      // --no-headers: rows only, from the first line on.
      expect(bare.stdout.split('\n')[0]).toMatch(/^db\s+0\s+db-0\s/);
      expect(bare.stdout).not.toMatch(/STATEFULSET/);
    } finally {
      for (const run of [table, events, list, objects, bare]) {
        const stopped = await run.stop();
        expect(stopped.code).toBe(130);
        expect(stopped.stderr).toBe('');
      }
    }
  });
});
