// Injected API faults: 20 % of requests (writes and the watch included) fail with 429, 500, 503 or a reset connection,
// over 20 seeds; every run must still end in exactly the right Services with every address printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lbArgs, parseTable } from '../e2e/helpers.ts';
import { allFaults, type Fault, type FaultProxy } from './fault-proxy.ts';
import {
  deleteManaged,
  errorLines,
  managedServices,
  proxyToCluster,
  runPlugin,
  testbed,
  tokenKubeconfig,
} from './harness.ts';

const seeds = Array.from({ length: 20 }, (_, i) => i + 1);
let ns: string;
let token: string;
let foreign: () => Promise<Record<string, string>>;
let foreignBefore: Record<string, string>;
let reference: Record<string, unknown>;
const proxies: FaultProxy[] = [];
const hits = { read: 0, write: 0, watch: 0 };

const proxy = async (seed: number, rate: number, faults?: Fault[]) => {
  const p = await proxyToCluster({ seed, rate, faults });
  proxies.push(p);
  return { p, kubeconfig: tokenKubeconfig(`faults-${seed}-${rate}`, token, ns, p.url) };
};
const expose = lbArgs('db', '-v', '4');

beforeAll(async () => {
  ({ ns, token, foreign, foreignBefore } = await testbed('faults', 5));
  // The state an undisturbed run leaves, to compare every faulty run with.
  const clean = await runPlugin(expose, { kubeconfig: tokenKubeconfig('clean', token, ns) });
  expect(clean.code, clean.stderr).toBe(0);
  reference = await managedServices(ns);
  expect(Object.keys(reference)).toEqual(['db-0', 'db-1', 'db-2', 'db-3', 'db-4']);
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  // Across every run of this file, nothing without the managed-by label changed.
  expect(await foreign()).toEqual(foreignBefore);
});

describe('injected API faults', () => {
  it.each(seeds)(
    'seed %i: a fifth of requests fail, and expose still ends in exactly the right Services, every address printed',
    async (seed) => {
      await deleteManaged(ns);
      const { p, kubeconfig } = await proxy(seed, 0.2);
      const res = await runPlugin(expose, { kubeconfig });
      expect(res.code, res.stderr).toBe(0);
      expect(errorLines(res.stderr)).toEqual([]);
      const rows = parseTable(res.stdout);
      expect(rows.map((r) => r.SERVICE)).toEqual(['db-0', 'db-1', 'db-2', 'db-3', 'db-4']);
      for (const r of rows) expect(r.ENDPOINT).toMatch(/^198\.18\.\d+\.\d+:5432$/);
      expect(await managedServices(ns)).toEqual(reference);
      // Every injected fault is visible at -v 4: a retry of the request, or the watch resuming.
      const faults = Object.values(p.injected).reduce((a, b) => a + b, 0);
      const recoveries = res.stderr
        .split('\n')
        .filter((l) => /; retry \d+\/\d+ in \d+ ms$|resuming from resourceVersion/.test(l));
      expect(recoveries.length, res.stderr).toBeGreaterThanOrEqual(faults);
      // Bounded: N writes, each first checked by the API server's dry run, + 5 reads (the StatefulSet, Services,
      // ResourceQuotas, pods, the watch), a retry per fault.
      expect(p.requests).toBeLessThanOrEqual(2 * 5 + 5 + 2 * faults);
      for (const [k, v] of Object.entries(p.hit)) hits[k as keyof typeof hits] += v;
    },
  );

  it('the seeds above failed reads, writes and watches alike, with every kind of fault', () => {
    expect(hits.read).toBeGreaterThan(0);
    expect(hits.write).toBeGreaterThan(0);
    expect(hits.watch).toBeGreaterThan(0);
    for (const f of allFaults)
      expect(
        proxies.reduce((n, p) => n + p.injected[f], 0),
        f,
      ).toBeGreaterThan(0);
  });

  it('faults past the retry budget: exit 1, one error line, nothing changed; a re-run without faults converges', async () => {
    await deleteManaged(ns);
    const { p, kubeconfig } = await proxy(99, 1, ['503']);
    const res = await runPlugin(expose, { kubeconfig });
    expect(res.code).toBe(1);
    expect(errorLines(res.stderr)).toEqual([
      `error: get statefulsets.apps "db" in namespace "${ns}": the server is currently unable to handle the request (gave up after 5 attempts; try again later)`,
    ]);
    expect(res.stdout).toBe('');
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(await managedServices(ns)).toEqual({});
    // The StatefulSet's GET and the two LISTs sent alongside it (Services, pods), at most 5 attempts each.
    expect(p.requests).toBeGreaterThanOrEqual(5);
    expect(p.requests).toBeLessThanOrEqual(15);

    p.setRate(0);
    const again = await runPlugin(expose, { kubeconfig });
    expect(again.code, again.stderr).toBe(0);
    expect(await managedServices(ns)).toEqual(reference);
  });

  it('a write that keeps failing after others succeeded: exit 1, and a re-run repairs the partial state', async () => {
    await deleteManaged(ns);
    // Every write to db-3 fails (its dry run before the first write passes); the other four go through.
    const p = await proxyToCluster({
      seed: 1,
      rate: 0,
      answer: (req) =>
        req.method === 'PATCH' && req.url?.includes('/services/db-3') && !req.url.includes('dryRun=All')
          ? { code: 500, reason: 'InternalError', message: 'etcdserver: request timed out' }
          : undefined,
    });
    proxies.push(p);
    const res = await runPlugin(expose, { kubeconfig: tokenKubeconfig('partial', token, ns, p.url) });
    expect(res.code).toBe(1);
    // The error says which Services were applied before it (the issue names this change), which a re-run completes.
    const [line, ...more] = errorLines(res.stderr);
    expect(more).toEqual([]);
    expect(line).toMatch(
      new RegExp(
        `^error: apply service "db-3" in namespace "${ns}": etcdserver: request timed out \\(gave up after 5 attempts; try again later\\); applied before it: (service/db-[0124] created(, )?){4}; run the same command again to finish$`,
      ),
    );
    expect(Object.keys(await managedServices(ns))).toEqual(['db-0', 'db-1', 'db-2', 'db-4']);
    const again = await runPlugin(expose, { kubeconfig: tokenKubeconfig('clean', token, ns) });
    expect(again.code, again.stderr).toBe(0);
    expect(await managedServices(ns)).toEqual(reference);
  });
});
