// A ResourceQuota on load balancers that the new Services would exceed is one error before any write, not a failure
// half-way through the writes.
import { beforeAll, describe, expect, it } from 'vitest';
import { statefulSet } from '../fixtures.ts';
import { lbArgs, clients, newNamespace, plugin, readyStatefulSet, servicesIn, waitFor } from '../helpers.ts';

const { core } = clients();
let ns: string;
beforeAll(async () => {
  ns = await newNamespace('expose-quota');
  await readyStatefulSet(ns, statefulSet('redis', { replicas: 3 }));
  await core.createNamespacedResourceQuota({
    namespace: ns,
    body: { metadata: { name: 'two-lbs' }, spec: { hard: { 'services.loadbalancers': '2' } } },
  });
  // The quota controller fills in what is used before the API server counts against it.
  await waitFor(
    'the quota counted',
    async () => !!(await core.readNamespacedResourceQuota({ name: 'two-lbs', namespace: ns })).status?.used,
  );
});

describe('ResourceQuota', () => {
  it('refuses Services the quota would not take, before any write, naming the quota', async () => {
    const res = plugin(lbArgs('redis', '-n', ns));
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      'error: the Services would exceed ResourceQuota "two-lbs": services.loadbalancers 0 used + 3 more > 2 allowed ' +
        `(kubectl describe resourcequota two-lbs -n ${ns}); nothing was changed\n`,
    );
    expect([...(await servicesIn(ns)).keys()]).toEqual([]);
    // NodePort Services are no load balancers: the quota takes them.
    expect(plugin(['redis', '-n', ns, '--type', 'NodePort']).code).toBe(0);
  });
});
