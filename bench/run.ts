// npm run bench: the plugin against the ways users do the same job today, side by side on a local control plane
// started for the run, with MetalLB handing out the addresses (--lb ip: the simulator, without delay). Every figure is
// a ratio to a baseline measured in the same run, interleaved round by round, because these machines are noisy.
// Two profiles (--profile picks one): `local`, straight to the API server on 127.0.0.1, and `remote`, where the
// plugin and every kubectl baseline go through the same shaping proxy (bench/shaping-proxy.ts: 40 ms round trip,
// 50 Mbit/s each way), as from a laptop to a cloud API server. Bytes received per command are measured beside the
// times, through a counting proxy that adds nothing. Writes bench/RESULTS.md; reports, never fails. Progress goes to
// stderr.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import {
  type ClusterInfo,
  type LoadBalancers,
  loadBalancers,
  pluginBinDir,
  startCluster,
  stopCluster,
} from '../test/cluster/cluster.ts';
import { versions } from '../test/cluster/versions.ts';
import { statefulSet } from '../test/e2e/fixtures.ts';
import { fmt, measure, ratio, stats, type Sample } from './measure.ts';
import { type Route, remote, startProxy } from './route.ts';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    only: { type: 'string' },
    lb: { type: 'string', default: 'metallb' },
    profile: { type: 'string', default: 'local,remote' },
    'remote-rounds': { type: 'string', default: '5' },
  },
});
type Profile = 'local' | 'remote';
const profiles = opts.profile.split(',') as Profile[];
if (!profiles.every((p) => p === 'local' || p === 'remote')) throw new Error('--profile must be local, remote or both');
let rounds = Number(opts.rounds);
const lb = opts.lb as LoadBalancers;
if (!loadBalancers.includes(lb)) throw new Error(`--lb must be one of ${loadBalancers.join(', ')}`);
const only = opts.only?.split(',');
const want = (id: string) => !only || only.some((o) => id.startsWith(o));
const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'expose-sts-bench-'));
const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

let cluster: ClusterInfo;
let env: NodeJS.ProcessEnv;
const kubectl = (args: string[], input?: string) => measure('kubectl', args, env, input);
const sh = (script: string) => measure('bash', ['-c', script], env);
function must(s: Sample, what: string): Sample {
  if (s.code !== 0) throw new Error(`${what} failed (${s.code}): ${s.stderr.slice(0, 500)}`);
  return s;
}

/**
 * Requests one impersonated user made, from the audit log (the plugin's own calls, nobody else's). A watch is logged
 * twice, when its response starts and when it ends: one request per auditID.
 */
function requestsOf(user: string): { verb: string; uri: string }[] {
  const events = readFileSync(cluster.auditLog, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.impersonatedUser?.username === user);
  return [...new Map(events.map((e) => [e.auditID as string, e])).values()].map((e) => ({
    verb: e.verb as string,
    uri: (e.requestURI as string).split('?')[0],
  }));
}

function createStatefulSet(ns: string, name: string, replicas: number): void {
  must(
    kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(statefulSet(name, { replicas }))),
    `create statefulset ${name}`,
  );
  must(kubectl(['rollout', 'status', '-n', ns, `statefulset/${name}`, '--timeout=300s']), `rollout ${name}`);
}

const lbFlags = ['--type', 'LoadBalancer', '--load-balancer-source-ranges', '10.0.0.0/8'];
// Services have no finalizers here, so they are gone when delete returns; --wait would watch them one by one (minutes).
const clean = (ns: string, sts: string) =>
  must(kubectl(['delete', 'services', '-n', ns, '-l', `expose-sts.io/statefulset=${sts}`, '--wait=false']), 'clean');
// status reads the managed Services, the StatefulSets and the StatefulSets' pods: a person checking drift by hand
// runs these three.
const sameReads = [
  'services -l app.kubernetes.io/managed-by=kubectl-expose-sts',
  'statefulsets',
  'pods -l statefulset.kubernetes.io/pod-name',
]
  .map((what) => `kubectl get ${what} -A >/dev/null`)
  .join(' && ');
