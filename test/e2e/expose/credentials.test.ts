// Credentials and transports as kubectl takes them from a kubeconfig, against the real API server: an exec credential
// plugin, a token file, impersonation with several groups, a plain-HTTP server (kubectl proxy), and a proxy-url.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { kubeconfigFor, runPlugin, serviceAccount } from '../../reliability/harness.ts';
import { statefulSet } from '../fixtures.ts';
import { clients, newNamespace, parseTable, plugin, readyStatefulSet, servicesIn, waitFor } from '../helpers.ts';

const cluster = inject('cluster');
const dir = mkdtempSync(join(tmpdir(), 'credentials-'));
let ns: string;
let token: string;

/** A kubeconfig for this cluster with the given user (and cluster fields), in the test namespace. */
const kubeconfigWith = (name: string, user: object, clusterFields: object = {}) =>
  kubeconfigFor(`creds-${name}`, user, ns, clusterFields);

beforeAll(async () => {
  ns = await newNamespace('creds');
  await readyStatefulSet(ns, statefulSet('zk', { replicas: 2 }));
  ({ token } = await serviceAccount(ns, 'operator', { clusterRole: 'admin' }, { verb: 'patch', resource: 'services' }));
});

describe('credentials', () => {
  it('an exec plugin runs once for the whole command, gets KUBERNETES_EXEC_INFO, and its token is used', async () => {
    const script = join(dir, 'credential-plugin.sh');
    writeFileSync(
      script,
      `#!/bin/sh
echo run >> "$RUNS"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$INFO"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$TOKEN"
`,
    );
    chmodSync(script, 0o755);
    const [runs, info] = [join(dir, 'runs'), join(dir, 'info.json')];
    const kubeconfig = kubeconfigWith('exec', {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: script,
        interactiveMode: 'Never',
        provideClusterInfo: true,
        env: [
          { name: 'TOKEN', value: token },
          { name: 'RUNS', value: runs },
          { name: 'INFO', value: info },
        ],
      },
    });
    const res = await runPlugin(['zk'], { kubeconfig });
    expect(res.code, res.stderr).toBe(0);
    expect(parseTable(res.stdout).map((r) => r.SERVICE)).toEqual(['zk-0', 'zk-1']);
    expect(readFileSync(runs, 'utf8')).toBe('run\n'); // one GET, two LISTs, two applies, one watch: one run
    const spec = JSON.parse(readFileSync(info, 'utf8'));
    expect(spec).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      spec: { interactive: false, cluster: { server: cluster.server } },
    });
  });

  it('an exec plugin that is not installed: one error with its install hint, nothing changed', async () => {
    const before = (await servicesIn(ns)).size;
    const kubeconfig = kubeconfigWith('exec-missing', {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: 'expose-sts-test-no-such-plugin',
        interactiveMode: 'Never',
        installHint: 'install it with\n  brew install no-such-plugin',
      },
    });
    const res = await runPlugin(['zk', '--port', '9999'], { kubeconfig });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      'error: getting credentials: exec: executable expose-sts-test-no-such-plugin not found (install it with brew install no-such-plugin)\n',
    );
    expect((await servicesIn(ns)).size).toBe(before);
  });

  it('a tokenFile, as for a projected ServiceAccount token', async () => {
    writeFileSync(join(dir, 'token'), `${token}\n`);
    const res = await runPlugin(['status'], {
      kubeconfig: kubeconfigWith('token-file', { tokenFile: join(dir, 'token') }),
    });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('zk-0');
  });

  it('several --as-group are all sent, as kubectl sends them', async () => {
    const { kc } = clients();
    const { RbacAuthorizationV1Api } = await import('@kubernetes/client-node');
    await kc.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'readers' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'Group', name: 'expose-sts-readers', apiGroup: 'rbac.authorization.k8s.io' }],
      },
    });
    const as = ['status', '-n', ns, '--as', 'jane'];
    await waitFor(
      'the RoleBinding to take effect',
      () => plugin([...as, '--as-group', 'other', '--as-group', 'expose-sts-readers']).code === 0,
    );
    const both = plugin([...as, '--as-group', 'other', '--as-group', 'expose-sts-readers']);
    expect(both.code, both.stderr).toBe(0);
    const firstOnly = plugin([...as, '--as-group', 'other']);
    expect(firstOnly.code).toBe(1);
    expect(firstOnly.stderr).toMatch(/^error: .*User "jane" cannot list resource/);
  });
});

describe('transports', () => {
  it('a plain http:// server, such as kubectl proxy serves', async () => {
    const proxy = spawn(`${cluster.binDir}/kubectl`, ['proxy', '--port', '0', '--kubeconfig', cluster.kubeconfig]);
    try {
      const port = await new Promise<string>((resolve, reject) => {
        proxy.stdout.on('data', (d: Buffer) => {
          const m = /127\.0\.0\.1:(\d+)/.exec(String(d));
          if (m) resolve(m[1]);
        });
        proxy.on('exit', () => reject(new Error('kubectl proxy exited')));
      });
      const res = plugin(['status', '-n', ns, '--server', `http://127.0.0.1:${port}`]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toContain('zk-0');
    } finally {
      proxy.kill();
    }
  });

  it("a cluster's proxy-url: every request tunnels through the HTTP proxy", async () => {
    let tunnels = 0;
    const proxy: Server = createServer();
    proxy.on('connect', (req, socket) => {
      tunnels++;
      const [host, port] = req.url!.split(':');
      const upstream = netConnect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const res = await runPlugin(['status'], {
        kubeconfig: kubeconfigWith('proxied', { token }, { 'proxy-url': url }),
      });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toContain('zk-0');
      expect(tunnels).toBeGreaterThan(0);
    } finally {
      proxy.close();
    }
  });
});
