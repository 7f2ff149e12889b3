// expose --watch beside others, on the shared control plane: two watches with --prune (two replicas of the README's
// Deployment) and a person's expose with the same flags end in the right state after repeated scale-ups and
// scale-downs, without error lines and with a bounded number of writes (counted in the audit log); and a watch whose
// requests pass the fault proxy (resets, 429, 5xx) still follows a scale-up.
import { statSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { pluginRequestsSince } from '../cluster/audit.ts';
import { statefulSet } from '../e2e/fixtures.ts';
import {
  lbArgs,
  newNamespace,
  plugin,
  readyStatefulSet,
  scaleStatefulSet,
  servicesIn,
  waitFor,
} from '../e2e/helpers.ts';
import { type Following, follow, type Stopped } from '../e2e/watch/following.ts';
import type { FaultProxy } from './fault-proxy.ts';
import { proxyToCluster, testbed, tokenKubeconfig } from './harness.ts';

const cluster = inject('cluster');
const scale = (ns: string, n: number) => scaleStatefulSet(ns, 'db', n);

/**
 * The plugin's writes to Services of the namespace since `offset` in the audit log, by verb: the server dry runs it
 * checks each write with first (dryRun=All) change nothing and are not counted.
 */
const writesSince = (offset: number, namespace: string) =>
  pluginRequestsSince(
    cluster.auditLog,
    offset,
    (e) =>
      e.objectRef?.resource === 'services' &&
      e.objectRef.namespace === namespace &&
      !e.requestURI.includes('dryRun=All') &&
      ['create', 'patch', 'update', 'delete'].includes(e.verb),
  );

/** Every Service the StatefulSet should have, and nothing else, each with its address. */
async function exposedExactly(ns: string, replicas: number): Promise<boolean> {
  const services = await servicesIn(ns);
  const names = [...services.keys()].filter((n) => n.startsWith('db-')).sort();
  const want = Array.from({ length: replicas }, (_, i) => `db-${i}`);
  return (
    JSON.stringify(names) === JSON.stringify(want) &&
    want.every((n) => services.get(n)?.status?.loadBalancer?.ingress?.[0]?.ip)
  );
}

let proxy: FaultProxy | undefined;
let slow: FaultProxy | undefined;
afterAll(async () => {
  await proxy?.close();
  await slow?.close();
});

describe('expose --watch beside others', () => {
  it('two watches and a person do not fight: the right Services after scaling up and down, writes bounded', async () => {
    const ns = await newNamespace('watch-two');
    await readyStatefulSet(ns, statefulSet('db', { replicas: 2 }));
    const flags = lbArgs('db', '-n', ns);
    const offset = statSync(cluster.auditLog).size;
    const runs = [follow([...flags, '--prune', '--watch']), follow([...flags, '--prune', '--watch'])];
    const cycles = 3;
    try {
      for (const run of runs) await run.until('stdout', /^1\s+db-1\s/m);
      for (let i = 0; i < cycles; i++) {
        scale(ns, 4);
        const person = plugin(flags);
        expect(person.code, person.stderr).toBe(0);
        await waitFor('4 members exposed', () => exposedExactly(ns, 4));
        scale(ns, 2);
        await waitFor('2 members exposed, the rest pruned', () => exposedExactly(ns, 2), 90_000);
      }
    } finally {
      for (const run of runs) {
        const stopped = await run.stop('SIGTERM');
        expect(stopped.stderr).not.toMatch(/^error: /m);
      }
    }
    const writes = writesSince(offset, ns);
    // Each cycle needs 2 Services made and 2 deleted; three writers may each apply a new member once (the others'
    // applies change nothing) and each watch may try each deletion once (a deleted one is then gone): 2 × 3 + 2 × 2.
    const total = Object.values(writes).reduce((a, b) => a + b, 0);
    expect(total, JSON.stringify(writes)).toBeGreaterThanOrEqual(cycles * 4 + 2);
    expect(total, JSON.stringify(writes)).toBeLessThanOrEqual(2 + cycles * (2 * 3 + 2 * 2));
  });

  it('follows a scale-up through the fault proxy: resets, 429 and 5xx are retried, the watch resumed', async () => {
    const { ns, token } = await testbed('watch-faults', 2);
    proxy = await proxyToCluster({ seed: 11, rate: 0.2, faults: ['429', '500', '503', 'reset'] });
    const run = follow([...lbArgs('db'), '--watch', '-v', '4'], {
      kubeconfig: tokenKubeconfig('watch-faults', token, ns, proxy.url),
    });
    try {
      await run.until('stdout', /^1\s+db-1\s+db-1\s+LoadBalancer\s+\S+:5432\s+true$/m, { timeoutMs: 90_000 });
      scale(ns, 3);
      await run.until('stdout', /^2\s+db-2\s+db-2\s+LoadBalancer\s+\S+:5432\s+true$/m, { timeoutMs: 90_000 });
      expect(
        proxy.injected.reset + proxy.injected['503'] + proxy.injected['429'] + proxy.injected['500'],
      ).toBeGreaterThan(0);
    } finally {
      const stopped = await run.stop();
      expect(stopped.stderr).not.toMatch(/^error: /m);
    }
  });

  it('SIGTERM during a write: the round in progress finishes (its write, its line), then the process exits', async () => {
    const { ns, token } = await testbed('watch-term', 2);
    let stopping: Promise<Stopped> | undefined;
    let run: Following | undefined;
    // Every request takes 300 ms; the moment the apply of the new member's Service reaches the proxy, SIGTERM.
    slow = await proxyToCluster({
      seed: 3,
      rate: 0,
      latencyMs: [300, 300],
      answer: (req) => {
        const write = req.method === 'PATCH' && req.url?.includes('/services/db-2') && !req.url.includes('dryRun');
        if (write && run && !stopping) stopping = run.stop('SIGTERM');
        return undefined;
      },
    });
    run = follow(['db', '--prune', '--watch'], { kubeconfig: tokenKubeconfig('watch-term', token, ns, slow.url) });
    await run.until('stdout', /^1\s+db-1\s/m);
    scale(ns, 3);
    await waitFor('the SIGTERM sent during the write', () => stopping);
    const stopped = await (stopping as Promise<Stopped>);
    expect(stopped.code).toBe(143);
    expect(stopped.exitMs).toBeLessThan(5_000);
    // Without the grace the process ends at once, and the write's answer and its line are lost.
    expect(stopped.stderr).toMatch(/^service\/db-2 created for pod db-2$/m);
    expect(stopped.stderr).not.toMatch(/^error: /m);
    expect((await servicesIn(ns)).has('db-2')).toBe(true);
  });
});
