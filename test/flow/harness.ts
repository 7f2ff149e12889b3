// Runs the plugin's own main (parsing, validation, the kubeconfig, the command) with a FakeApi as its transport, and
// builds the API objects the scripted replies carry, in the shapes the API server gives them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { interruptReports } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { type Api, connectApi } from '../../src/kube/api.ts';
import { connectionFlags, validateConnectionFlags } from '../../src/options/connection.ts';
import { withDefaults } from '../../src/options/flags.ts';
import type { FakeApi, Reply, Request } from './fake-api.ts';

export const ns = 'data';
export const paths = {
  statefulSet: (name: string) => `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`,
  statefulSets: `/apis/apps/v1/namespaces/${ns}/statefulsets`,
  namespace: `/api/v1/namespaces/${ns}`,
  services: `/api/v1/namespaces/${ns}/services`,
  service: (name: string) => `/api/v1/namespaces/${ns}/services/${name}`,
  pods: `/api/v1/namespaces/${ns}/pods`,
  quotas: `/api/v1/namespaces/${ns}/resourcequotas`,
  configMaps: `/api/v1/namespaces/${ns}/configmaps`,
  nodes: '/api/v1/nodes',
};

/** A kubeconfig for a server nothing listens on: the transport is the fake, the kubeconfig code is the real one. */
const kubeconfig = join(mkdtempSync(join(tmpdir(), 'expose-sts-flow-')), 'config');
writeFileSync(
  kubeconfig,
  `apiVersion: v1
kind: Config
clusters: [{name: flow, cluster: {server: "https://api.flow.invalid:6443"}}]
users: [{name: flow, user: {token: flow-token}}]
contexts: [{name: flow, context: {cluster: flow, user: flow, namespace: ${ns}}}]
current-context: flow
`,
);

/** The API bound to the fake, as main binds it for a command: to drive a command's steps on their own. */
export function apiOn(fake: FakeApi, log: (line: string) => void = () => undefined): Api {
  const conn = validateConnectionFlags(withDefaults(connectionFlags, { kubeconfig }));
  if (conn instanceof Error) throw conn;
  return connectApi(conn, log, fake);
}

export interface Run {
  code: number;
  out: string;
  err: string;
}

/**
 * `kubectl expose-sts ARGS` against the fake API. `interrupt` is what the command would say if interrupted now
 * (what SIGINT prints), while it runs.
 */
export function plugin(api: FakeApi, args: string[]): { done: Promise<Run>; interrupt: () => string | undefined } {
  let out = '';
  let err = '';
  const interrupts = interruptReports();
  const io = {
    out: (t: string) => void (out += t),
    err: (t: string) => void (err += t),
    onInterrupt: interrupts.onInterrupt,
  };
  const done = main([...args, '--kubeconfig', kubeconfig], io, api).then((code) => ({ code, out, err }));
  return { done, interrupt: interrupts.now };
}

export const run = (api: FakeApi, args: string[]) => plugin(api, args).done;

export function statefulSet(name: string, replicas: number): V1StatefulSet {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: ns, uid: `uid-${name}`, resourceVersion: '10' },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: 'db', image: 'postgres:17', ports: [{ name: 'postgres', containerPort: 5432 }] }],
        },
      },
    },
  };
}

export function pod(name: string, node = 'node-0'): V1Pod {
  return {
    metadata: { name, namespace: ns },
    spec: { nodeName: node, containers: [] },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export const list = (items: unknown[], resourceVersion = '100'): Reply => ({
  status: 200,
  body: { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion }, items },
});

/** Pods as the API server answers a Table request for them, with `kubectl get pods`' columns (kube/pod.ts). */
export const podTable = (pods: V1Pod[], resourceVersion = '100'): Reply => ({
  status: 200,
  body: {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: [
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ].map((name) => ({ name, type: 'string' })),
    rows: pods.map((p) => {
      const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      return {
        cells: [
          p.metadata?.name,
          ready ? '1/1' : '0/1',
          ready ? 'Running' : 'Pending',
          '0',
          '1m',
          '10.244.0.1',
          p.spec?.nodeName ?? '<none>',
          '<none>',
          '<none>',
        ],
      };
    }),
  },
});

let version = 100;
/** The answer to a server-side apply: the body as stored, with what the API server allocates. */
export function applied(req: Request, extra: { ip?: string } = {}): V1Service {
  const body = req.body as V1Service;
  return {
    ...body,
    metadata: { ...body.metadata, uid: `uid-${body.metadata?.name}`, resourceVersion: String(++version) },
    spec: { ...body.spec, clusterIP: '10.96.0.10' },
    status: { loadBalancer: extra.ip ? { ingress: [{ ip: extra.ip }] } : {} },
  };
}

/** The same Service once a load balancer has its address, as the watch then shows it. */
export const withAddress = (svc: V1Service, ip: string): V1Service => ({
  ...svc,
  metadata: { ...svc.metadata, resourceVersion: String(++version) },
  status: { loadBalancer: { ingress: [{ ip }] } },
});

export const isWatch = (req: Request) => req.query.watch === 'true';
/** A write that is kept: not the API server's dry run of it, which expose makes of every write first. */
export const isWrite = (req: Request) => req.method === 'PATCH' && req.query.dryRun === undefined;
export const notWatch = (req: Request) => req.query.watch !== 'true';
