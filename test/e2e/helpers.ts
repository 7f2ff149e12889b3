// What e2e tests share: API clients on the run's cluster, a namespace per test file, the pinned kubectl, and waiting.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, KubeConfig } from '@kubernetes/client-node';
import { expect, inject } from 'vitest';
import { pluginBinDir as pluginBin, type ClusterInfo } from '../cluster/cluster.ts';

export function clients(cluster: ClusterInfo = inject('cluster')) {
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
  };
}

/** A fresh namespace, so test files running in parallel never see each other's objects. */
export async function newNamespace(prefix: string, cluster: ClusterInfo = inject('cluster')): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await clients(cluster).core.createNamespace({ body: { metadata: { name } } });
  // Pods are refused until the ServiceAccount controller has made the namespace's default account.
  await waitFor(`ServiceAccount default in ${name}`, () =>
    clients(cluster)
      .core.readNamespacedServiceAccount({ name: 'default', namespace: name })
      .then(
        () => true,
        () => false,
      ),
  );
  return name;
}

/** The pinned kubectl with the cluster's admin kubeconfig and nothing else from the developer's environment. */
export function kubectl(args: string[], opts: { cluster?: ClusterInfo; input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const cluster = opts.cluster ?? inject('cluster');
  const res = spawnSync(`${cluster.binDir}/kubectl`, args, {
    input: opts.input,
    encoding: 'utf8',
    env: {
      PATH: `${cluster.binDir}:/usr/bin:/bin`,
      HOME: process.env.HOME,
      KUBECONFIG: cluster.kubeconfig,
      ...opts.env,
    },
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** `kubectl scale statefulset`, as a user scales one; it must succeed. */
export const scaleStatefulSet = (namespace: string, name: string, replicas: number) =>
  expect(kubectl(['scale', 'statefulset', name, '-n', namespace, '--replicas', String(replicas)]).code).toBe(0);

/** Polls until check returns a truthy value (tests may poll; the plugin itself watches). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

export { pluginBinDir } from '../cluster/cluster.ts';

/**
 * `kubectl expose-sts …` as a user runs it: the pinned kubectl finds the single binary on PATH (no Node on that PATH,
 * as on a user's machine), with the cluster's admin kubeconfig.
 */
export function plugin(args: string[], opts: { cluster?: ClusterInfo; env?: NodeJS.ProcessEnv } = {}) {
  const cluster = opts.cluster ?? inject('cluster');
  return kubectl(['expose-sts', ...args], {
    cluster,
    env: { PATH: `${pluginBin}:${cluster.binDir}:/usr/bin:/bin`, ...opts.env },
  });
}

/** expose STS as LoadBalancers open only to 10.0.0.0/8 (so without the open-to-the-world warning), then `more`. */
export const lbArgs = (sts: string, ...more: string[]) => [
  sts,
  '--type',
  'LoadBalancer',
  '--load-balancer-source-ranges',
  '10.0.0.0/8',
  ...more,
];

/** Parses a kubectl-style table into one record per row, keyed by header. */
export function parseTable(text: string): Record<string, string>[] {
  const [head, ...rows] = text.trimEnd().split('\n');
  const headers = head.split(/\s{2,}/);
  return rows.map((r) => Object.fromEntries(r.split(/\s{3,}/).map((cell, i) => [headers[i], cell])));
}

/** A StatefulSet created and waited for until all its pods are Ready. */
export async function readyStatefulSet(
  namespace: string,
  body: import('@kubernetes/client-node').V1StatefulSet,
  cluster: ClusterInfo = inject('cluster'),
) {
  const { apps, core } = clients(cluster);
  const sts = await apps.createNamespacedStatefulSet({ namespace, body });
  const replicas = body.spec!.replicas ?? 1;
  await waitFor(`${replicas} ready pods of ${body.metadata!.name}`, async () => {
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: `app=${body.metadata!.name}` })).items;
    return (
      pods.length === replicas &&
      pods.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    );
  });
  return sts;
}

/** Services of a namespace by name, for before/after comparisons. */
export async function servicesIn(namespace: string, cluster: ClusterInfo = inject('cluster')) {
  const items = (await clients(cluster).core.listNamespacedService({ namespace })).items;
  return new Map(items.map((s) => [s.metadata!.name!, s]));
}
