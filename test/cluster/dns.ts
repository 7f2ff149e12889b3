// DNS names for the local cluster's Services, as users get them: external-dns (built from its Go module) reads the
// Services and writes records, with its coredns provider, into an etcd of its own, and a trimmed CoreDNS (the wrapper
// module in coredns/) answers from it on 127.0.0.1. Test-only and built only for what needs it: the DNS tests (their
// setup), `npm run cluster:build -- --dns` and `cluster:up --dns`. In tests external-dns runs one pass per check
// (--once): its event mode waits 5 s between syncs by design.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { goBuild, stderrLog, toolchainPaths, withLock } from './build.ts';
import { type ClusterInfo, etcdArgs, freePort } from './cluster.ts';
import { isAlive, type Started, startProcess, stopProcesses, waitFor } from './process.ts';
import { dnsDir, versions } from './versions.ts';

const corednsModule = fileURLToPath(new URL('./coredns', import.meta.url));
const exec = promisify(execFile);

export function dnsTools(dir = dnsDir()) {
  return { dir, externalDns: join(dir, 'bin', 'external-dns'), coredns: join(dir, 'bin', 'coredns') };
}

/** external-dns and CoreDNS (3 min 45 s together from empty Go caches, 2 cores), built once into their cache. */
export async function ensureDnsTools(log = stderrLog): Promise<ReturnType<typeof dnsTools>> {
  const t = dnsTools();
  const built = () => existsSync(join(t.dir, 'complete'));
  if (built()) return t;
  return withLock(t.dir, log, async () => {
    if (built()) return t;
    const started = Date.now();
    const env = { CGO_ENABLED: '0', GOFLAGS: `${process.env.GOFLAGS ?? ''} -buildvcs=false`.trim() };
    const out = join(t.dir, `bin.partial-${process.pid}`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    log(`  external-dns ${versions.externalDns}: go install (3 to 6 min cold)…`);
    await goBuild(
      'external-dns',
      ['install', '-trimpath', '-ldflags=-s -w', `sigs.k8s.io/external-dns@${versions.externalDns}`],
      { cwd: t.dir, env: { ...env, GOBIN: out } },
      log,
    );
    log(`  CoreDNS ${versions.coredns} (bind, errors, log, etcd): go build (≈ 1 min cold)…`);
    await goBuild(
      'CoreDNS',
      ['build', '-trimpath', '-ldflags=-s -w', '-o', join(out, 'coredns'), '.'],
      { cwd: corednsModule, env },
      log,
    );
    mkdirSync(join(t.dir, 'bin'), { recursive: true });
    for (const b of ['external-dns', 'coredns']) renameSync(join(out, b), join(t.dir, 'bin', b));
    rmSync(out, { recursive: true, force: true });
    const seconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(join(t.dir, 'complete'), `${JSON.stringify({ versions, seconds })}\n`);
    log(`  done in ${seconds} s`);
    return t;
  });
}

/** How the cluster's processes are started: logged, and recorded so cluster:down stops them. */
type Start = (name: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv) => Started;

/** An etcd for external-dns to write to and a CoreDNS answering for `zone` from it, both on 127.0.0.1. */
async function startServers(
  dir: string,
  zone: string,
  start: Start,
  crashed: () => string | undefined,
): Promise<{ etcdUrl: string; server: string; resolver: Resolver }> {
  const tools = await ensureDnsTools();
  const [etcdPort, peerPort, dnsPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  start('dns-etcd', join(toolchainPaths().bin, 'etcd'), etcdArgs('dns', join(dir, 'dns-etcd'), etcdUrl, peerUrl));
  const corefile = join(dir, 'Corefile');
  writeFileSync(
    corefile,
    `${zone}:${dnsPort} {\n  bind 127.0.0.1\n  etcd {\n    path /skydns\n    endpoint ${etcdUrl}\n  }\n  log\n  errors\n}\n`,
  );
  start('coredns', tools.coredns, ['-conf', corefile]);
  const server = `127.0.0.1:${dnsPort}`;
  const resolver = new Resolver({ timeout: 1000, tries: 2 });
  resolver.setServers([server]);
  await waitFor('etcd for DNS', async () => (await fetch(`${etcdUrl}/health`)).ok, 30_000, crashed);
  // CoreDNS answers once it serves the zone: any answer, an empty one included, means it is up.
  await waitFor(
    'CoreDNS',
    () =>
      resolver.resolve4(`up.${zone}`).then(
        () => true,
        (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND' || e.code === 'ENODATA',
      ),
    30_000,
    crashed,
  );
  return { etcdUrl, server, resolver };
}

/**
 * external-dns as a user runs it for Services: the service source, TXT records claiming what it owns (so --policy=sync
 * deletes only those), writing to the etcd CoreDNS reads. Its own identity keeps it out of the audit log.
 */
function externalDnsArgs(kubeconfig: string, zone: string, sources: string[] = ['service']): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    ...sources.map((s) => `--source=${s}`),
    '--provider=coredns',
    '--coredns-prefix=/skydns/',
    `--domain-filter=${zone}`,
    '--registry=txt',
    '--txt-owner-id=expose-sts-local',
    '--txt-prefix=txt-',
    '--policy=sync',
  ];
}

/** The zone `cluster:up --dns` publishes names in. */
export const localZone = 'example.test';

/**
 * DNS as part of a running cluster (`cluster:up --dns`): external-dns runs continuously, as in a user's cluster,
 * reacting to Service changes after its 5 s minimum between syncs. Returns what to ask: the server and its zone.
 */
export async function startClusterDns(
  cluster: ClusterInfo,
  kubeconfig: string,
  start: Start,
  crashed: () => string | undefined,
): Promise<{ zone: string; server: string }> {
  const { etcdUrl, server } = await startServers(cluster.dir, localZone, start, crashed);
  const metrics = `127.0.0.1:${await freePort()}`;
  start(
    'external-dns',
    dnsTools().externalDns,
    [
      ...externalDnsArgs(kubeconfig, localZone),
      '--events',
      '--interval=1m',
      `--metrics-address=${metrics}`,
      '--log-level=warning',
    ],
    { ...process.env, ETCD_URLS: etcdUrl },
  );
  await waitFor('external-dns', async () => (await fetch(`http://${metrics}/healthz`)).ok, 30_000, crashed);
  return { zone: localZone, server };
}

export interface Dns {
  /** The zone the records are in: names outside it are not published. */
  zone: string;
  resolver: Resolver;
  /** One pass of external-dns over every Service of the cluster (policy sync: it also deletes what it owns). */
  sync(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * An etcd and a CoreDNS for one test file; external-dns runs one pass per sync() (--once), so a test knows when the
 * records are written. stop() removes everything.
 */
export async function startDns(
  cluster: ClusterInfo,
  zone = 'example.test',
  /** external-dns's sources: Services, or the Gateway mode's routes (gateway-tlsroute, gateway-tcproute). */
  sources: string[] = ['service'],
  /** More of its flags, e.g. --annotation-prefix=external-dns.kubernetes.io/ (v0.22.0's default) */
  flags: string[] = [],
): Promise<Dns> {
  const dir = mkdtempSync(join(tmpdir(), 'expose-sts-dns-'));
  const running: Started[] = [];
  const start: Start = (name, cmd, args) => {
    const proc = startProcess(name, cmd, args, join(dir, `${name}.log`));
    running.push(proc);
    return proc;
  };
  const stop = async () => {
    await stopProcesses(running.map((p) => p.pid).filter(isAlive), () => true);
    rmSync(dir, { recursive: true, force: true });
  };
  const crashed = () => running.find((p) => p.exited())?.name;
  const { etcdUrl, resolver } = await startServers(dir, zone, start, crashed).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return {
    zone,
    resolver,
    async sync() {
      const { stdout, stderr } = await exec(
        dnsTools().externalDns,
        [
          ...externalDnsArgs(join(cluster.dir, 'external-dns.kubeconfig'), zone, sources),
          ...flags,
          '--once',
          '--metrics-address=127.0.0.1:0',
          '--log-level=info',
        ],
        { env: { ...process.env, ETCD_URLS: etcdUrl }, timeout: 60_000 },
      );
      return stdout + stderr;
    },
    stop,
  };
}
