// npm run bench:gateway: the Gateway mode against one LoadBalancer per member, on a control plane of its own with
// MetalLB and Traefik (test/cluster/gateway.ts), interleaved round by round:
// - P12 gateway: `kubectl expose-sts db --gateway edge --hostname …` until it exits (every TLSRoute Accepted, the
//   Gateway's address in), and until every member answers through the Gateway (a TLS client per member name, to
//   small servers on the pods' own addresses, made local);
// - P12 LoadBalancer: `kubectl expose-sts db --type LoadBalancer` for the same members until it exits (every MetalLB
//   address in; nothing dials them: MetalLB's addresses are not on this machine).
// Both again in the remote profile (route.ts: the plugin's API requests through a proxy adding a round trip), until
// each exits. Each round starts from nothing exposed (prune --all, not timed). Writes bench/GATEWAY.md; reports, never
// fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type ClusterInfo, freePort, pluginBinDir, startCluster, stopCluster } from '../test/cluster/cluster.ts';
import { startTraefik } from '../test/cluster/gateway.ts';
import { claimPodRoute, releasePodRoute } from '../test/cluster/pod-range.ts';
import { versions } from '../test/cluster/versions.ts';
import { statefulSet } from '../test/e2e/fixtures.ts';
import { ask, startMembers, wildcardCertificate } from '../test/e2e/gateway/members.ts';
import { fmt, ratio, type Stats, stats } from './measure.ts';
import { remote, startProxy } from './route.ts';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'remote-rounds': { type: 'string', default: '5' },
    members: { type: 'string', default: '3' },
  },
});
const root = fileURLToPath(new URL('..', import.meta.url));
const progress = (line: string) => process.stderr.write(`bench:gateway: ${line}\n`);
const zone = 'db.example.test';
const port = 9093;

