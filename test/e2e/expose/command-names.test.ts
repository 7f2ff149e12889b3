// A StatefulSet named like a subcommand (status, prune, completion, options) is reached after `--`, which ends the
// flags, as cobra reads it, through kubectl's plugin dispatch.
import { beforeAll, describe, expect, it } from 'vitest';
import { statefulSet } from '../fixtures.ts';
import { newNamespace, parseTable, plugin, readyStatefulSet, servicesIn } from '../helpers.ts';

let ns: string;
beforeAll(async () => {
  ns = await newNamespace('expose-names');
  await readyStatefulSet(ns, statefulSet('status', { replicas: 2 }));
});

describe('a StatefulSet named like a command', () => {
  it('is exposed, shown and pruned when named after --', async () => {
    const exposed = plugin(['-n', ns, '--type', 'NodePort', '--', 'status']);
    expect(exposed.code, exposed.stderr).toBe(0);
    expect(parseTable(exposed.stdout).map((r) => [r.POD, r.SERVICE, r.TYPE])).toEqual([
      ['status-0', 'status-0', 'NodePort'],
      ['status-1', 'status-1', 'NodePort'],
    ]);

    // Without --, the word is the command: status of every exposed StatefulSet of the namespace.
    const all = plugin(['status', '-n', ns]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('statefulset status: 2 Ready');
    const one = plugin(['status', '-n', ns, '--', 'status']);
    expect(parseTable(one.stdout.split('\n\n')[0]).map((r) => [r.STATEFULSET, r.ORDINAL, r.STATE])).toEqual([
      ['status', '0', 'Ready'],
      ['status', '1', 'Ready'],
    ]);

    const pruned = plugin(['prune', '-n', ns, '--all', '--', 'status']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toBe('service/status-0 deleted\nservice/status-1 deleted\n');
    expect([...(await servicesIn(ns)).keys()]).toEqual([]);
  });

  it('refuses a second name after --', () => {
    const res = plugin(['-n', ns, '--', 'status', 'prune']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe("error: Unknown argument: prune\nSee 'kubectl expose-sts --help' for usage.\n");
  });
});
