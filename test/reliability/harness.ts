// What the reliability tests share: users made by the test setup (ServiceAccounts with tokens), the plugin run as a
// child process that the test can interrupt (and that can talk to a proxy in this process), objects the plugin must
// never touch, and the state of the Services it manages, for comparisons.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1PolicyRule, V1Service } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { stringify } from 'yaml';
import { statefulSet } from '../e2e/fixtures.ts';
import { clients, newNamespace, pluginBinDir, readyStatefulSet, waitFor } from '../e2e/helpers.ts';
import { startFaultProxy, type FaultProxy, type ProxyOptions } from './fault-proxy.ts';

const cluster = inject('cluster');
const dir = mkdtempSync(join(tmpdir(), 'expose-sts-reliability-'));
const managedBy = 'app.kubernetes.io/managed-by=kubectl-expose-sts';

/** A kubeconfig for this run's cluster (its CA) with the given user, in `namespace`; cluster fields may be added. */
export function kubeconfigFor(name: string, user: object, namespace: string, clusterFields: object = {}): string {
  const path = join(dir, `${name}.kubeconfig`);
  const ca = clients().kc.getCurrentCluster()!.caData!;
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': name,
      clusters: [{ name, cluster: { server: cluster.server, 'certificate-authority-data': ca, ...clusterFields } }],
      users: [{ name, user }],
      contexts: [{ name, context: { cluster: name, user: name, namespace } }],
    }),
    { mode: 0o600 },
  );
  return path;
}

/** A kubeconfig that authenticates with a bearer token, as many users' do (cloud providers, OIDC, ServiceAccounts). */
export function tokenKubeconfig(name: string, token: string, namespace: string, server = cluster.server): string {
  return kubeconfigFor(name, { token }, namespace, { server });
}

/**
 * A ServiceAccount bound to a ClusterRole or to a Role of exactly these rules, and a token for it. Returns once the
 * API server authorizes `ready` for it (RBAC changes reach the authorizer a moment after they are written).
 */
export async function serviceAccount(
  namespace: string,
  name: string,
  grant: { clusterRole: string } | { rules: V1PolicyRule[] },
  ready: { verb: string; resource: string; group?: string },
): Promise<{ user: string; token: string }> {
  const { kc, core } = clients();
  const { RbacAuthorizationV1Api, AuthorizationV1Api } = await import('@kubernetes/client-node');
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  let roleRef = {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    name: 'clusterRole' in grant ? grant.clusterRole : '',
  };
  if ('rules' in grant) {
    await rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules: grant.rules } });
    roleRef = { ...roleRef, kind: 'Role', name };
  }
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: { metadata: { name }, roleRef, subjects: [{ kind: 'ServiceAccount', name, namespace }] },
  });
  const user = `system:serviceaccount:${namespace}:${name}`;
  const authz = kc.makeApiClient(AuthorizationV1Api);
  await waitFor(
    `RBAC for ${user}`,
    async () =>
      (
        await authz.createSubjectAccessReview({
          body: {
            spec: {
              user,
              groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
              resourceAttributes: { namespace, verb: ready.verb, resource: ready.resource, group: ready.group ?? '' },
            },
          },
        })
      ).status?.allowed,
  );
  const token = (
    await core.createNamespacedServiceAccountToken({
      name,
      namespace,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    })
  ).status!.token!;
  return { user, token };
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From the signal to the exit, when one was sent. */
  exitMs?: number;
}

/**
 * `kubectl expose-sts …` through the pinned kubectl, asynchronously (the fault proxy runs in this process), with
 * only the given kubeconfig. kubectl execs the plugin, so a signal to the child reaches the plugin itself.
 */
export function runPlugin(
  args: string[],
  opts: { kubeconfig: string; signal?: { name: NodeJS.Signals; afterMs: number }; env?: NodeJS.ProcessEnv },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(`${cluster.binDir}/kubectl`, ['expose-sts', ...args], {
      env: {
        PATH: `${pluginBinDir}:${cluster.binDir}:/usr/bin:/bin`,
        HOME: process.env.HOME,
        KUBECONFIG: opts.kubeconfig,
        ...opts.env,
      },
    });
    let stdout = '';
    let stderr = '';
    let sentAt: number | undefined;
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer =
      opts.signal &&
      setTimeout(() => {
        sentAt = Date.now();
        child.kill(opts.signal!.name);
      }, opts.signal.afterMs);
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, exitMs: sentAt === undefined ? undefined : Date.now() - sentAt });
    });
  });
}

export const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error: '));

/**
 * Objects a user made by hand next to the plugin's: a Service for the whole StatefulSet, a hand-made per-pod Service
 * (what users have before expose-sts), a Service with manual Endpoints, and a ConfigMap. Returns a function giving
 * their resourceVersions, which nothing the plugin does may change.
 */