const waitCmd = (ns: string, sts: string) =>
  `kubectl wait --for=jsonpath='{.status.loadBalancer.ingress}' services -n ${ns} -l expose-sts.io/statefulset=${sts} --timeout=300s`;

/** The same Services the plugin makes, as manifests: one List, and one file per Service for the hand-written loop. */
function manifests(ns: string, sts: string): { all: string; dir: string } {
  const out = must(kubectl(['expose-sts', sts, '-n', ns, ...lbFlags, '--dry-run=client', '-o', 'yaml']), 'dry run');
  const dir = join(work, `${ns}-${sts}`);
  mkdirSync(dir, { recursive: true });
  const all = join(dir, 'all.yaml');
  writeFileSync(all, out.stdout);
  const items = (parse(out.stdout) as { items: unknown[] }).items;
  mkdirSync(join(dir, 'each'), { recursive: true }); // the same files again for the second profile
  for (const [i, item] of items.entries())
    writeFileSync(join(dir, 'each', `${String(i).padStart(4, '0')}.yaml`), stringify(item));
  return { all, dir: join(dir, 'each') };
}

/** Runs every variant once per round, rotating which goes first, so drift in the machine hits all alike. */
function interleave(variants: Record<string, () => number | Sample>, label: string): Record<string, number[]> {
  const names = Object.keys(variants);
  const out: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    progress(`${label}: round ${r + 1}/${rounds}`);
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      const v = variants[name]();
      out[name].push(typeof v === 'number' ? v : v.ms);
    }
  }
  return out;
}

interface Row {
  id: string;
  profile: Profile | 'either';
  what: string;
  measured: string;
  baseline: string;
  ratio: string;
  /** Bytes received by the plugin's command and by the baseline's, one run each after the timed rounds. */
  bytes?: string;
  target: string;
  met: boolean | undefined;
}
const rows: Row[] = [];
const notes: string[] = [];
const row = (r: Row) => {
  rows.push(r);
  progress(
    `${r.id} (${r.profile}): ${r.ratio} (target ${r.target}) ${r.met === undefined ? '' : r.met ? 'met' : 'MISSED'}`,
  );
};
const x = (n: number) => `${n.toFixed(2)}×`;

const routes: Partial<Record<Profile | 'count', Route>> = {};

