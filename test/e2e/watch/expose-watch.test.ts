// expose --watch against the real control plane and MetalLB: scaling followed without a re-run (new members exposed,
// their addresses awaited and printed, the ConfigMap rewritten; orphans reported, or pruned with --prune), Services
// deleted or changed by someone else restored with the same requested address, a deleted StatefulSet waited for and
// a re-created one exposed afresh, -o json as a log of objects, and SIGTERM ending it at once with nothing half-done.
import { describe, expect, it } from 'vitest';
import { statefulSet } from '../fixtures.ts';
import {
  clients,
  kubectl,
  lbArgs,
  newNamespace,
  readyStatefulSet,
  scaleStatefulSet,
  servicesIn,
  waitFor,
} from '../helpers.ts';
import { follow } from './following.ts';

const scale = (ns: string, replicas: number) => scaleStatefulSet(ns, 'db', replicas);

/** A table row of ordinal `i` with a load-balancer address and a Ready pod. */
const readyRow = (i: number) =>
  new RegExp(`^${i}\\s+db-${i}\\s+db-${i}\\s+LoadBalancer\\s+(198\\.18\\.\\S+):5432\\s+true$`, 'm');

async function endpointsOf(ns: string): Promise<string[]> {
  const cm = await clients().core.readNamespacedConfigMap({ name: 'db-endpoints', namespace: ns });
  return (cm.data?.endpoints ?? '').split(',').filter(Boolean);
}

