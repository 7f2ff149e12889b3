// The bad-input catalogue (listed in README.md here): flags, names, kubeconfig files, namespaces, contexts, server
// URLs, wrong or expired certificates. Each case: its exit code (2 for usage, 1 otherwise), exactly one `error:` line
// that says what to do, nothing on stdout, no stack trace, no credential, and no change in the cluster.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { statefulSet } from '../e2e/fixtures.ts';
import { clients, newNamespace, readyStatefulSet, servicesIn } from '../e2e/helpers.ts';
import { otherCa, signedBy } from './certs.ts';
import type { FaultProxy } from './fault-proxy.ts';
import { errorLines, foreignObjects, proxyToCluster, runPlugin } from './harness.ts';
import { usageCases } from '../flow/usage-cases.ts';

const cluster = inject('cluster');
const { apps } = clients();
const dir = mkdtempSync(join(tmpdir(), 'bad-input-'));
const secret = 'secret-token-abc';
const longName = `l${'x'.repeat(58)}`;
const b64 = (file: string) => readFileSync(file).toString('base64');
let ns: string;
let closedPort: number;
let expiredServer: FaultProxy;
let foreign: () => Promise<Record<string, string>>;

/** The admin kubeconfig with changes, written to a file of its own. */
function kubeconfigWith(name: string, change: (kc: Record<string, any>) => void): string {
  const kc = parse(readFileSync(cluster.kubeconfig, 'utf8'));
  kc.contexts[0].context.namespace = ns;
  change(kc);
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, typeof kc === 'string' ? kc : stringify(kc));
  return path;
}

const files: Record<string, string> = {};

beforeAll(async () => {
  closedPort = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port)); // nothing listens there any more
    });
  });
  ns = await newNamespace('bad-input');
  await readyStatefulSet(ns, statefulSet('db', { replicas: 2, sidecar: true }));
  await apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('empty', { replicas: 0 }) });
  // Ordinals 998-1000 of a 59-character name: the pod name of ordinal 1000 is 64 characters, past a label's 63.
  await apps.createNamespacedStatefulSet({
    namespace: ns,
    body: statefulSet(longName, { replicas: 3, ordinalsStart: 998 }),
  });
  foreign = await foreignObjects(ns, 'db');

  const clusterCa = { cert: cluster.caFile, key: join(cluster.dir, 'ca.key') };
  const stranger = await otherCa();
  const [expiredClient, strangerClient, expiredServing] = await Promise.all([
    signedBy(clusterCa, 'admin', { org: 'system:masters', from: '20200101000000Z', to: '20200102000000Z' }),
    signedBy(stranger, 'admin', { org: 'system:masters' }),
    signedBy(clusterCa, 'kube-apiserver', { from: '20200101000000Z', to: '20200102000000Z' }),
  ]);
  expiredServer = await proxyToCluster({
    certFile: expiredServing.cert,
    keyFile: expiredServing.key,
    seed: 1,
    rate: 0,
  });
  const clientCert = (pair: { cert: string; key: string }) => (kc: Record<string, any>) => {
    kc.users[0].user = { 'client-certificate-data': b64(pair.cert), 'client-key-data': b64(pair.key) };
  };
  files.garbage = join(dir, 'garbage.yaml');
  writeFileSync(files.garbage, 'this: is: not: yaml: [');
  files.list = join(dir, 'list.yaml');
  writeFileSync(files.list, '- just\n- a list\n');
  files.noCurrent = kubeconfigWith('no-current', (kc) => delete kc['current-context']);
  files.danglingCluster = kubeconfigWith('dangling', (kc) => (kc.contexts[0].context.cluster = 'gone'));
  files.missingCertFile = kubeconfigWith(
    'missing-cert',
    (kc) =>
      (kc.users[0].user = { 'client-certificate': '/nonexistent/client.crt', 'client-key': '/nonexistent/client.key' }),
  );
  files.wrongCa = kubeconfigWith(
    'wrong-ca',
    (kc) => (kc.clusters[0].cluster['certificate-authority-data'] = b64(stranger.cert)),
  );
  files.expiredClient = kubeconfigWith('expired-client', clientCert(expiredClient));
  files.strangerClient = kubeconfigWith('stranger-client', clientCert(strangerClient));
  files.wrongToken = kubeconfigWith('wrong-token', (kc) => (kc.users[0].user = { token: secret }));
  files.expiredServer = kubeconfigWith('expired-server', (kc) => (kc.clusters[0].cluster.server = expiredServer.url));
});