function route(r: Route): void {
  env = { ...env, KUBECONFIG: r.kubeconfig };
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function counted(r: Route): number {
  for (;;) {
    const n = Number(readFileSync(r.counter, 'utf8'));
    if (Number.isFinite(n) && readFileSync(r.counter, 'utf8') !== '') return n;
    pause(5);
  }
}

/** Bytes one run of `fn` received, through the counting proxy (which adds no delay). */
function bytesOf(fn: () => Sample): number {
  const counting = routes.count as Route;
  const before = env.KUBECONFIG;
  route(counting);
  try {
    const start = counted(counting);
    must(fn(), 'bytes run');
    pause(100); // the proxy writes its count as it forwards; the last write lands just after the command ends
    return counted(counting) - start;
  } finally {
    env = { ...env, KUBECONFIG: before };
  }
}

const kB = (n: number) => (n < 10_000 ? `${n} B` : `${(n / 1000).toFixed(0)} kB`);

async function main(): Promise<void> {
  progress('building the single binary');
  must(measure(process.execPath, [join(root, '.ci', 'build.ts')], process.env), 'build');
  cluster = await startCluster({ lb: lb, lbDelay: '0', log: progress });
  env = {
    PATH: `${pluginBinDir}:${cluster.binDir}:/usr/bin:/bin`,
    HOME: process.env.HOME,
    KUBECONFIG: cluster.kubeconfig,
  };
  const direct = cluster.kubeconfig;
  try {
    for (const ns of ['bench', 'bench-p4', 'bench-p5', 'bench-p7'])
      must(kubectl(['create', 'namespace', ns]), `namespace ${ns}`);
    routes.count = await startProxy(cluster, { work, name: 'count', env }, 0, 0);
    if (profiles.includes('remote'))
      routes.remote = await startProxy(cluster, { work, name: 'remote', env }, remote.rttMs, remote.mbit);
    const localRounds = rounds;

    const attempt = (profile: Profile, ids: string[], fn: () => void) => {
      if (!ids.some(want)) return;
      try {
        fn();
      } catch (err) {
        // One case failing must not lose the others: it is reported as failed, with why.
        for (const id of ids.filter(want))
          rows.push({
            id,
            profile,
            what: 'failed',
            measured: `failed: ${(err as Error).message.split('\n')[0].slice(0, 300)}`,
            baseline: '',
            ratio: '',
            target: '',
            met: false,
          });
        progress(`${ids.join('/')} (${profile}) failed: ${(err as Error).message.split('\n')[0]}`);
      }
    };
    const once = new Map<string, unknown>();
    const setUp = (key: string, fn: () => void) => {
      if (once.has(key)) return;
      fn();
      once.set(key, true);
    };

    for (const profile of profiles) {
      rounds = profile === 'local' ? localRounds : Number(opts['remote-rounds']);
      env = { ...env, KUBECONFIG: profile === 'local' ? direct : (routes.remote as Route).kubeconfig };
      progress(`profile ${profile}: ${rounds} rounds`);
      const local = profile === 'local';
      if (local)
        attempt(profile, ['P1'], () => {
          const s = interleave(
            {
              plugin: () => must(kubectl(['expose-sts', '--help']), 'plugin help'),
              kubectl: () => must(kubectl(['expose', '--help']), 'kubectl help'),
            },
            'P1 --help',
          );
          const [p, k] = [stats(s.plugin), stats(s.kubectl)];
          row({
            id: 'P1',
            profile,
            what: '`kubectl expose-sts --help` (single binary, through kubectl)',
            measured: fmt(p, 'ms'),
            baseline: `\`kubectl expose --help\`: ${fmt(k, 'ms')}`,
            ratio: x(ratio(p, k)),
            target: '≤ 1.5×',
            met: ratio(p, k) <= 1.5,
          });
        });

      attempt(profile, ['P7', 'P7b'], () => {
        setUp('P7', () => {
          progress('P7: a 3-replica StatefulSet, exposed');
          createStatefulSet('bench-p7', 'small', 3);
          must(kubectl(['expose-sts', 'small', '-n', 'bench-p7', ...lbFlags]), 'expose small');
        });
        const getSvc = ['get', 'svc', '-n', 'bench-p7', '-l', 'app.kubernetes.io/managed-by=kubectl-expose-sts'];
        const status = () => must(kubectl(['expose-sts', 'status', 'small', '-n', 'bench-p7']), 'status');
        const rerun = () => must(kubectl(['expose-sts', 'small', '-n', 'bench-p7', ...lbFlags]), 're-run');
        const get = () => must(kubectl(getSvc), 'get svc');
        const s = interleave({ status, rerun, get }, `P7 small commands (${profile})`);
        const [st, re, k] = [stats(s.status), stats(s.rerun), stats(s.get)];
        const kBytes = bytesOf(get);
        row({
          id: 'P7',
          profile,
          what: '`status` of one exposed 3-pod StatefulSet',
          measured: fmt(st, 'ms'),
          baseline: `\`kubectl get svc -l …\` of its Services: ${fmt(k, 'ms')}`,
          ratio: x(ratio(st, k)),
          bytes: `${kB(bytesOf(status))} / ${kB(kBytes)}`,
          target: local ? '≤ 1.3×' : '≤ 1.1×',
          met: ratio(st, k) <= (local ? 1.3 : 1.1),
        });
        row({
          id: 'P7b',
          profile,
          what: 'a re-run of `expose` that changes nothing, 3 pods',
          measured: fmt(re, 'ms'),
          baseline: `the same \`kubectl get svc -l …\`: ${fmt(k, 'ms')}`,
          ratio: x(ratio(re, k)),
          bytes: `${kB(bytesOf(rerun))} / ${kB(kBytes)}`,
          target: local ? '≤ 1.5×' : '≤ 1.2×',
          met: ratio(re, k) <= (local ? 1.5 : 1.2),
        });
      });

      attempt(profile, ['P2a', 'P2b', 'P3', 'P6'], () => {
        setUp('P2', () => {
          progress('P2: a 100-replica StatefulSet');
          createStatefulSet('bench', 'p2', 100);
        });
        const m = manifests('bench', 'p2');
        const p6: number[] = [];
        const s = interleave(
          {
            plugin: () => {
              clean('bench', 'p2');
              const first = must(kubectl(['expose-sts', 'p2', '-n', 'bench', ...lbFlags]), 'expose');
              p6.push(must(kubectl(['expose-sts', 'p2', '-n', 'bench', ...lbFlags]), 're-run').ms);
              return first;
            },
            loop: () => {
              clean('bench', 'p2');
              return must(
                sh(
                  `for f in ${m.dir}/*.yaml; do kubectl apply -f "$f" >/dev/null || exit 1; done; ${waitCmd('bench', 'p2')}`,
                ),
                'loop',
              );
            },
            bulk: () => {
              clean('bench', 'p2');
              return must(sh(`kubectl apply -f ${m.all} >/dev/null && ${waitCmd('bench', 'p2')}`), 'bulk');
            },
          },
          `P2/P6 expose 100 (${profile})`,
        );
        const [p, a, b] = [stats(s.plugin), stats(s.loop), stats(s.bulk)];
        if (want('P2')) {
          row({
            id: 'P2a',
            profile,
            what: 'expose 100 pods as LoadBalancer until every address is printed',
            measured: fmt(p, 'ms'),
            baseline: `one \`kubectl apply -f\` per pod, then \`kubectl wait\`: ${fmt(a, 'ms')}`,
            ratio: `${(a.median / p.median).toFixed(1)}× faster`,
            target: '≥ 10× faster',
            met: a.median / p.median >= 10,
          });
          row({
            id: local ? 'P2b' : 'P2r',
            profile,
            what: 'the same',
            measured: fmt(p, 'ms'),
            baseline: `one \`kubectl apply -f\` of all 100, then \`kubectl wait\`: ${fmt(b, 'ms')}`,
            ratio: x(ratio(p, b)),
            target: local ? '≤ 0.5×' : '≤ 0.3×',
            met: ratio(p, b) <= (local ? 0.5 : 0.3),
          });
        }

        // P3 and P6's write count: one more run each as an impersonated user, so the audit log isolates its calls.
        clean('bench', 'p2');
        const who = `bench-p3-${profile}-${process.pid}`;
        must(
          kubectl(['expose-sts', 'p2', '-n', 'bench', ...lbFlags, '--as', who, '--as-group', 'system:masters']),
          'P3 run',
        );
        const calls = requestsOf(who);
        const verbs = new Map<string, number>();
        for (const c of calls) verbs.set(c.verb, (verbs.get(c.verb) ?? 0) + 1);
        const byVerb = [...verbs].map(([v, n]) => `${n} ${v}`).join(', ');
        const reads = calls.filter((c) => c.verb === 'get' || c.verb === 'list');
        const polled = new Set(reads.map((c) => c.uri)).size !== reads.length;
        if (want('P3')) {
          row({
            id: 'P3',
            profile,
            what: 'API requests of P2 (audit log)',
            measured: `${calls.length} (${byVerb})`,
            baseline: 'minimum: 100 writes + a few reads + one watch',
            ratio: `N + ${calls.length - 100}`,
            target: '≤ N + 5, no polling',
            met: calls.length <= 105 && !polled,
          });
        }
        if (want('P6')) {
          const again = `bench-p6-${profile}-${process.pid}`;
          must(
            kubectl(['expose-sts', 'p2', '-n', 'bench', ...lbFlags, '--as', again, '--as-group', 'system:masters']),
            'P6 run',
          );
          const writes = requestsOf(again).filter((c) => !['get', 'list', 'watch'].includes(c.verb)).length;
          const r6 = stats(p6);
          row({
            id: 'P6',
            profile,
            what: 're-run of P2 when nothing changed (N = 100)',
            measured: `${fmt(r6, 'ms')}, ${writes} writes`,
            baseline: `the first run: ${fmt(p, 'ms')}`,
            ratio: x(ratio(r6, p)),
            target: '≤ 0.2× and 0 writes',
            met: ratio(r6, p) <= 0.2 && writes === 0,
          });
        }
        clean('bench', 'p2');
      });
    }
    // P4's 1000 Services hold 1000 of the pool's addresses: measured in both profiles after every P2 run, which needs
    // 100 more (P2 in the second profile timed out waiting for addresses when P4's were still held).
    for (const profile of profiles) {
      rounds = profile === 'local' ? localRounds : Number(opts['remote-rounds']);
      env = { ...env, KUBECONFIG: profile === 'local' ? direct : (routes.remote as Route).kubeconfig };
      const local = profile === 'local';
      attempt(profile, ['P4', 'P8'], () => {
        setUp('P4', () => {
          progress('P4: 10 StatefulSets of 100 pods, all exposed');
          for (let i = 0; i < 10; i++) {
            createStatefulSet('bench-p4', `s${i}`, 100);
            must(kubectl(['expose-sts', `s${i}`, '-n', 'bench-p4', ...lbFlags]), `expose s${i}`);
          }
        });
        const status = () => must(kubectl(['expose-sts', 'status', '-A']), 'status');
        const get = () =>
          must(kubectl(['get', 'services', '-A', '-l', 'app.kubernetes.io/managed-by=kubectl-expose-sts']), 'get');
        const s = interleave(
          {
            plugin: status,
            kubectl: get,
            // Context, not the target's baseline: what status reads, read by hand with kubectl.
            sameReads: () => must(sh(sameReads), 'the same reads by kubectl'),
          },
          `P4 status -A (${profile})`,
        );
        const [p, k, same] = [stats(s.plugin), stats(s.kubectl), stats(s.sameReads)];
        const [pBytes, kBytes] = [bytesOf(status), bytesOf(get)];
        row({
          id: 'P4',
          profile,
          what: '`status -A` with 1000 exposed pods over 10 StatefulSets',
          measured: fmt(p, 'ms'),
          baseline: `\`kubectl get svc -A -l app.kubernetes.io/managed-by=kubectl-expose-sts\`: ${fmt(k, 'ms')}`,
          ratio: x(ratio(p, k)),
          bytes: `${kB(pBytes)} / ${kB(kBytes)}`,
          target: local ? '≤ 1.2×' : '≤ 1.0×',
          met: ratio(p, k) <= (local ? 1.2 : 1.0),
        });
        if (local || !profiles.includes('local'))
          row({
            id: 'P8',
            profile: 'either',
            what: 'bytes received by P4’s `status -A`',
            measured: kB(pBytes),
            baseline: `by that \`kubectl get svc -A -l …\`: ${kB(kBytes)}`,
            ratio: x(pBytes / kBytes),
            target: '≤ 2×',
            met: pBytes / kBytes <= 2,
          });
        row({
          id: 'P4 (context)',
          profile,
          what: 'the same, against kubectl reading what status reads',
          measured: fmt(p, 'ms'),
          baseline: `the three \`kubectl get … -A\` of services, statefulsets and pods, one after another: ${fmt(same, 'ms')}`,
          ratio: x(ratio(p, same)),
          target: '(none)',
          met: undefined,
        });
      });
    }
    env = { ...env, KUBECONFIG: direct };
    rounds = localRounds;
    // 1000 LoadBalancer Services with policy Local hold 2000 of the 2768 default node ports: free them for P5.
    if (once.has('P4')) for (let i = 0; i < 10; i++) clean('bench-p4', `s${i}`);

    if (profiles.includes('local'))
      attempt('local', ['P5'], () => {
        progress('P5: a 1000-replica StatefulSet');
        createStatefulSet('bench-p5', 'big', 1000);
        const m = manifests('bench-p5', 'big');
        const rss = { plugin: [] as number[], kubectl: [] as number[] };
        const wall = { plugin: [] as number[], kubectl: [] as number[] };
        for (let r = 0; r < rounds; r++) {
          progress(`P5: round ${r + 1}`);
          clean('bench-p5', 'big');
          const p = must(kubectl(['expose-sts', 'big', '-n', 'bench-p5', ...lbFlags]), 'expose 1000');
          clean('bench-p5', 'big');
          const k = must(kubectl(['apply', '-f', m.all]), 'apply 1000');
          rss.plugin.push(p.rssMiB);
          rss.kubectl.push(k.rssMiB);
          wall.plugin.push(p.ms);
          wall.kubectl.push(k.ms);
        }
        const [p, k] = [stats(rss.plugin), stats(rss.kubectl)];
        row({
          id: 'P5',
          profile: 'local',
          what: 'peak RSS of P2 with N = 1000 (until every address is in)',
          measured: fmt(p, 'MiB'),
          baseline: `\`kubectl apply -f\` of the same 1000 Services: ${fmt(k, 'MiB')}`,
          ratio: x(ratio(p, k)),
          target: '≤ 120 MiB and ≤ kubectl’s',
          met: p.median <= 120 && p.median <= k.median,
        });
        notes.push(
          `P5 wall time: plugin ${fmt(stats(wall.plugin), 'ms')} (including waiting for 1000 addresses), kubectl apply ${fmt(stats(wall.kubectl), 'ms')} (no waiting).`,
        );
      });
  } finally {
    for (const r of Object.values(routes)) r?.proxy.kill();
    await stopCluster(cluster);
  }
  writeResults();
}

function writeResults(): void {
  const version = (cmd: string, args: string[]) =>
    spawnSync(cmd, args, { env, encoding: 'utf8' }).stdout.trim().split('\n')[0];
  const text = `# Benchmark results

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Medians (min–max) over
${rounds} interleaved rounds unless n says otherwise; every ratio is to a baseline measured in the same run.

- Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform}/${process.arch}
- Plugin: ${version(join(pluginBinDir, 'kubectl-expose_sts'), ['--version'])} (Node ${process.version} single executable)
- Cluster: Kubernetes ${versions.kubernetes}, etcd ${versions.etcd}, kwok ${versions.kwok}; addresses from ${lb === 'metallb' ? `MetalLB ${versions.metallb}` : `the load-balancer simulator in ${lb} mode, without delay`};
  kubectl ${versions.kubernetes} for every baseline

Profiles: \`local\` connects to the API server on 127.0.0.1; \`remote\` goes through a shaping proxy adding a
${remote.rttMs} ms round trip and capping each direction at ${remote.mbit} Mbit/s (${Number(opts['remote-rounds'])} rounds). Bytes: received by the plugin's
command / by the baseline's, one run each through a counting proxy.

| # | profile | what | plugin | baseline | ratio | bytes | target | met |
|---|---|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r.id} | ${r.profile} | ${r.what} | ${r.measured} | ${r.baseline} | ${r.ratio} | ${r.bytes ?? ''} | ${r.target} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |`).join('\n')}

${notes.map((n) => `- ${n}`).join('\n')}
`;
  const file = join(root, 'bench', only ? 'RESULTS.partial.md' : 'RESULTS.md');
  writeFileSync(file, text + readAnalysis());
  progress(`wrote ${file}`);
}

/** The hand-written analysis (why a target is missed, what was tried) lives in bench/ANALYSIS.md and is appended. */
function readAnalysis(): string {
  try {
    return `\n${readFileSync(join(root, 'bench', 'ANALYSIS.md'), 'utf8')}`;
  } catch {
    return '';
  }
}

await main().catch((err: unknown) => {
  progress(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
