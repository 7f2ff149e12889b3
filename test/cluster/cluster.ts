// A real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok
// (simulated nodes and pod lifecycles), MetalLB's controller (addresses for unclassed LoadBalancer Services) and the
// load-balancer simulator (the classes and modes MetalLB cannot play), and on request DNS names for Services
// (external-dns and a CoreDNS, see dns.ts). Used by the vitest global setup, `npm run cluster:up`, the demo and the
// benchmarks.
//
// Every running cluster has a record under the cache (clusters/<name>.json) listing its processes, so a later process
// can stop it, and a run that crashed is cleaned up by the next one instead of breaking it.
import { request } from 'node:https';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureToolchain, stderrLog } from './build.ts';
import { type LbMode, lbModes } from './lb-addresses.ts';
import { ensureMetallb } from './metallb.ts';
import { adminIdentity, componentIdentities, makePki, writeKubeconfig } from './pki.ts';
import { claimPodRoute, podRange, releasePodRoute } from './pod-range.ts';
import { commandLine, isAlive, startProcess, stopProcesses, waitFor } from './process.ts';
import { cacheRoot, versions } from './versions.ts';

/**
 * Who gives unclassed LoadBalancer Services their addresses: MetalLB (the default, as on a bare-metal cluster), or
 * the simulator in one of its modes (an IP, a cloud-style hostname, or none at all).
 */
export const loadBalancers = ['metallb', ...lbModes] as const;
export type LoadBalancers = (typeof loadBalancers)[number];

export interface ClusterOptions {
  /** Record name: `shared` is the one `npm run cluster:up` leaves running; tests use private ones. */
  name?: string;
  lb?: LoadBalancers;
  /** How long the simulated cloud takes to assign an address (`500ms`, `2s`). */
  lbDelay?: string;
  nodes?: number;
  /** Runs external-dns for Services, publishing names under dns.ts's zone to a CoreDNS on 127.0.0.1. */
  dns?: boolean;
  /** The Kubernetes release of the API server, controller manager and scheduler (default: the pinned one). */
  kubernetes?: string;
  /**
   * Runs Traefik as the Gateway API controller (gateway.ts), two instances (TLSRoute and TCPRoute cannot share one),
   * and makes the pod range this machine's (pod-range.ts), so traffic through a Gateway reaches pods' own addresses.
   */
  gateway?: boolean;
  /** Outlives the process that starts it (cluster:up); otherwise it is swept once that process is gone. */
  persistent?: boolean;
  /** More kube-apiserver flags, e.g. `--min-request-timeout=5` so that watches end (and are renewed) every few seconds. */
  apiServerArgs?: string[];
  log?: (line: string) => void;
}

export interface ClusterInfo {
  name: string;
  dir: string;
  server: string;
  /** Admin kubeconfig (user in system:masters). */
  kubeconfig: string;
  /** The Kubernetes release the control plane runs (kubectl, etcd and kwok are always the pinned ones). */
  kubernetes: string;
  /**
   * One JSON line per API request by anyone but the cluster's own components (kube-apiserver audit, level Metadata).
   */
  auditLog: string;
  /** The pinned kubectl and the other control-plane binaries. */
  binDir: string;
  caFile: string;
  lb: LoadBalancers;
  lbDelay: string;
  nodes: string[];
  /** With ClusterOptions.dns: the zone names are published in, and the DNS server (host:port) that answers for it. */
  dns?: { zone: string; server: string };
  /** With ClusterOptions.gateway: each Traefik instance's GatewayClass and its ports on 127.0.0.1. */
  gateway?: { tls: { gatewayClass: string; ports: number[] }; tcp: { gatewayClass: string; ports: number[] } };
  /** The pid that holds the claim on the pod route (pod-range.ts), released when the cluster stops. */
  podRouteHolder?: number;
  /** The process that started a private cluster; when it is gone, the next start stops the leftovers. */
  owner: number | null;
  processes: { name: string; pid: number }[];
  /** How kube-apiserver was started, so restartApiServer starts it again the same way. */
  apiServer?: { cmd: string; args: string[] };
}

/**
 * The ports `cluster:up --gateway`'s Traefik instances listen on (127.0.0.1), which its Gateways' listeners must use:
 * one TLS passthrough port for every member, and ten TCP ports (a member each).
 */
const gatewayPorts = { tls: [9443], tcp: Array.from({ length: 10 }, (_, i) => 9000 + i) };

const lbSimulator = fileURLToPath(new URL('./lb-simulator.ts', import.meta.url));
const registryDir = () => join(cacheRoot(), 'clusters');
const recordPath = (name: string) => join(registryDir(), `${name}.json`);

