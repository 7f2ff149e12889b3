// npm run bench:watch: what expose --watch costs while it runs, on a control plane of its own with MetalLB.
// - P9: from `kubectl scale` to the new member's row with its address, against the load balancer's own assignment
//   time for one Service (`kubectl create service loadbalancer` then `kubectl wait` for its address), interleaved.
// - P10: an idle stretch: the plugin's requests by verb (audit log) and its memory, with kube-apiserver's
//   --min-request-timeout shortened so that watches end (and are renewed) every few seconds; per hour, extrapolated
//   from the measured stretch and for the server's default (1800 s: each watch lasts 30–60 min).
// - P11: a soak of scale events (1 ↔ 2 replicas, ClusterIP, --prune: one create or delete each): resident memory
//   after the first 50 and after the last.
// Writes bench/WATCH.md; reports, never fails. Progress goes to stderr.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pluginRequestsSince } from '../test/cluster/audit.ts';
import { type ClusterInfo, pluginBinDir, startCluster, stopCluster } from '../test/cluster/cluster.ts';
import { statefulSet } from '../test/e2e/fixtures.ts';
import { followProcess } from '../test/e2e/watch/process.ts';
import { versions } from '../test/cluster/versions.ts';
import { fmt, stats } from './measure.ts';
import { remote, startProxy } from './route.ts';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    idle: { type: 'string', default: '120' },
    'watch-timeout': { type: 'string', default: '10' },
    'remote-rounds': { type: 'string', default: '5' },
    soak: { type: 'string', default: '1000' },
  },
});
const root = fileURLToPath(new URL('..', import.meta.url));
const progress = (line: string) => process.stderr.write(`bench:watch: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let cluster: ClusterInfo;
let env: NodeJS.ProcessEnv;

function kubectlIn(args: string[], input?: string, over: NodeJS.ProcessEnv = {}): string {
  const res = spawnSync('kubectl', args, { env: { ...env, ...over }, input, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${res.stderr}`);
  return res.stdout;
}

/** The plugin run as a Deployment runs it: the binary itself, its output followed, its resident memory from /proc. */
function startPlugin(args: string[], over: NodeJS.ProcessEnv = {}) {
  // No guard: a soak runs for minutes.
  const run = followProcess(join(pluginBinDir, 'kubectl-expose_sts'), args, { ...env, ...over }, 0);
  const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${run.pid}/status`, 'utf8'))?.[1]) / 1024;
  return { run, rssMiB, stop: () => void run.stop('SIGTERM') };
}

/** Waits for `pattern` in the plugin's output from `from` on; when it came. */
async function seen(plugin: ReturnType<typeof startPlugin>, stream: 'stdout' | 'stderr', pattern: RegExp, from = 0) {
  await plugin.run.until(stream, pattern, { from, timeoutMs: 120_000 });
  return Date.now();
}

const results: string[] = [];

/** P9 in a profile: `over` sets the KUBECONFIG of the plugin and of every kubectl (the remote route's). */
async function scaleLatency(
  rounds: number,
  profile: string,
  over: NodeJS.ProcessEnv = {},
): Promise<ReturnType<typeof startPlugin>> {
  const kubectl = (args: string[]) => kubectlIn(args, undefined, over);
  const lbFlags = ['--type', 'LoadBalancer', '--load-balancer-source-ranges', '10.0.0.0/8'];
  const plugin = startPlugin(['db', '-n', 'watch', ...lbFlags, '--prune', '--watch'], over);
  await seen(plugin, 'stdout', /^0\s+db-0\s/m);
  const rowOf1 = /^1\s+db-1\s+db-1\s+LoadBalancer\s+198\.\S+:5432/m;
  const times = { plugin: [] as number[], lb: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    progress(`P9 (${profile}) round ${r + 1}/${rounds}`);
    const steps = [
      async () => {
        const [out, err] = [plugin.run.stdout.length, plugin.run.stderr.length];
        const t0 = Date.now();
        kubectl(['scale', 'statefulset', 'db', '-n', 'watch', '--replicas', '2']);
        times.plugin.push((await seen(plugin, 'stdout', rowOf1, out)) - t0);
        kubectl(['scale', 'statefulset', 'db', '-n', 'watch', '--replicas', '1']);
        await seen(plugin, 'stderr', /service\/db-1 deleted/, err);
      },
      async () => {
        const t0 = Date.now();
        kubectl(['create', 'service', 'loadbalancer', 'by-hand', '-n', 'watch', '--tcp', '5432']);
        kubectl([
          'wait',
          '-n',
          'watch',
          '--for=jsonpath={.status.loadBalancer.ingress}',
          'service/by-hand',
          '--timeout=120s',
        ]);
        times.lb.push(Date.now() - t0);
        kubectl(['delete', 'service', 'by-hand', '-n', 'watch']);
      },
    ];
    for (const step of r % 2 ? steps.reverse() : steps) await step();
  }
  const [p, k] = [stats(times.plugin), stats(times.lb)];
  results.push(
    `| P9 (${profile}) | \`kubectl scale\` → the new member's row with its address (expose --watch, MetalLB) | ${fmt(p, 'ms')} | one Service: \`kubectl create service loadbalancer\` + \`kubectl wait\` for its address: ${fmt(k, 'ms')} | ${(p.median / k.median).toFixed(2)}× |`,
  );
  return plugin;
}