function kubectlIn(env: NodeJS.ProcessEnv, args: string[], input?: string): string {
  const res = spawnSync('kubectl', args, { env, input, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${res.stderr}`);
  return res.stdout;
}

/** Until every member answers through the Gateway with its own name. */
async function answering(gatewayPort: number, members: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (let i = 0; i < members; ) {
    // A short try: one made before Traefik has programmed the routes can go unanswered until its timeout, and with
    // ask's default of 5 s a run measured 5.6 s where the member answered 0.5 s in.
    const said = await ask('127.0.0.1', gatewayPort, `db-${i}.${zone}`, 200).catch(() => '');
    if (said === `member db-${i}\n`) i++;
    else if (Date.now() > deadline) throw new Error(`db-${i} does not answer through the Gateway`);
    else await new Promise((r) => setTimeout(r, 20));
  }
}

async function main(): Promise<void> {
  const rounds = Number(opts.rounds);
  const members = Number(opts.members);
  progress('building the single binary');
  spawnSync(process.execPath, [join(root, '.ci', 'build.ts')], { stdio: 'inherit' });
  const cluster: ClusterInfo = await startCluster({ lb: 'metallb', log: progress });
  const env = {
    PATH: `${pluginBinDir}:${cluster.binDir}:/usr/bin:/bin`,
    HOME: process.env.HOME,
    KUBECONFIG: cluster.kubeconfig,
  };
  const kubectl = (args: string[], input?: string) => kubectlIn(env, args, input);
  claimPodRoute();
  const gatewayPort = await freePort();
  const traefik = await startTraefik(cluster, { id: `bench-${process.pid}`, ports: [gatewayPort] });
  const results: string[] = [];
  try {
    kubectl(['create', 'namespace', 'gw']);
    const sts = statefulSet('db', { replicas: members });
    sts.spec!.template.spec!.containers[0].ports = [{ name: 'broker', containerPort: port }];
    kubectl(['apply', '-n', 'gw', '-f', '-'], JSON.stringify(sts));
    kubectl(['rollout', 'status', '-n', 'gw', 'statefulset/db', '--timeout=300s']);
    const ips = new Map(
      kubectl([
        'get',
        'pods',
        '-n',
        'gw',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}={.status.podIP}{"\\n"}{end}',
      ])
        .trim()
        .split('\n')
        .map((l) => l.split('=') as [string, string]),
    );
    const servers = await startMembers(ips, port, wildcardCertificate(zone));
    const gateway = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'edge', namespace: 'gw' },
      spec: {
        gatewayClassName: traefik.gatewayClass,
        listeners: [{ name: 'tls', port: gatewayPort, protocol: 'TLS', tls: { mode: 'Passthrough' } }],
      },
    };
    kubectl(['apply', '-f', '-'], JSON.stringify(gateway));
    const reset = () => kubectl(['expose-sts', 'prune', 'db', '-n', 'gw', '--all']);
    /** Rounds of both modes, interleaved, each through the profile's kubeconfig; `answer`: also until every member answers. */
    const interleaved = async (n: number, profile: { name: string; kubeconfig: string }, answer: boolean) => {
      const times = { accepted: [] as number[], answering: [] as number[], lb: [] as number[] };
      const timed = (args: string[]) => {
        const t0 = Date.now();
        kubectlIn({ ...env, KUBECONFIG: profile.kubeconfig }, ['expose-sts', 'db', '-n', 'gw', ...args]);
        return t0;
      };
      for (let r = 0; r < n; r++) {
        progress(`${profile.name}: round ${r + 1}/${n}`);
        const steps = [
          async () => {
            const t0 = timed(['--gateway', 'edge', '--hostname', `{pod}.${zone}`]);
            times.accepted.push(Date.now() - t0);
            if (answer) {
              await answering(gatewayPort, members);
              times.answering.push(Date.now() - t0);
            }
            reset();
          },
          async () => {
            const t0 = timed(['--type', 'LoadBalancer', '--load-balancer-source-ranges', '10.0.0.0/8']);
            times.lb.push(Date.now() - t0);
            reset();
          },
        ];
        for (const step of r % 2 ? steps.reverse() : steps) await step();
      }
      return { accepted: stats(times.accepted), answering: stats(times.answering), lb: stats(times.lb) };
    };
    const row = (what: string, a: Stats, l: Stats, baseline = 'the same') =>
      `| P12 | ${what} | ${fmt(a, 'ms')} | ${baseline} | ${ratio(a, l).toFixed(2)}× |`;
    const lbRun = (l: Stats) => `\`expose --type LoadBalancer\`, ${members} MetalLB addresses: ${fmt(l, 'ms')}`;
    const local = await interleaved(rounds, { name: 'local', kubeconfig: cluster.kubeconfig }, true);
    results.push(
      row(
        `${members} members: \`expose --gateway\` until it exits (every TLSRoute Accepted, the Gateway's address in)`,
        local.accepted,
        local.lb,
        lbRun(local.lb),
      ),
      row(
        '… until every member answers through the Gateway with its own name (TLS, by SNI)',
        local.answering,
        local.lb,
      ),
    );
    const work = mkdtempSync(join(tmpdir(), 'expose-sts-bench-gateway-'));
    const route = await startProxy(cluster, { work, name: 'remote', env }, remote.rttMs, remote.mbit);
    try {
      const far = await interleaved(
        Number(opts['remote-rounds']),
        { name: 'remote', kubeconfig: route.kubeconfig },
        false,
      );
      results.push(row(`remote: \`expose --gateway\` until it exits`, far.accepted, far.lb, lbRun(far.lb)));
    } finally {
      route.proxy.kill();
    }
    await servers.close();
  } finally {
    await traefik.stop();
    releasePodRoute(process.pid);
    await stopCluster(cluster);
  }
  writeFileSync(
    join(root, 'bench', 'GATEWAY.md'),
    `# The Gateway mode: benchmark results

Written by \`npm run bench:gateway\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Kubernetes ${versions.kubernetes}, Traefik ${versions.traefik} (its providers' throttle at 100 ms, not the default 2 s), MetalLB ${versions.metallb}; each run through kubectl (its ≈ 35–40 ms before the plugin starts included), rounds interleaved. Remote: the plugin's requests through a proxy adding a ${remote.rttMs} ms round trip and capping each direction at ${remote.mbit} Mbit/s.

| # | what | Gateway mode | baseline | ratio |
|---|---|---|---|---|
${results.join('\n')}
`,
  );
  progress('wrote bench/GATEWAY.md');
}

await main().catch((err: unknown) => {
  progress(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
