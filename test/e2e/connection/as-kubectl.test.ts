// The plugin connects exactly as kubectl does: each case runs the pinned kubectl (`get svc`) and the plugin
// (`expose-sts status`) on the same kubeconfig, flags and environment, and compares what the API server saw (its audit
// log: user, impersonation, namespace), whether each succeeded, and how often an exec credential plugin ran.
// docs/connection.md lists these cases beside the rules they prove.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { otherCa, signedBy } from '../../reliability/certs.ts';
import { serviceAccount } from '../../reliability/harness.ts';
import { clients, newNamespace } from '../helpers.ts';
import { both, execPlugin, type Outcome, writeKubeconfig } from './differential.ts';
import { socks5 } from './socks5.ts';

const cluster = inject('cluster');
const dir = mkdtempSync(join(tmpdir(), 'as-kubectl-'));
const port = new URL(cluster.server).port;
const ca = readFileSync(cluster.caFile).toString('base64');
let ns: string;
let other: string;
let alice: string;
let bob: string;
let carol: { cert: string; key: string };
let saDir: string;
const marker = join(dir, 'exec-runs');
const inPod = () => ({ KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port });
const user = (name: string) => `system:serviceaccount:${ns}:${name}`;

/** The same outcome, as far as a user can tell: same requests seen, same success, same exec runs. */
function expectSame({ kubectl, plugin }: { kubectl: Outcome; plugin: Outcome }, seen?: string[]) {
  const summary = (o: Outcome) => ({ ok: o.code === 0, seen: o.seen, runs: o.runs });
  expect(summary(plugin), `kubectl: ${kubectl.stderr}\nplugin: ${plugin.stderr}`).toEqual(summary(kubectl));
  if (seen) expect(plugin.seen).toEqual(seen);
  if (plugin.code !== 0) expect(plugin.stderr).toMatch(/^error: [^\n]+\n$/);
}

const run = (setup: Omit<Parameters<typeof both>[0], 'identities'>) =>
  both({ marker, ...setup, identities: ns }, ns, dir);

beforeAll(async () => {
  ns = await newNamespace('conn');
  other = await newNamespace('conn-other');
  const grant = { verb: 'list', resource: 'services' };
  ({ token: alice } = await serviceAccount(ns, 'alice', { clusterRole: 'admin' }, grant));
  ({ token: bob } = await serviceAccount(ns, 'bob', { clusterRole: 'admin' }, grant));
  carol = await signedBy({ cert: join(cluster.dir, 'ca.crt'), key: join(cluster.dir, 'ca.key') }, `carol-${ns}`);
  const { RbacAuthorizationV1Api } = await import('@kubernetes/client-node');
  await clients()
    .kc.makeApiClient(RbacAuthorizationV1Api)
    .createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'carol' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
        subjects: [{ kind: 'User', name: `carol-${ns}`, apiGroup: 'rbac.authorization.k8s.io' }],
      },
    });
  // The pod's ServiceAccount folder: alice's token, the cluster CA, the namespace.
  saDir = join(dir, 'serviceaccount');
  mkdirSync(saDir);
  writeFileSync(join(saDir, 'token'), alice);
  copyFileSync(cluster.caFile, join(saDir, 'ca.crt'));
  writeFileSync(join(saDir, 'namespace'), ns);
});

const tokenUser = (token: string) => ({ token });
const withCa = { server: cluster.server, 'certificate-authority-data': ca };