export function readRecord(name: string): ClusterInfo | undefined {
  try {
    return JSON.parse(readFileSync(recordPath(name), 'utf8')) as ClusterInfo;
  } catch {
    return undefined;
  }
}

function writeRecord(info: ClusterInfo): void {
  mkdirSync(registryDir(), { recursive: true });
  writeFileSync(recordPath(info.name), `${JSON.stringify(info, null, 2)}\n`);
}

/** A single-member etcd on 127.0.0.1 for tests: no fsync, warnings only. */
export function etcdArgs(name: string, dataDir: string, clientUrl: string, peerUrl: string): string[] {
  return [
    `--name=${name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${name}=${peerUrl}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** GET on the apiserver as admin; resolves with status and body, rejects only on connection errors. */
function apiGet(
  info: Pick<ClusterInfo, 'server' | 'dir' | 'caFile'>,
  path: string,
  timeoutMs = 2000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, info.server),
      {
        ca: readFileSync(info.caFile),
        cert: readFileSync(join(info.dir, `client-${adminIdentity.name}.crt`)),
        key: readFileSync(join(info.dir, `client-${adminIdentity.name}.key`)),
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Whether every process of the cluster runs and the apiserver answers /readyz. */
export async function isHealthy(info: ClusterInfo): Promise<boolean> {
  if (!existsSync(info.dir) || !info.processes.every((p) => isAlive(p.pid) && ownedBy(info)(p.pid))) return false;
  try {
    return (await apiGet(info, '/readyz')).status === 200;
  } catch {
    return false;
  }
}

const ownedBy = (info: ClusterInfo) => (pid: number) => commandLine(pid)?.includes(info.dir) ?? true;

export async function stopCluster(info: ClusterInfo): Promise<void> {
  const owns = ownedBy(info);
  const pidsOf = (names: string[]) => info.processes.filter((p) => names.includes(p.name)).map((p) => p.pid);
  const others = info.processes.filter((p) => !['kube-apiserver', 'etcd'].includes(p.name)).map((p) => p.pid);
  // Clients first, the apiserver next, etcd last: each stops cleanly while what it talks to is still there.
  await stopProcesses(others, owns);
  await stopProcesses(pidsOf(['kube-apiserver']), owns);
  await stopProcesses(pidsOf(['etcd']), owns);
  if (info.podRouteHolder) releasePodRoute(info.podRouteHolder);
  rmSync(info.dir, { recursive: true, force: true });
  if (readRecord(info.name)?.dir === info.dir) rmSync(recordPath(info.name), { force: true });
}

/** Stops private clusters whose owner died (a test run killed before its teardown). */
async function sweepStale(): Promise<void> {
  let names: string[] = [];
  try {
    names = readdirSync(registryDir())
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5));
  } catch {
    return;
  }
  for (const name of names) {
    const info = readRecord(name);
    if (info && info.owner !== null && !isAlive(info.owner)) await stopCluster(info).catch(() => undefined);
  }
}

function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  users: [${[...componentIdentities.map((c) => c.user), 'system:apiserver'].join(', ')}]
- level: None
  userGroups: ["system:serviceaccounts:kube-system", "system:nodes"]
- level: Metadata
`;

export async function startCluster(opts: ClusterOptions = {}): Promise<ClusterInfo> {
  const log = opts.log ?? stderrLog;
  await sweepStale();
  const kubernetes = opts.kubernetes ?? versions.kubernetes;
  const toolchain = await ensureToolchain(log, kubernetes);
  const lb = opts.lb ?? 'metallb';
  const metallb = lb === 'metallb' ? await ensureMetallb(log) : undefined;
  const dns = opts.dns ? await import('./dns.ts') : undefined;
  await dns?.ensureDnsTools(log);
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'expose-sts-cluster-'));
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${apiPort}`;
  const bin = (b: string) => join(toolchain.bin, b);
  const p = (f: string) => join(dir, f);
  mkdirSync(p('logs'));

  const info: ClusterInfo = {
    name: opts.name ?? `run-${process.pid}-${Date.now().toString(36)}`,
    dir,
    server,
    kubeconfig: p('admin.kubeconfig'),
    kubernetes,
    auditLog: p('audit.log'),
    binDir: toolchain.bin,
    caFile: p('ca.crt'),
    lb,
    lbDelay: opts.lbDelay ?? '0',
    nodes: [],
    owner: opts.persistent ? null : process.pid,
    processes: [],
  };
  const running: ReturnType<typeof startProcess>[] = [];
  const start = (name: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv) => {
    const proc = startProcess(name, cmd, args, p(`logs/${name}.log`), env);
    running.push(proc);
    info.processes.push({ name, pid: proc.pid });
    writeRecord(info); // recorded at once, so a crash from here on can still be cleaned up
    return proc;
  };
  const crashed = () => {
    const dead = running.find((r) => r.exited());
    return dead && `${dead.name} (log ${p(`logs/${dead.name}.log`)}):\n${logTail(p(`logs/${dead.name}.log`))}`;
  };

  try {
    writeRecord(info);
    const pki = await makePki(dir, '10.96.0.1');
    writeKubeconfig(info.kubeconfig, server, pki, adminIdentity);
    const kubeconfigOf = (name: string) =>
      writeKubeconfig(p(`${name}.kubeconfig`), server, pki, componentIdentities.find((c) => c.name === name)!);
    writeFileSync(p('audit-policy.yaml'), auditPolicy);

    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    start('etcd', bin('etcd'), etcdArgs('n0', p('etcd'), etcdUrl, peerUrl));
    await waitFor(
      'etcd',
      async () => ((await (await fetch(`${etcdUrl}/health`)).json()) as { health: string }).health === 'true',
      30_000,
      crashed,
    );

    const apiServerArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${p('apiserver-certs')}`,
      `--tls-cert-file=${pki.serverCert}`,
      `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      '--authorization-mode=Node,RBAC',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--endpoint-reconciler-type=none',
      '--allow-privileged=true',
      `--audit-log-path=${info.auditLog}`,
      `--audit-policy-file=${p('audit-policy.yaml')}`,
      '--audit-log-format=json',
      '--profiling=false',
      ...(opts.apiServerArgs ?? []),
    ];
    info.apiServer = { cmd: bin('kube-apiserver'), args: apiServerArgs };
    start('kube-apiserver', info.apiServer.cmd, apiServerArgs);
    await waitFor(
      'kube-apiserver /readyz',
      async () => (await apiGet(info, '/readyz')).status === 200,
      60_000,
      crashed,
    );

    const authArgs = (kc: string) => [
      `--kubeconfig=${kc}`,
      `--authentication-kubeconfig=${kc}`,
      `--authorization-kubeconfig=${kc}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--secure-port=0',
    ];
    start('kube-controller-manager', bin('kube-controller-manager'), [
      ...authArgs(kubeconfigOf('kube-controller-manager')),
      `--root-ca-file=${pki.caCert}`,
      `--service-account-private-key-file=${pki.saKey}`,
      '--use-service-account-credentials=true',
    ]);
    start('kube-scheduler', bin('kube-scheduler'), authArgs(kubeconfigOf('kube-scheduler')));
    start('kwok', bin('kwok'), [
      `--kubeconfig=${kubeconfigOf('kwok')}`,
      `--config=${toolchain.stages}`,
      '--manage-all-nodes=true',
      `--cidr=${podRange.cidr}`,
      '--server-address=127.0.0.1:0',
    ]);
    startLbSimulator(info, kubeconfigOf('lb-simulator'), start);

    const { createNodes } = await import('./nodes.ts'); // client-node loads only once the apiserver is up
    info.nodes = await createNodes(info, opts.nodes ?? 3, toolchain.storageClass, crashed);
    writeRecord(info);
    if (metallb) {
      const { metallbNamespace, metallbPod, prepareMetallb, waitForMetallb } = await import('./metallb-setup.ts');
      await prepareMetallb(info, metallb.crds, crashed);
      start('metallb-controller', metallb.controller, [
        `--kubeconfig=${kubeconfigOf('metallb-controller')}`,
        `--namespace=${metallbNamespace}`,
        `--pod-name=${metallbPod}`,
        '--webhook-mode=disabled',
        '--disable-cert-rotation',
        '--port=0', // no metrics server
        '--health-probe-port=0', // a free port of its choosing
        '--log-level=warn',
      ]);
      await waitForMetallb(info, crashed);
    }
    // Every cluster has the identity, so a test's own external-dns (dns.ts's startDns) stays out of the audit log.
    const externalDnsKubeconfig = kubeconfigOf('external-dns');
    if (dns) {
      info.dns = await dns.startClusterDns(info, externalDnsKubeconfig, start, crashed);
      writeRecord(info);
    }
    if (opts.gateway) {
      const { startTraefik } = await import('./gateway.ts');
      const [tls, tcp] = await Promise.all([
        startTraefik(info, { id: 'tls', ports: gatewayPorts.tls, start }),
        startTraefik(info, { id: 'tcp', ports: gatewayPorts.tcp, start }),
      ]);
      info.gateway = { tls, tcp };
      info.podRouteHolder = claimPodRoute(info.processes.find((x) => x.name === 'traefik-tls')!.pid);
      writeRecord(info);
    }
    log(
      `cluster ${info.name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${server} (Kubernetes ${kubernetes}, ${info.nodes.length} nodes, lb ${info.lb}${info.dns ? `, names under ${info.dns.zone} on ${info.dns.server}` : ''}${info.gateway ? ', Gateway API with Traefik' : ''})`,
    );
    return info;
  } catch (err) {
    await stopCluster(info).catch(() => undefined);
    throw err;
  }
}

