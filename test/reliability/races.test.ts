// Races: two expose runs at once, expose against a scale-up, and conflicts (409) on writes. The user sees no error
// and the final state is right.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lbArgs, clients, parseTable, waitFor } from '../e2e/helpers.ts';
import {
  deleteManaged,
  errorLines,
  managedServices,
  proxyToCluster,
  runPlugin,
  testbed,
  tokenKubeconfig,
} from './harness.ts';

const expose = lbArgs('db');
let ns: string;
let token: string;
let kubeconfig: string;
let foreign: () => Promise<Record<string, string>>;
let foreignBefore: Record<string, string>;

beforeAll(async () => {
  ({ ns, token, foreign, foreignBefore } = await testbed('races', 3));
  kubeconfig = tokenKubeconfig('races', token, ns);
});

afterAll(async () => {
  expect(await foreign()).toEqual(foreignBefore);
});

const ordinals = async () =>
  Object.entries(await managedServices(ns)).map(([name, s]) => [
    name,
    (s as { selector: Record<string, string> }).selector['statefulset.kubernetes.io/pod-name'],
  ]);

describe('races', () => {
  it('two expose runs on the same StatefulSet at once both succeed, and leave one Service per pod', async () => {
    await deleteManaged(ns);
    const [a, b] = await Promise.all([runPlugin(expose, { kubeconfig }), runPlugin(expose, { kubeconfig })]);
    for (const res of [a, b]) {
      expect(res.code, res.stderr).toBe(0);
      expect(errorLines(res.stderr)).toEqual([]);
      expect(parseTable(res.stdout).map((r) => r.SERVICE)).toEqual(['db-0', 'db-1', 'db-2']);
    }
    expect(await ordinals()).toEqual([
      ['db-0', 'db-0'],
      ['db-1', 'db-1'],
      ['db-2', 'db-2'],
    ]);
  });

  it('expose racing a scale-up succeeds with the replicas it read; status shows the new pods Missing; a re-run covers them', async () => {
    await deleteManaged(ns);
    const { apps, core } = clients();
    const [res] = await Promise.all([
      runPlugin(expose, { kubeconfig }),
      apps.patchNamespacedStatefulSetScale(
        { name: 'db', namespace: ns, body: [{ op: 'replace', path: '/spec/replicas', value: 5 }] },
        (await import('@kubernetes/client-node')).setHeaderOptions(
          'Content-Type',
          'application/json-patch+json' as never,
        ),
      ),
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(errorLines(res.stderr)).toEqual([]);
    const seen = parseTable(res.stdout).map((r) => r.SERVICE);
    expect([
      ['db-0', 'db-1', 'db-2'],
      ['db-0', 'db-1', 'db-2', 'db-3', 'db-4'],
    ]).toContainEqual(seen);
    expect((await ordinals()).map(([name]) => name)).toEqual(seen); // no duplicates, no gaps, each for its own pod

    await waitFor(
      '5 ready pods',
      async () =>
        (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=db' })).items.filter((p) =>
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        ).length === 5,
    );
    const status = await runPlugin(['status', 'db'], { kubeconfig });
    const states = parseTable(status.stdout.split('\n\n')[0]).map((r) => `${r.ORDINAL}:${r.STATE}`);
    expect(states.slice(0, 3)).toEqual(['0:Ready', '1:Ready', '2:Ready']);
    if (seen.length === 3) expect(states.slice(3)).toEqual(['3:Missing', '4:Missing']);
    const again = await runPlugin(expose, { kubeconfig });
    expect(again.code, again.stderr).toBe(0);
    expect(await ordinals()).toEqual([0, 1, 2, 3, 4].map((i) => [`db-${i}`, `db-${i}`]));
  });

  it('a conflict (409) on a write is re-read and re-applied, never shown to the user', async () => {
    await deleteManaged(ns);
    const conflicted = new Set<string>();
    const proxy = await proxyToCluster({
      seed: 1,
      rate: 0,
      answer: (req) => {
        const name = req.method === 'PATCH' ? /\/services\/([^/?]+)/.exec(req.url ?? '')?.[1] : undefined;
        if (!name || conflicted.has(name)) return undefined;
        conflicted.add(name); // the first write of every Service conflicts
        return {
          code: 409,
          reason: 'Conflict',
          message: `Operation cannot be fulfilled on services "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        };
      },
    });
    try {
      const res = await runPlugin([...expose, '-v', '4'], {
        kubeconfig: tokenKubeconfig('conflicts', token, ns, proxy.url),
      });
      expect(res.code, res.stderr).toBe(0);
      expect(errorLines(res.stderr)).toEqual([]);
      expect(res.stderr.split('\n').filter((l) => /HTTP 409; retry 1\/4/.test(l))).toHaveLength(5);
      expect((await ordinals()).map(([name]) => name)).toEqual(['db-0', 'db-1', 'db-2', 'db-3', 'db-4']);
    } finally {
      await proxy.close();
    }
  });
});
