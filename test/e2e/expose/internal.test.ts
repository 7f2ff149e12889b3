// --internal on the three clouds, found as expose finds them: from a node's spec.providerID. Each cloud's node is made
// for the test (first by name, so it is the one expose reads; tainted and unschedulable, so no other test's pod goes
// there), and removed after.
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { statefulSet } from '../fixtures.ts';
import { clients, newNamespace, plugin, readyStatefulSet, waitFor } from '../helpers.ts';

const { core } = clients();
let ns: string;
beforeAll(async () => {
  ns = await newNamespace('expose-internal');
  await readyStatefulSet(ns, statefulSet('db', { replicas: 2 }));
});

async function onCloud<T>(name: string, providerID: string, fn: () => T | Promise<T>): Promise<T> {
  await core.createNode({
    body: {
      metadata: { name, labels: { type: 'expose-sts-test' } },
      spec: { providerID, unschedulable: true, taints: [{ key: 'expose-sts.test/cloud', effect: 'NoSchedule' }] },
    },
  });
  try {
    return await fn();
  } finally {
    await core.deleteNode({ name });
    await waitFor(
      `node ${name} gone`,
      async () => !(await core.listNode()).items.some((n) => n.metadata!.name === name),
    );
  }
}

const annotationsOf = (stdout: string) =>
  (parse(stdout) as { items: { metadata: { annotations: Record<string, string> } }[] }).items.map(
    (s) => s.metadata.annotations,
  );

describe('--internal', () => {
  it.each([
    [
      'aws',
      'aws:///eu-west-1a/i-0abc',
      {
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
        'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
      },
    ],
    ['gke', 'gce://project/europe-west1-b/gke-node-1', { 'networking.gke.io/load-balancer-type': 'Internal' }],
    [
      'aks',
      'azure:///subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/aks-1',
      { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' },
    ],
  ])('on %s, asks for an internal load balancer the way that cloud takes it', async (cloud, providerID, expected) => {
    const res = await onCloud(`a-cloud-${cloud}`, providerID, () =>
      plugin(['db', '-n', ns, '--type', 'LoadBalancer', '--internal', '--dry-run=client', '-o', 'yaml']),
    );
    expect(res.code, res.stderr).toBe(0);
    expect(annotationsOf(res.stdout)).toEqual([expected, expected]);
  });

  it('elsewhere is one error naming --annotations, before any write', async () => {
    const res = plugin(['db', '-n', ns, '--type', 'LoadBalancer', '--internal']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^error: --internal knows the internal load balancers of AWS, GKE and AKS .*: give the annotation your load balancer takes with --annotations\n$/,
    );
    expect((await core.listNamespacedService({ namespace: ns })).items).toEqual([]);
  });
});