describe('inside a pod', () => {
  it('no kubeconfig: the pod ServiceAccount, in its namespace', async () => {
    const outcome = await run({ serviceAccountDir: saDir, env: inPod() });
    expectSame(outcome, [`${user('alice')} in ${ns}`]);
    expect(outcome.kubectl.stderr).toBe(`No resources found in ${ns} namespace.\n`);
    expect(outcome.plugin.stderr).toBe(`No exposed StatefulSets found in ${ns} namespace.\n`);
  });

  it('POD_NAMESPACE comes before the ServiceAccount namespace', async () => {
    expectSame(await run({ serviceAccountDir: saDir, env: { ...inPod(), POD_NAMESPACE: other } }), [
      `${user('alice')} in ${other}`,
    ]);
  });

  it('-n and --token still apply', async () => {
    expectSame(await run({ serviceAccountDir: saDir, env: inPod(), args: ['-n', other, '--token', bob] }), [
      `${user('bob')} in ${other}`,
    ]);
  });

  it("a kubeconfig whose context names no namespace: the pod's namespace, not default", async () => {
    const kubeconfig = writeKubeconfig(join(dir, 'no-ns', 'config'), { cluster: withCa, user: tokenUser(bob) });
    expectSame(await run({ serviceAccountDir: saDir, env: { ...inPod(), KUBECONFIG: kubeconfig } }), [
      `${user('bob')} in ${ns}`,
    ]);
  });

  it('outside a pod the same kubeconfig means default', async () => {
    const kubeconfig = writeKubeconfig(join(dir, 'no-ns-2', 'config'), { cluster: withCa, user: tokenUser(bob) });
    expectSame(await run({ env: { KUBECONFIG: kubeconfig } }), [`${user('bob')} in default`]);
  });
});