export async function foreignObjects(namespace: string, sts: string): Promise<() => Promise<Record<string, string>>> {
  const { core } = clients();
  const services: V1Service[] = [
    {
      metadata: { name: `${sts}-client`, labels: { app: sts } },
      spec: { selector: { app: sts }, ports: [{ port: 5432 }] },
    },
    {
      metadata: { name: `${sts}-0-by-hand` },
      spec: {
        type: 'NodePort',
        selector: { 'statefulset.kubernetes.io/pod-name': `${sts}-0` },
        ports: [{ port: 5432 }],
      },
    },
    { metadata: { name: 'external-db' }, spec: { ports: [{ port: 5432 }] } },
  ];
  for (const body of services) await core.createNamespacedService({ namespace, body });
  await core.createNamespacedEndpoints({
    namespace,
    body: {
      metadata: { name: 'external-db' },
      subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 5432 }] }],
    },
  });
  await core.createNamespacedConfigMap({
    namespace,
    body: { metadata: { name: `${sts}-config` }, data: { 'postgresql.conf': 'max_connections = 100' } },
  });
  return async () => {
    const svc = await Promise.all(
      services.map((s) => core.readNamespacedService({ namespace, name: s.metadata!.name! })),
    );
    const ep = await core.readNamespacedEndpoints({ namespace, name: 'external-db' });
    const cm = await core.readNamespacedConfigMap({ namespace, name: `${sts}-config` });
    return Object.fromEntries([
      ...svc.map((s) => [`service/${s.metadata!.name}`, s.metadata!.resourceVersion!]),
      ['endpoints/external-db', ep.metadata!.resourceVersion!],
      [`configmap/${sts}-config`, cm.metadata!.resourceVersion!],
    ]);
  };
}

/** The managed Services of a namespace, reduced to what a run decides (no uids, versions, cluster IPs or ports). */
/** Annotations without the one MetalLB writes once it has assigned an address (in its own time, not the plugin's). */
const ours = (annotations: Record<string, string> | undefined) => {
  const { 'metallb.io/ip-allocated-from-pool': _pool, ...rest } = annotations ?? {};
  return Object.keys(rest).length ? rest : undefined;
};

export async function managedServices(namespace: string): Promise<Record<string, unknown>> {
  const items = (await clients().core.listNamespacedService({ namespace, labelSelector: managedBy })).items;
  return Object.fromEntries(
    items
      .map((s) => [
        s.metadata!.name!,
        {
          labels: s.metadata!.labels,
          annotations: ours(s.metadata!.annotations),
          type: s.spec!.type,
          selector: s.spec!.selector,
          externalTrafficPolicy: s.spec!.externalTrafficPolicy,
          ports: s.spec!.ports?.map((p) => ({
            name: p.name,
            port: p.port,
            targetPort: p.targetPort,
            protocol: p.protocol,
          })),
        },
      ])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );
}

export async function deleteManaged(namespace: string): Promise<void> {
  const { core } = clients();
  const items = (await core.listNamespacedService({ namespace, labelSelector: managedBy })).items;
  await Promise.all(items.map((s) => core.deleteNamespacedService({ namespace, name: s.metadata!.name! })));
}

/** A fault proxy in front of this run's apiserver, serving the apiserver's own certificate unless told otherwise. */
export function proxyToCluster(
  opts: Omit<ProxyOptions, 'upstream' | 'caFile' | 'certFile' | 'keyFile'> &
    Partial<Pick<ProxyOptions, 'certFile' | 'keyFile'>>,
): Promise<FaultProxy> {
  return startFaultProxy({
    upstream: cluster.server,
    caFile: cluster.caFile,
    certFile: join(cluster.dir, 'apiserver.crt'),
    keyFile: join(cluster.dir, 'apiserver.key'),
    ...opts,
  });
}

export interface Testbed {
  ns: string;
  /** Token of a ServiceAccount with the ClusterRole admin in the namespace. */
  token: string;
  /** The foreign objects' resourceVersions now, and as they were when the testbed was made. */
  foreign: () => Promise<Record<string, string>>;
  foreignBefore: Record<string, string>;
}

/** A namespace with a Ready StatefulSet `db` of `replicas` pods, objects the plugin must not touch, and an operator. */
export async function testbed(prefix: string, replicas: number): Promise<Testbed> {
  const ns = await newNamespace(prefix);
  await readyStatefulSet(ns, statefulSet('db', { replicas }));
  const foreign = await foreignObjects(ns, 'db');
  const foreignBefore = await foreign();
  const { token } = await serviceAccount(
    ns,
    'operator',
    { clusterRole: 'admin' },
    { verb: 'delete', resource: 'services' },
  );
  return { ns, token, foreign, foreignBefore };
}