afterAll(() => expiredServer.close());

interface Case {
  name: string;
  args: () => string[];
  kubeconfig?: () => string;
  code: number;
  error: RegExp;
}

const nsRe = 'bad-input-\\w+';
const cases: Case[] = [
  ...usageCases.map((c) => ({ name: c.name, args: () => c.args, code: 2, error: c.error })),
  // flags
  {
    name: '--hostname giving an invalid DNS name',
    args: () => ['db', '--type', 'NodePort', '--hostname', '{pod}_x.example.com'],
    code: 1,
    error:
      /^--hostname "\{pod\}_x.example.com" gives "db-0_x.example.com" for ordinal 0, which is not a valid DNS name: it /,
  },
  {
    name: '--publish-configmap naming a ConfigMap not managed',
    args: () => ['db', '--publish-configmap', 'db-config'],
    code: 1,
    error:
      /^configmap "db-config" already exists and is not managed by expose-sts: name another with --publish-configmap NAME; nothing was changed$/,
  },
  {
    name: 'a host name that begins with -',
    args: () => ['db', '--type', 'NodePort', '--hostname', '-{pod}.ex'],
    code: 1,
    error: /^--hostname "-\{pod\}.ex" gives "-db-0.ex" for ordinal 0, which is not a valid DNS name/,
  },
  {
    name: 'more addresses than ordinals',
    args: () => [
      'db',
      '--type',
      'LoadBalancer',
      '--load-balancer-provider',
      'metallb',
      '--load-balancer-ip',
      '198.18.2.10-198.18.2.14',
    ],
    code: 1,
    error: /^5 addresses for 2 ordinals \(0-1\): give one --load-balancer-ip per ordinal, in ordinal order$/,
  },
  // writes the API server would refuse half-way: refused whole, before the first
  {
    name: 'node port past the range',
    args: () => ['db', '--type', 'NodePort', '--node-port', 'postgres=32767'],
    code: 1,
    error: new RegExp(
      `^apply service "db-1" in namespace "${nsRe}": Service "db-1" is invalid: spec.ports\\[0\\].nodePort: Invalid value: 32768: provided port is not in the valid range.*; nothing was changed$`,
    ),
  },
  {
    name: 'a node port twice in a list',
    args: () => ['db', '--type', 'NodePort', '--node-port', 'postgres=31700,31700'],
    code: 1,
    error: /^--node-port: node port 31700 is asked for twice \(ordinals 0 and 1\): each needs its own$/,
  },
  {
    name: 'two node-port bases that overlap',
    args: () => ['db', '--type', 'NodePort', '--node-port', 'postgres=31710', '--node-port', 'metrics=31711'],
    code: 1,
    error: /^--node-port: node port 31711 is asked for twice \(ordinals 0 and 1\): each needs its own$/,
  },
  {
    name: 'a shared-address port past 65535',
    args: () => [
      'db',
      '--type',
      'LoadBalancer',
      '--shared-address',
      '--external-traffic-policy',
      'Cluster',
      '--port',
      '65535:5432',
    ],
    code: 1,
    error:
      /^--shared-address: ordinal 1 would answer on port 65536 \(65535 \+ 1\), past 65535: expose a lower port with --port$/,
  },
  {
    name: 'a pod name past a label value',
    args: () => [longName, '--name-template', 'm-{ordinal}'],
    code: 1,
    error: new RegExp(
      `^ordinal 1000 \\(service "m-1000"\\): label statefulset.kubernetes.io/pod-name value "${longName}-1000" must be at most 63 characters`,
    ),
  },
  {
    name: 'an address MetalLB does not give out',
    args: () => ['db', '--type', 'LoadBalancer', '--load-balancer-ip', '198.18.2.255-198.18.3.0'],
    code: 1,
    error:
      /^address 198.18.2.255 \(for ordinal 0\) ends in .255, which MetalLB's pool default does not give out \(avoidBuggyIPs\); nothing was changed$/,
  },
  {
    name: 'a server dry run of addresses in no pool',
    args: () => ['db', '--type', 'LoadBalancer', '--load-balancer-ip', '10.99.0.1-10.99.0.2', '--dry-run=server'],
    code: 1,
    error: /^address 10.99.0.1 \(for ordinal 0\) is in none of MetalLB's address pools/,
  },
  {
    name: 'IPv6 addresses for IPv4 Services',
    args: () => ['db', '--type', 'LoadBalancer', '--load-balancer-ip', '2001:db8::10,2001:db8::11'],
    code: 1,
    error:
      /^address 2001:db8::10 \(for ordinal 0\) is IPv6, and service "db-0" is IPv4 only \(spec.ipFamilies\): ask for IPv4 addresses; nothing was changed$/,
  },
  {
    name: 'status of a StatefulSet that is not there',
    args: () => ['status', 'nope'],
    code: 1,
    error: new RegExp(`^statefulset "nope" not found in namespace "${nsRe}"`),
  },
  {
    name: 'prune of a StatefulSet that is not there',
    args: () => ['prune', 'nope', '--all'],
    code: 1,
    error: new RegExp(`^statefulset "nope" not found in namespace "${nsRe}"`),
  },
  // names
  {
    name: 'unknown StatefulSet',
    args: () => ['nope'],
    code: 1,
    error: new RegExp(
      `^statefulset "nope" not found in namespace "${nsRe}" \\(kubectl get statefulsets -n ${nsRe} lists them\\)$`,
    ),
  },
  {
    name: 'unknown --target-port name',
    args: () => ['db', '--port', '80', '--target-port', 'http'],
    code: 1,
    error:
      /^target port "http" is not a named container port of statefulset db \(its named ports: postgres, metrics\)$/,
  },
  {
    name: 'name template giving an invalid name',
    args: () => ['db', '--name-template', `{pod}-${'x'.repeat(60)}`],
    code: 1,
    error:
      /^--name-template ".*" gives "db-0-x+" for ordinal 0, which is not a valid Service name: it must be no more than 63 characters$/,
  },
  // namespaces
  {
    name: 'unknown namespace',
    args: () => ['db', '-n', 'no-such-namespace'],
    code: 1,
    error: /^namespace "no-such-namespace" not found: check -n\/--namespace/,
  },
  // kubeconfig files
  {
    name: '--kubeconfig that does not exist',
    args: () => ['db', '--kubeconfig', '/nonexistent/config'],
    code: 1,
    error: /^stat \/nonexistent\/config: no such file or directory \(from --kubeconfig\)$/,
  },
  {
    name: 'kubeconfig that is not YAML',
    args: () => ['db'],
    kubeconfig: () => files.garbage,
    code: 1,
    error: /^cannot read kubeconfig .*garbage.yaml: Nested mappings are not allowed/,
  },
  {
    name: 'kubeconfig that is not a kubeconfig',
    args: () => ['db'],
    kubeconfig: () => files.list,
    code: 1,
    error: /^kubeconfig .*list.yaml is not a kubeconfig file$/,
  },
  {
    name: 'kubeconfig without a current context',
    args: () => ['db'],
    kubeconfig: () => files.noCurrent,
    code: 1,
    error: /^the kubeconfig has no current context: use --context, or kubectl config use-context NAME$/,
  },
  {
    name: 'context naming a missing cluster',
    args: () => ['db'],
    kubeconfig: () => files.danglingCluster,
    code: 1,
    error: /^context ".*" refers to cluster "gone", which does not exist in the kubeconfig$/,
  },
  {
    name: 'client certificate file missing',
    args: () => ['db'],
    kubeconfig: () => files.missingCertFile,
    code: 1,
    error:
      /^unable to read client-certificate \/nonexistent\/client\.crt for user "admin": no such file \(fix the kubeconfig or the flag that names it\)$/,
  },
  // contexts, clusters, users
  {
    name: 'unknown --context',
    args: () => ['db', '--context', 'nowhere'],
    code: 1,
    error: /^context "nowhere" does not exist in the kubeconfig$/,
  },
  {
    name: 'unknown --cluster',
    args: () => ['db', '--cluster', 'nowhere'],
    code: 1,
    error: /^cluster "nowhere" does not exist in the kubeconfig$/,
  },
  {
    name: 'unknown --user',
    args: () => ['db', '--user', 'nobody'],
    code: 1,
    error: /^user "nobody" does not exist in the kubeconfig$/,
  },
  // server URLs
  {
    name: 'nothing listening at the server',
    args: () => ['db', '--server', `https://127.0.0.1:${closedPort}`, '--token', secret, '--insecure-skip-tls-verify'],
    code: 1,
    error: /^cannot connect to the server https:\/\/127.0.0.1:\d+: connection refused \(is the cluster running/,
  },
  {
    name: 'server host that does not resolve',
    args: () => ['db', '--server', 'https://no-such-host.invalid:6443', '--insecure-skip-tls-verify'],
    code: 1,
    error: /^cannot connect to the server https:\/\/no-such-host.invalid:6443: (no such host|host name lookup failed)/,
  },
  {
    name: 'plain http:// to a TLS server',
    args: () => ['db', '--server', cluster.server.replace(/^https:/, 'http:')],
    code: 1,
    error: /^the server http:\/\/127.0.0.1:\d+ speaks HTTPS: use https:\/\/ in the server URL$/,
  },
  {
    name: 'server URL that is not a URL',
    args: () => ['db', '--server', 'not a url'],
    code: 1,
    error: /^invalid server URL "not a url" \(from --server\): use https:\/\/HOST\[:PORT\]$/,
  },
  // certificates and credentials
  {
    name: 'server certificate from an unknown CA',
    args: () => ['db'],
    kubeconfig: () => files.wrongCa,
    code: 1,
    error:
      /^cannot verify the certificate of https:\/\/127.0.0.1:\d+: .*\(check the kubeconfig's certificate-authority/,
  },
  {
    name: 'expired server certificate',
    args: () => ['db'],
    kubeconfig: () => files.expiredServer,
    code: 1,
    error: /^cannot verify the certificate of https:\/\/127.0.0.1:\d+: certificate has expired/,
  },
  {
    name: 'expired client certificate',
    args: () => ['db'],
    kubeconfig: () => files.expiredClient,
    code: 1,
    error:
      /^you must be logged in to the server \(Unauthorized\): the credentials for https:\/\/127.0.0.1:\d+ were refused/,
  },
  {
    name: 'client certificate from an unknown CA',
    args: () => ['db'],
    kubeconfig: () => files.strangerClient,
    code: 1,
    error: /^you must be logged in to the server \(Unauthorized\)/,
  },
  {
    name: 'token the server does not know',
    args: () => ['db'],
    kubeconfig: () => files.wrongToken,
    code: 1,
    error: /^you must be logged in to the server \(Unauthorized\)/,
  },
  {
    name: 'user without RBAC rights',
    args: () => ['db', '--as', 'nobody'],
    code: 1,
    error: new RegExp(
      `^statefulsets.apps "db" is forbidden: User "nobody" cannot get resource "statefulsets" in API group "apps" in the namespace "${nsRe}" \\(needed to get statefulsets.apps "db"`,
    ),
  },
];

const snapshot = async () => ({
  services: [...(await servicesIn(ns)).values()]
    .map((s) => `${s.metadata!.name}@${s.metadata!.resourceVersion}`)
    .sort(),
  foreign: await foreign(),
});

describe('bad input', () => {
  it('the catalogue has at least 30 cases, each listed in test/reliability/README.md', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const table = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    for (const c of cases) expect(table, c.name).toContain(`| ${c.name} |`);
  });

  it.each(cases)('$name', async ({ args, kubeconfig, code, error }) => {
    const before = await snapshot();
    // The namespace comes from the kubeconfig's context unless a case says otherwise.
    const kc = kubeconfig?.() ?? kubeconfigWith('admin-in-ns', () => undefined);
    const res = await runPlugin(args(), { kubeconfig: kc });
    expect(res.code, res.stderr).toBe(code);
    const errors = errorLines(res.stderr);
    expect(errors, res.stderr).toHaveLength(1);
    expect(errors[0].slice('error: '.length)).toMatch(error);
    expect(res.stdout).toBe('');
    expect(res.stderr).not.toContain(secret);
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace at the default verbosity
    expect(await snapshot()).toEqual(before);
  });

  it("speaks kubectl's words: help COMMAND, the subcommand's help in usage errors, no stack trace at -v 9", async () => {
    const kc = kubeconfigWith('admin-in-ns', () => undefined);
    const help = await runPlugin(['help', 'status'], { kubeconfig: kc });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Show what is exposed, where it answers, and what has drifted\./);
    const usage = await runPlugin(['status', 'db', '--type', 'NodePort'], { kubeconfig: kc });
    expect(usage.stderr).toBe("error: unknown flag: --type\nSee 'kubectl expose-sts status --help' for usage.\n");
    const missing = await runPlugin(['nope', '-v', '9'], { kubeconfig: kc });
    expect(missing.code).toBe(1);
    expect(errorLines(missing.stderr)).toHaveLength(1);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    expect(missing.stderr).not.toContain('undefined');
  });

  it('takes every connection flag kubectl options lists: --as-user-extra is sent as kubectl sends it', async () => {
    const kc = kubeconfigWith('admin-in-ns', () => undefined);
    const res = await runPlugin(
      [
        'status',
        'db',
        '-v=8',
        '--as',
        'jane',
        '--as-group',
        'system:masters',
        '--as-user-extra',
        'scopes=view',
        '--vmodule',
        'x=2',
        '--log-flush-frequency',
        '1s',
        '--match-server-version',
        '--profile',
        'none',
      ],
      { kubeconfig: kc },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/^ {4}impersonate-extra-scopes: view$/im);
  });

  it('a StatefulSet with 0 replicas is nothing to do: says so and exits 0', async () => {
    const before = await snapshot();
    const res = await runPlugin(['empty'], { kubeconfig: kubeconfigWith('admin-in-ns', () => undefined) });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe(`statefulset empty has 0 replicas in namespace "${ns}": nothing to expose\n`);
    expect(await snapshot()).toEqual(before);
  });

  it('--help needs no cluster and shows kubectl-style help with examples; --version prints the version', async () => {
    const help = await runPlugin(['--help'], { kubeconfig: '/nonexistent' });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Expose each pod of a StatefulSet through a Service of its own\.\n\n /);
    expect(help.stdout).toContain(
      '\nExamples:\n  # Give every pod of StatefulSet mydb its own load balancer and wait for the addresses\n  kubectl expose-sts mydb --type LoadBalancer\n',
    );
    expect(help.stdout).toContain('\nOptions:\n    --adopt=false:\n\tTake over Services');
    expect(help.stdout).toContain('\nUsage:\n  kubectl expose-sts STATEFULSET [options]\n');
    expect(help.stdout).toMatch(
      /\nUse "kubectl expose-sts options" for a list of global command-line options \(applies to all commands\)\.\n$/,
    );
    const options = await runPlugin(['options'], { kubeconfig: '/nonexistent' });
    expect(options.stdout).toMatch(
      /^The following options can be passed to any command:\n\n {4}--as='':\n\tUsername to impersonate/,
    );
    expect(options.stdout).toContain(
      "\n    -n, --namespace='':\n\tIf present, the namespace scope for this CLI request\n",
    );
    const version = await runPlugin(['--version'], { kubeconfig: '/nonexistent' });
    expect(version.stdout).toMatch(/^expose-sts v\d+\.\d+\.\d+\n$/);
  });
});