function startLbSimulator(
  info: ClusterInfo,
  kubeconfig: string,
  start: (name: string, cmd: string, args: string[]) => unknown,
): void {
  start('lb-simulator', process.execPath, [
    lbSimulator,
    `--kubeconfig=${kubeconfig}`,
    // Beside MetalLB it serves only its classes: one controller per unclassed Service, as in a real cluster.
    `--lb=${info.lb === 'metallb' ? 'none' : info.lb}`,
    `--lb-delay=${info.lbDelay}`,
  ]);
}

/** Restarts the load-balancer simulator in another mode; Services it already served keep their addresses. */
export async function restartLoadBalancer(info: ClusterInfo, lb: LbMode, lbDelay = '0'): Promise<ClusterInfo> {
  // Beside MetalLB the simulator serves only its classes; another mode would make two controllers for a Service.
  if (info.lb === 'metallb') throw new Error('restartLoadBalancer: the cluster runs MetalLB for unclassed Services');
  const old = info.processes.filter((x) => x.name === 'lb-simulator');
  await stopProcesses(
    old.map((x) => x.pid),
    ownedBy(info),
  );
  const next: ClusterInfo = {
    ...info,
    lb,
    lbDelay,
    processes: info.processes.filter((x) => x.name !== 'lb-simulator'),
  };
  startLbSimulator(next, join(info.dir, 'lb-simulator.kubeconfig'), (name, cmd, args) => {
    const proc = startProcess(name, cmd, args, join(info.dir, 'logs', `${name}.log`));
    next.processes.push({ name, pid: proc.pid });
  });
  writeRecord(next);
  return next;
}

