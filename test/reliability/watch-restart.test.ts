// expose --watch for days, compressed: on a control plane of its own whose kube-apiserver ends every watch after a
// few seconds (--min-request-timeout), an idle watch costs only the watches' renewals (counted in the audit log), and
// a restarted kube-apiserver is survived: the next scale-up is followed as if nothing happened.
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pluginRequestsSince } from '../cluster/audit.ts';
import { type ClusterInfo, restartApiServer, startCluster, stopCluster } from '../cluster/cluster.ts';
import { statefulSet } from '../e2e/fixtures.ts';
import { kubectl, lbArgs, newNamespace, readyStatefulSet } from '../e2e/helpers.ts';
import { follow } from '../e2e/watch/following.ts';

let cluster: ClusterInfo;
beforeAll(async () => {
  // The run's Kubernetes version (npm run test:compat runs this against each), with watches ended after 4–8 s.
  const kubernetes = inject('cluster').kubernetes;
  cluster = await startCluster({ lb: 'ip', nodes: 1, kubernetes, apiServerArgs: ['--min-request-timeout=4'] });
}, 300_000);
afterAll(() => stopCluster(cluster));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('expose --watch over time', () => {
  it('idles on watch renewals alone, and survives a kube-apiserver restart', async () => {
    const ns = await newNamespace('watch-days', cluster);
    await readyStatefulSet(ns, statefulSet('db', { replicas: 2 }), cluster);
    const run = follow([...lbArgs('db', '-n', ns), '--watch', '-v', '4'], { cluster });
    try {
      await run.until('stdout', /^1\s+db-1\s+db-1\s+LoadBalancer\s+\S+:5432\s+true$/m);
      await sleep(2_000); // the first round after the LISTs
      const offset = statSync(cluster.auditLog).size;
      await sleep(20_000);
      const idle = pluginRequestsSince(cluster.auditLog, offset);
      // Watches the server ended after 4–8 s, each resumed from its resourceVersion: nothing listed, nothing read.
      expect(Object.keys(idle), JSON.stringify(idle)).toEqual(['watch']);
      expect(idle.watch).toBeGreaterThanOrEqual(3);
      expect(run.stderr).toMatch(/closed by the server; resuming from resourceVersion \d+/);

      const mark = run.stdout.length;
      cluster = await restartApiServer(cluster);
      expect(kubectl(['scale', 'statefulset', 'db', '-n', ns, '--replicas', '3'], { cluster }).code).toBe(0);
      await run.until('stderr', /^service\/db-2 created for pod db-2$/m, { timeoutMs: 90_000 });
      await run.until('stdout', /^2\s+db-2\s+db-2\s+LoadBalancer\s+\S+:5432\s+true$/m, {
        from: mark,
        timeoutMs: 90_000,
      });
    } finally {
      const stopped = await run.stop();
      expect(stopped.stderr).not.toMatch(/^error: /m);
    }
  });
});