async function idle(plugin: ReturnType<typeof startPlugin>, seconds: number, watchTimeout: number): Promise<void> {
  progress(`P10: idle for ${seconds} s`);
  await sleep(5_000);
  const offset = statSync(cluster.auditLog).size;
  const rss0 = plugin.rssMiB();
  await sleep(seconds * 1000);
  const rss1 = plugin.rssMiB();
  const counts = pluginRequestsSince(cluster.auditLog, offset);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const perHour = (total * 3600) / seconds;
  // At the server's default, each of the watches (StatefulSet, Services, pods) lasts 30–60 min (45 on average).
  const watches = 3;
  results.push(
    `| P10 | an idle stretch of ${seconds} s (watches ended by the server after ${watchTimeout}–${2 * watchTimeout} s) | requests: ${JSON.stringify(counts)}; RSS ${rss0.toFixed(1)} → ${rss1.toFixed(1)} MiB | per hour at this timeout: ≈ ${perHour.toFixed(0)} renewals; at the default 1800 s: ≈ ${((watches * 60) / 45).toFixed(0)} | — |`,
  );
}

async function soak(events: number): Promise<void> {
  kubectlIn(['apply', '-n', 'watch', '-f', '-'], JSON.stringify(statefulSet('soak', { replicas: 1 })));
  kubectlIn(['rollout', 'status', '-n', 'watch', 'statefulset/soak', '--timeout=300s']);
  const plugin = startPlugin(['soak', '-n', 'watch', '--prune', '--watch']);
  await seen(plugin, 'stdout', /^0\s+soak-0\s/m);
  const stop = () => plugin.stop();
  process.once('exit', stop);
  let rssAfter50 = 0;
  let rssWarm = 0;
  const rss: number[] = [];
  const started = Date.now();
  for (let i = 1; i <= events; i++) {
    const from = plugin.run.stderr.length;
    const up = i % 2 === 1;
    kubectlIn(['scale', 'statefulset', 'soak', '-n', 'watch', '--replicas', up ? '2' : '1']);
    await seen(plugin, 'stderr', up ? /service\/soak-1 created/ : /service\/soak-1 deleted/, from);
    if (i === 50) rssAfter50 = plugin.rssMiB();
    if (i === 200) rssWarm = plugin.rssMiB();
    if (i % 100 === 0) {
      rss.push(plugin.rssMiB());
      progress(`P11: ${i}/${events} scale events, RSS ${rss.at(-1)?.toFixed(1)} MiB`);
    }
  }
  const end = plugin.rssMiB();
  plugin.stop();
  results.push(
    `| P11 | ${events} scale events (1 ↔ 2 replicas, ClusterIP, --prune) in ${((Date.now() - started) / 1000).toFixed(0)} s | RSS after 50: ${rssAfter50.toFixed(1)} MiB; after 200 (warm): ${rssWarm.toFixed(1)} MiB; after ${events}: ${end.toFixed(1)} MiB (every 100: ${rss.map((r) => r.toFixed(0)).join(', ')}) | — | ${(end - rssAfter50).toFixed(1)} MiB from 50, ${(end - rssWarm).toFixed(1)} MiB from 200 |`,
  );
}

async function main(): Promise<void> {
  progress('building the single binary');
  spawnSync(process.execPath, [join(root, '.ci', 'build.ts')], { stdio: 'inherit' });
  const watchTimeout = Number(opts['watch-timeout']);
  cluster = await startCluster({
    lb: 'metallb',
    apiServerArgs: [`--min-request-timeout=${watchTimeout}`],
    log: progress,
  });
  env = {
    PATH: `${cluster.binDir}:/usr/bin:/bin`,
    HOME: process.env.HOME,
    KUBECONFIG: cluster.kubeconfig,
    EXPOSE_STS_NO_CODE_CACHE: '',
  };
  try {
    kubectlIn(['create', 'namespace', 'watch']);
    kubectlIn(['apply', '-n', 'watch', '-f', '-'], JSON.stringify(statefulSet('db', { replicas: 1 })));
    kubectlIn(['rollout', 'status', '-n', 'watch', 'statefulset/db', '--timeout=300s']);
    // One part failing must not lose the others: it is reported as failed, with why.
    const attempt = async (id: string, fn: () => Promise<void>) =>
      fn().catch((err: unknown) => {
        results.push(`| ${id} | failed: ${(err as Error).message.split('\n')[0].slice(0, 300)} | | | |`);
        progress(`${id} failed: ${(err as Error).message.split('\n')[0]}`);
      });
    await attempt('P9/P10', async () => {
      const plugin = await scaleLatency(Number(opts.rounds), 'local');
      await idle(plugin, Number(opts.idle), watchTimeout);
      plugin.stop();
    });
    await attempt('P9 (remote)', async () => {
      const work = mkdtempSync(join(tmpdir(), 'expose-sts-bench-watch-'));
      const route = await startProxy(cluster, { work, name: 'remote', env }, remote.rttMs, remote.mbit);
      try {
        (await scaleLatency(Number(opts['remote-rounds']), 'remote', { KUBECONFIG: route.kubeconfig })).stop();
      } finally {
        route.proxy.kill();
      }
    });
    await attempt('P11', () => soak(Number(opts.soak)));
  } finally {
    await stopCluster(cluster);
  }
  const text = `# expose --watch: benchmark results

Written by \`npm run bench:watch\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Kubernetes ${versions.kubernetes}, MetalLB ${versions.metallb}; the plugin run as its binary (as in a pod).

| # | what | plugin | baseline | ratio / change |
|---|---|---|---|---|
${results.join('\n')}
`;
  writeFileSync(join(root, 'bench', 'WATCH.md'), text);
  progress('wrote bench/WATCH.md');
}

await main().catch((err: unknown) => {
  progress(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