/**
 * Stops kube-apiserver and starts it again with the same flags (etcd keeps the state), as an upgrade or a crash of
 * the control plane does; resolves once it is ready again. Clients see their connections end and refused for a while.
 */
export async function restartApiServer(info: ClusterInfo): Promise<ClusterInfo> {
  if (!info.apiServer) throw new Error('restartApiServer: the record does not say how kube-apiserver was started');
  const old = info.processes.filter((x) => x.name === 'kube-apiserver');
  await stopProcesses(
    old.map((x) => x.pid),
    ownedBy(info),
  );
  const proc = startProcess(
    'kube-apiserver',
    info.apiServer.cmd,
    info.apiServer.args,
    join(info.dir, 'logs', 'kube-apiserver.log'),
  );
  const next: ClusterInfo = {
    ...info,
    processes: [
      ...info.processes.filter((x) => x.name !== 'kube-apiserver'),
      { name: 'kube-apiserver', pid: proc.pid },
    ],
  };
  writeRecord(next);
  await waitFor(
    'kube-apiserver /readyz after its restart',
    async () => (await apiGet(next, '/readyz').catch(() => ({ status: 0 }))).status === 200,
    60_000,
    () => (proc.exited() ? logTail(join(info.dir, 'logs', 'kube-apiserver.log')) : undefined),
  );
  return next;
}

/**
 * The cluster `npm run cluster:up` shares between commands: reused while healthy, otherwise (never started, or
 * left broken by a crash or a reboot) cleaned up and started afresh.
 */
export async function ensureCluster(
  opts: ClusterOptions & { name: string },
): Promise<{ info: ClusterInfo; reused: boolean }> {
  const existing = readRecord(opts.name);
  if (existing && (await isHealthy(existing))) return { info: existing, reused: true };
  if (existing) await stopCluster(existing);
  return { info: await startCluster(opts), reused: false };
}

/** Where `npm run build` puts kubectl-expose_sts, so kubectl finds the plugin once it is on PATH. */
export const pluginBinDir = fileURLToPath(new URL('../../bin', import.meta.url));

/** Shell lines that point kubectl at the cluster: the admin kubeconfig, the pinned kubectl and the plugin on PATH. */
export function shellEnv(info: ClusterInfo): string {
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  return `export KUBECONFIG=${q(info.kubeconfig)}\nexport PATH=${q(info.binDir)}:${q(pluginBinDir)}:"$PATH"\n`;
}