describe('kubectl expose-sts --watch', () => {
  it('follows scale-up and scale-down: new members exposed and printed, the ConfigMap rewritten, orphans reported', async () => {
    const ns = await newNamespace('watch-scale');
    await readyStatefulSet(ns, statefulSet('db', { replicas: 2 }));
    const run = follow([...lbArgs('db', '-n', ns, '--publish-configmap', '--watch')]);
    try {
      await run.until('stdout', readyRow(1));
      const mark = run.stdout.length;
      scale(ns, 4);
      await run.until('stderr', /^service\/db-3 created for pod db-3$/m);
      expect(run.stderr).toMatch(/^service\/db-2 created for pod db-2$/m);
      // Each new member's row, with its address as confirmed, after the table (READY once its pod is).
      const row3 = await run.until('stdout', readyRow(3), { from: mark });
      await run.until('stdout', readyRow(2), { from: mark });
      const services = await servicesIn(ns);
      expect(row3).toContain(`${services.get('db-3')?.status?.loadBalancer?.ingress?.[0].ip}:5432`);
      const published = await waitFor('4 endpoints published', async () => {
        const e = await endpointsOf(ns);
        return e.length === 4 && e;
      });
      expect(published).toEqual(
        [0, 1, 2, 3].map((i) => `${services.get(`db-${i}`)?.status?.loadBalancer?.ingress?.[0].ip}:5432`),
      );
      scale(ns, 2);
      await run.until(
        'stderr',
        /^service\/db-3 is orphaned: ordinal 3 is no member now \(kubectl expose-sts prune db -n \S+ deletes it\)$/m,
      );
      expect(run.stderr).toMatch(/^service\/db-2 is orphaned/m);
      expect((await servicesIn(ns)).has('db-3')).toBe(true); // reported, not deleted: no --prune
      await waitFor('2 endpoints published', async () => (await endpointsOf(ns)).length === 2);
    } finally {
      const stopped = await run.stop('SIGTERM');
      expect(stopped.code).toBe(143);
      expect(stopped.exitMs).toBeLessThan(5_000);
      expect(stopped.stderr).not.toMatch(/^error: /m);
      expect(stopped.stderr).not.toMatch(/interrupted/);
    }
  });

  it('restores what others delete or change, prunes with --prune, and exposes a re-created StatefulSet afresh', async () => {
    const ns = await newNamespace('watch-restore');
    await readyStatefulSet(ns, statefulSet('db', { replicas: 2 }));
    const ips = ['198.18.2.60', '198.18.2.61'];
    const run = follow([...lbArgs('db', '-n', ns, '--load-balancer-ip', ips.join(','), '--prune', '--watch')]);
    try {
      await run.until('stdout', readyRow(1));
      expect(kubectl(['delete', 'service', 'db-1', '-n', ns]).code).toBe(0);
      await run.until('stderr', /^service\/db-1 restored: it was deleted$/m);
      // The same requested address, so clients keep reaching member 1 where they did.
      await waitFor(
        'db-1 back on its address',
        async () => (await servicesIn(ns)).get('db-1')?.status?.loadBalancer?.ingress?.[0]?.ip === ips[1],
      );
      const patch = '{"spec":{"selector":{"app":"db"}}}';
      expect(kubectl(['patch', 'service', 'db-0', '-n', ns, '--type', 'merge', '-p', patch]).code).toBe(0);
      await run.until('stderr', /^service\/db-0 restored: it was changed by kubectl-patch$/m);
      expect((await servicesIn(ns)).get('db-0')?.spec?.selector).toEqual({
        'statefulset.kubernetes.io/pod-name': 'db-0',
      });

      const before = (await servicesIn(ns)).get('db-1')?.metadata?.uid;
      scale(ns, 1);
      await run.until('stderr', /^service\/db-1 deleted: ordinal 1 is no member now$/m);
      expect((await servicesIn(ns)).has('db-1')).toBe(false);
      expect(before).toBeTruthy();

      expect(kubectl(['delete', 'statefulset', 'db', '-n', ns, '--wait=false']).code).toBe(0);
      await run.until('stderr', /^statefulset db was deleted; waiting for it to be created again$/m);
      const again = await clients().apps.createNamespacedStatefulSet({
        namespace: ns,
        body: statefulSet('db', { replicas: 1 }),
      });
      await run.until('stderr', /^statefulset db was created again: exposing it afresh$/m);
      const owner = await waitFor('db-0 owned by the new StatefulSet', async () => {
        const svc = (await servicesIn(ns)).get('db-0');
        return svc?.metadata?.ownerReferences?.[0]?.uid === again.metadata?.uid && svc;
      });
      expect(owner.spec?.selector).toEqual({ 'statefulset.kubernetes.io/pod-name': 'db-0' });
    } finally {
      const stopped = await run.stop('SIGINT');
      // Its pinned addresses are free for the next run of this file on the same cluster.
      await clients().core.deleteNamespace({ name: ns });
      expect(stopped.stderr).not.toMatch(/^error: /m);
      expect(stopped.code).toBe(130);
    }
  });

  it('a round that cannot be carried out says why and is tried again; the watch goes on', async () => {
    const ns = await newNamespace('watch-retry');
    await readyStatefulSet(ns, statefulSet('db', { replicas: 2 }));
    const run = follow([...lbArgs('db', '-n', ns, '--load-balancer-ip', '198.18.2.70,198.18.2.71', '--watch')]);
    try {
      await run.until('stdout', readyRow(1));
      scale(ns, 3); // two addresses for three members: refused before any write, as a single run refuses it
      await run.until(
        'stderr',
        /^error: 2 addresses for 3 ordinals \(0-2\): give 1 more with --load-balancer-ip; trying again in 5 s$/m,
      );
      expect((await servicesIn(ns)).has('db-2')).toBe(false);
      scale(ns, 2);
      expect(kubectl(['delete', 'service', 'db-0', '-n', ns]).code).toBe(0);
      await run.until('stderr', /^service\/db-0 restored: it was deleted$/m);
    } finally {
      const stopped = await run.stop();
      await clients().core.deleteNamespace({ name: ns });
      expect(stopped.code).toBe(130);
    }
  });

  it('-o json: after the Services, one JSON object per thing done, for a log pipeline', async () => {
    const ns = await newNamespace('watch-json');
    await readyStatefulSet(ns, statefulSet('db', { replicas: 1 }));
    // No flag shapes the Services (ClusterIP, as kubectl expose): the run that exposed them goes on from the same.
    const run = follow(['db', '-n', ns, '-o', 'json', '--watch']);
    try {
      await run.until('stdout', /^}$/m); // the List of Services, as a single run prints it
      const mark = run.stdout.length;
      scale(ns, 2);
      await run.until('stdout', /"reason":"Endpoint"[^\n]*"object":"service\/db-1"/, { from: mark });
      const lines = run.stdout.slice(mark).trim().split('\n');
      const events = lines.map(
        (l) => JSON.parse(l) as { reason: string; namespace: string; statefulSet: string; time: string },
      );
      expect(events.map((e) => e.reason)).toContain('Created');
      for (const e of events) expect(e).toMatchObject({ namespace: ns, statefulSet: 'db', time: expect.any(String) });
      expect(run.stderr).toBe('');
    } finally {
      await run.stop();
    }
  });
});