/** A plain-HTTP server that records the headers of what it receives and answers every request with an empty list. */
async function recorder(opts: { stall?: boolean } = {}) {
  const received: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    received.push(req.headers);
    // An empty answer of the kind asked for: a Table (as the plugin reads pods) or a List.
    const table = /as=Table/.test(String(req.headers.accept));
    const body = JSON.stringify(
      table
        ? {
            kind: 'Table',
            apiVersion: 'meta.k8s.io/v1',
            metadata: { resourceVersion: '1' },
            columnDefinitions: [],
            rows: [],
          }
        : { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] },
    );
    const gzip = /gzip/.test(String(req.headers['accept-encoding'] ?? ''));
    res.writeHead(200, { 'Content-Type': 'application/json', ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) });
    if (opts.stall) res.write(gzip ? gzipSync(body).subarray(0, 10) : body.slice(0, 10));
    else res.end(gzip ? gzipSync(body) : body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('plain http:// servers', () => {
  it('get no credentials, and no exec plugin runs', async () => {
    const server = await recorder();
    try {
      const exec = execPlugin(join(dir, 'bin', 'cred'));
      for (const u of [
        tokenUser(alice),
        { username: 'jane', password: 'secret' },
        {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: exec,
            interactiveMode: 'Never',
            env: [
              { name: 'MARKER', value: marker },
              { name: 'TOKEN', value: alice },
            ],
          },
        },
      ]) {
        server.received.length = 0;
        const kubeconfig = writeKubeconfig(join(dir, 'http', 'config'), { cluster: { server: server.url }, user: u });
        const outcome = await run({ env: { KUBECONFIG: kubeconfig } });
        expect(outcome.plugin.runs).toBe(0);
        expect(outcome.kubectl.runs).toBe(0);
        expect(server.received.length).toBeGreaterThan(0);
        expect(server.received.filter((h) => h.authorization)).toEqual([]);
      }
    } finally {
      server.close();
    }
  });

  it('both ask for gzip, the plugin reads a gzipped answer, and --disable-compression asks for none', async () => {
    const server = await recorder();
    try {
      const kubeconfig = writeKubeconfig(join(dir, 'gzip', 'config'), { cluster: { server: server.url }, user: {} });
      const { plugin } = await run({ env: { KUBECONFIG: kubeconfig } });
      expect(plugin.code, plugin.stderr).toBe(0);
      expect(new Set(server.received.map((h) => h['accept-encoding']))).toEqual(new Set(['gzip']));
      // The plugin names itself as kubectl does, for the API server's audit log and metrics.
      const own = server.received.filter((h) => !String(h['user-agent']).startsWith('kubectl/'));
      expect(own.map((h) => h['user-agent'])).toEqual(
        own.map(() => expect.stringMatching(/^kubectl-expose_sts\/v\S+ \(\w+\/\w+\)$/)),
      );
      server.received.length = 0;
      await run({ env: { KUBECONFIG: kubeconfig }, args: ['--disable-compression'] });
      // (kubectl 1.37 itself still asks for gzip in its discovery requests, the only ones it sends this server.)
      const plugins = server.received.filter((h) => !String(h['user-agent']).startsWith('kubectl/'));
      expect(plugins.length).toBeGreaterThan(0);
      expect(plugins.filter((h) => h['accept-encoding'])).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('--request-timeout covers the whole answer, not only its headers', async () => {
    const server = await recorder({ stall: true });
    try {
      const kubeconfig = writeKubeconfig(join(dir, 'stall', 'config'), { cluster: { server: server.url }, user: {} });
      const started = Date.now();
      const outcome = await run({ env: { KUBECONFIG: kubeconfig }, args: ['--request-timeout', '1s'] });
      expect(outcome.kubectl.code).not.toBe(0);
      expect(outcome.plugin.code).not.toBe(0);
      expect(outcome.plugin.stderr).toMatch(/request-timeout/);
      expect(Date.now() - started).toBeLessThan(40_000); // both gave up; neither hung until the guard
    } finally {
      server.close();
    }
  });
});

describe('TLS', () => {
  it('--certificate-authority verifies even where the kubeconfig says insecure-skip-tls-verify', async () => {
    const { cert } = await otherCa();
    const kubeconfig = writeKubeconfig(join(dir, 'insecure', 'config'), {
      cluster: { server: cluster.server, 'insecure-skip-tls-verify': true },
      user: tokenUser(alice),
      context: { namespace: ns },
    });
    expectSame(await run({ env: { KUBECONFIG: kubeconfig } }), [`${user('alice')} in ${ns}`]);
    expectSame(await run({ env: { KUBECONFIG: kubeconfig }, args: ['--certificate-authority', cert] }), []);
    expectSame(await run({ env: { KUBECONFIG: kubeconfig }, args: ['--certificate-authority', cluster.caFile] }), [
      `${user('alice')} in ${ns}`,
    ]);
  });

  it("--server drops the kubeconfig's tls-server-name, unless --tls-server-name is given too", async () => {
    const kubeconfig = writeKubeconfig(join(dir, 'sni', 'config'), {
      cluster: { ...withCa, 'tls-server-name': 'not-the-apiserver.example' },
      user: tokenUser(alice),
      context: { namespace: ns },
    });
    const env = { KUBECONFIG: kubeconfig };
    expectSame(await run({ env }), []);
    expectSame(await run({ env, args: ['--server', cluster.server] }), [`${user('alice')} in ${ns}`]);
    expectSame(await run({ env, args: ['--server', cluster.server, '--tls-server-name', 'localhost'] }), [
      `${user('alice')} in ${ns}`,
    ]);
    expectSame(await run({ env, args: ['--server', cluster.server, '--tls-server-name', 'wrong.example'] }), []);
  });

  it("a kubeconfig without a CA: the system's trust store (SSL_CERT_FILE here), not Node's bundle", async () => {
    const kubeconfig = writeKubeconfig(join(dir, 'no-ca', 'config'), {
      cluster: { server: cluster.server },
      user: tokenUser(alice),
      context: { namespace: ns },
    });
    expectSame(await run({ env: { KUBECONFIG: kubeconfig } }), []);
    expectSame(await run({ env: { KUBECONFIG: kubeconfig, SSL_CERT_FILE: cluster.caFile } }), [
      `${user('alice')} in ${ns}`,
    ]);
  });
});

describe('exec credential plugins', () => {
  const execUser = (command: string, more: object = {}, env: object = {}) => ({
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command,
      interactiveMode: 'Never',
      env: Object.entries({ MARKER: marker, TOKEN: bob, ...env }).map(([name, value]) => ({ name, value })),
      ...more,
    },
  });

  it('beside a client certificate (kubeconfig or flags) the certificate is used and the plugin never runs', async () => {
    const exec = execPlugin(join(dir, 'bin', 'cred'));
    const certUser = { 'client-certificate': carol.cert, 'client-key': carol.key, ...execUser(exec) };
    const kubeconfig = writeKubeconfig(join(dir, 'exec-cert', 'config'), {
      cluster: withCa,
      user: certUser,
      context: { namespace: ns },
    });
    expectSame(await run({ env: { KUBECONFIG: kubeconfig } }), [`carol-${ns} in ${ns}`]);
    const execOnly = writeKubeconfig(join(dir, 'exec-only', 'config'), {
      cluster: withCa,
      user: execUser(exec),
      context: { namespace: ns },
    });
    expectSame(await run({ env: { KUBECONFIG: execOnly } }), [`${user('bob')} in ${ns}`]);
    expectSame(
      await run({
        env: { KUBECONFIG: execOnly },
        args: ['--client-certificate', carol.cert, '--client-key', carol.key],
      }),
      [`carol-${ns} in ${ns}`],
    );
    expectSame(await run({ env: { KUBECONFIG: execOnly }, args: ['--token', alice] }), [`${user('alice')} in ${ns}`]);
  });

  it("a command with a folder in it is found from the kubeconfig's folder, not the current one", async () => {
    const base = join(dir, 'relative');
    execPlugin(join(base, 'bin', 'get-token'));
    const kubeconfig = writeKubeconfig(join(base, 'config'), {
      cluster: withCa,
      user: execUser('./bin/get-token'),
      context: { namespace: ns },
    });
    const outcome = await run({ env: { KUBECONFIG: kubeconfig }, cwd: dir });
    expectSame(outcome, [`${user('bob')} in ${ns}`]);
    expect(outcome.plugin.runs).toBe(1);
  });

  it('refused like kubectl: no apiVersion, an unknown one, no interactiveMode, Always without a terminal', async () => {
    const exec = execPlugin(join(dir, 'bin', 'cred'));
    for (const more of [
      { apiVersion: undefined },
      { apiVersion: 'client.authentication.k8s.io/v1alpha1' },
      { interactiveMode: undefined },
      { interactiveMode: 'Always' },
    ]) {
      const kubeconfig = writeKubeconfig(join(dir, 'exec-bad', 'config'), {
        cluster: withCa,
        user: execUser(exec, more),
        context: { namespace: ns },
      });
      const outcome = await run({ env: { KUBECONFIG: kubeconfig } });
      expectSame(outcome, []);
      expect(outcome.plugin.code, JSON.stringify(more)).toBe(1);
    }
  });

  it('a v1beta1 plugin without interactiveMode is IfAvailable, as kubectl defaults it', async () => {
    const exec = execPlugin(join(dir, 'bin', 'cred'));
    const kubeconfig = writeKubeconfig(join(dir, 'exec-beta', 'config'), {
      cluster: withCa,
      user: execUser(
        exec,
        { apiVersion: 'client.authentication.k8s.io/v1beta1', interactiveMode: undefined },
        { API_VERSION: 'client.authentication.k8s.io/v1beta1' },
      ),
      context: { namespace: ns },
    });
    expectSame(await run({ env: { KUBECONFIG: kubeconfig } }), [`${user('bob')} in ${ns}`]);
  });

  it('a 401 runs the plugin again, and what it gives then is used', async () => {
    const exec = execPlugin(join(dir, 'bin', 'cred'));
    const kubeconfig = writeKubeconfig(join(dir, 'exec-401', 'config'), {
      cluster: withCa,
      user: execUser(exec, {}, { TOKENS: `revoked ${bob} ${bob}` }),
      context: { namespace: ns },
    });
    const outcome = await run({ env: { KUBECONFIG: kubeconfig } });
    expectSame(outcome, [`${user('bob')} in ${ns}`]);
    expect(outcome.plugin.runs).toBe(2);
  });

  it("the cluster's client.authentication.k8s.io/exec extension reaches the plugin as spec.cluster.config", async () => {
    const exec = execPlugin(join(dir, 'bin', 'cred'));
    const info = join(dir, 'exec-info.json');
    const kubeconfig = writeKubeconfig(join(dir, 'exec-config', 'config'), {
      cluster: {
        ...withCa,
        extensions: [{ name: 'client.authentication.k8s.io/exec', extension: { audience: 'expose-sts', region: 'x' } }],
      },
      user: execUser(exec, { provideClusterInfo: true }, { INFO: info }),
      context: { namespace: ns },
    });
    // Each run writes the file; kubectl's is checked, then the plugin's overwrites it.
    const outcome = await run({ env: { KUBECONFIG: kubeconfig } });
    expectSame(outcome, [`${user('bob')} in ${ns}`]);
    expect(JSON.parse(readFileSync(info, 'utf8')).spec.cluster.config).toEqual({ audience: 'expose-sts', region: 'x' });
  });
});

describe('conflicts in the context in use are refused before any request, as kubectl refuses them', () => {
  const cases: [string, object, object][] = [
    ['CA file and data', { ...withCa, 'certificate-authority': 'CA' }, tokenUser('t')],
    ['insecure-skip-tls-verify and a CA', { ...withCa, 'insecure-skip-tls-verify': true }, tokenUser('t')],
    ['token and username', withCa, { token: 't', username: 'u', password: 'p' }],
    [
      'certificate file and data',
      withCa,
      { 'client-certificate': 'CERT', 'client-certificate-data': 'eA==', 'client-key': 'KEY' },
    ],
    ['certificate without key', withCa, { 'client-certificate': 'CERT' }],
  ];
  it.each(cases)('%s', async (_, clusterFields, userFields) => {
    const kubeconfig = writeKubeconfig(join(dir, 'conflict', 'config'), {
      cluster: clusterFields,
      user: userFields,
      context: { namespace: ns },
    });
    // The files it names exist, so only the conflict is wrong.
    for (const [name, from] of [
      ['CA', cluster.caFile],
      ['CERT', carol.cert],
      ['KEY', carol.key],
    ])
      copyFileSync(from, join(dir, 'conflict', name));
    const outcome = await run({ env: { KUBECONFIG: kubeconfig } });
    expectSame(outcome, []);
    expect(outcome.plugin.stderr).toMatch(/^error: invalid configuration: /);
  });

  it('a name defined twice in one file', async () => {
    const kubeconfig = writeKubeconfig(join(dir, 'twice', 'config'), {
      cluster: withCa,
      user: tokenUser(alice),
      context: { namespace: ns },
      extra: {
        clusters: [
          { name: 'c', cluster: withCa },
          { name: 'c', cluster: { server: 'https://127.0.0.1:1' } },
        ],
      },
    });
    const outcome = await run({ env: { KUBECONFIG: kubeconfig } });
    expectSame(outcome, []);
    expect(outcome.plugin.stderr).toBe(
      `error: error loading config file "${kubeconfig}": duplicate name "c" in its clusters\n`,
    );
  });
});

describe('proxies', () => {
  let proxy: Awaited<ReturnType<typeof socks5>>;
  beforeAll(async () => {
    proxy = await socks5();
  });
  afterAll(() => proxy.close());

  it('a socks5:// proxy-url carries every request', async () => {
    const kubeconfig = writeKubeconfig(join(dir, 'socks', 'config'), {
      cluster: { ...withCa, 'proxy-url': proxy.url },
      user: tokenUser(alice),
      context: { namespace: ns },
    });
    const before = proxy.connections();
    const outcome = await run({ env: { KUBECONFIG: kubeconfig } });
    expectSame(outcome, [`${user('alice')} in ${ns}`]);
    expect(proxy.connections()).toBeGreaterThan(before);
    const afterKubectlAndPlugin = proxy.connections();
    // and --proxy-url, the flag, does the same for a kubeconfig without one
    const plain = writeKubeconfig(join(dir, 'socks-flag', 'config'), {
      cluster: withCa,
      user: tokenUser(alice),
      context: { namespace: ns },
    });
    expectSame(await run({ env: { KUBECONFIG: plain }, args: ['--proxy-url', proxy.url] }), [
      `${user('alice')} in ${ns}`,
    ]);
    expect(proxy.connections()).toBeGreaterThan(afterKubectlAndPlugin);
  });
});

describe("kubectl's other connection flags", () => {
  it('--as with --as-uid impersonates that uid; --username/--password, --cache-dir are accepted', async () => {
    const admin = { env: { KUBECONFIG: cluster.kubeconfig } };
    expectSame(await run({ ...admin, args: ['-n', ns, '--as', `dave-${ns}`, '--as-uid', '1234'] }), [
      `admin as dave-${ns} (uid 1234) in ${ns}`,
    ]);
    const tokenless = writeKubeconfig(join(dir, 'basic', 'config'), {
      cluster: withCa,
      user: {},
      context: { namespace: ns },
    });
    expectSame(await run({ env: { KUBECONFIG: tokenless }, args: ['--username', 'jane', '--password', 'x'] }), []);
    expectSame(await run({ ...admin, args: ['-n', ns, '--cache-dir', join(dir, 'cache'), '--as', `erin-${ns}`] }), [
      `admin as erin-${ns} in ${ns}`,
    ]);
  });
});
