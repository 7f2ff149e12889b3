// What e2e tests share: API clients on the run's cluster, a namespace per test file, the pinned kubectl, and waiting.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import type { ClusterInfo } from '../cluster/cluster.ts';

export function clients(cluster: ClusterInfo = inject('cluster')) {
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  return { kc, core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), discovery: kc.makeApiClient(DiscoveryV1Api) };
}

/** A fresh namespace, so test files running in parallel never see each other's objects. */
export async function newNamespace(prefix: string, cluster: ClusterInfo = inject('cluster')): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await clients(cluster).core.createNamespace({ body: { metadata: { name } } });
  // Pods are refused until the ServiceAccount controller has made the namespace's default account.
  await waitFor(`ServiceAccount default in ${name}`, () =>
    clients(cluster).core.readNamespacedServiceAccount({ name: 'default', namespace: name }).then(() => true, () => false));
  return name;
}

/** The pinned kubectl with the cluster's admin kubeconfig and nothing else from the developer's environment. */
export function kubectl(args: string[], opts: { cluster?: ClusterInfo; input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const cluster = opts.cluster ?? inject('cluster');
  const res = spawnSync(`${cluster.binDir}/kubectl`, args, {
    input: opts.input,
    encoding: 'utf8',
    env: { PATH: `${cluster.binDir}:/usr/bin:/bin`, HOME: process.env.HOME, KUBECONFIG: cluster.kubeconfig, ...opts.env },
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Polls until check returns a truthy value (tests may poll; the plugin itself watches). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
