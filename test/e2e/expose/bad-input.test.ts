// Bad input: one `error:` line that says what to do, the documented exit code, and no change in the cluster.
import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { statefulSet } from '../fixtures.ts';
import { clients, newNamespace, plugin, readyStatefulSet, servicesIn } from '../helpers.ts';

const { apps } = clients();
let ns: string;
let closedPort: number;
beforeAll(async () => {
  closedPort = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port)); // nothing listens there any more
    });
  });
  ns = await newNamespace('expose-bad');
  await readyStatefulSet(ns, statefulSet('db', { replicas: 2, sidecar: true }));
  await apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('empty', { replicas: 0 }) });
});

const snapshot = async () => [...(await servicesIn(ns)).values()].map((s) => `${s.metadata!.name}@${s.metadata!.resourceVersion}`).sort();

const cases: { name: string; args: () => string[]; code: number; error: RegExp }[] = [
  { name: 'unknown StatefulSet', args: () => ['nope', '-n', ns], code: 1, error: /^statefulset "nope" not found in namespace "expose-bad-\w+" \(kubectl get statefulsets -n expose-bad-\w+ lists them\)$/ },
  { name: 'unknown namespace', args: () => ['db', '-n', 'no-such-namespace'], code: 1, error: /^namespace "no-such-namespace" not found: check -n\/--namespace/ },
  { name: 'unknown context', args: () => ['db', '-n', ns, '--context', 'nowhere'], code: 1, error: /^context "nowhere" does not exist in the kubeconfig$/ },
  { name: 'invalid --type', args: () => ['db', '-n', ns, '--type', 'ExternalName'], code: 2, error: /^invalid argument "ExternalName" for "--type": must be one of ClusterIP, NodePort, LoadBalancer$/ },
  { name: 'invalid port', args: () => ['db', '-n', ns, '--port', '70000'], code: 2, error: /^invalid --port "70000": use PORT\[:TARGET\]\[\/PROTOCOL\]/ },
  { name: 'unknown --target-port name', args: () => ['db', '-n', ns, '--port', '80', '--target-port', 'http'], code: 1, error: /^target port "http" is not a named container port of statefulset db \(its named ports: postgres, metrics\)$/ },
  { name: 'invalid source range', args: () => ['db', '-n', ns, '--type', 'LoadBalancer', '--load-balancer-source-ranges', '10.0.0.0/40'], code: 2, error: /^invalid --load-balancer-source-ranges "10.0.0.0\/40": use CIDRs/ },
  { name: 'name template giving an invalid name', args: () => ['db', '-n', ns, '--name-template', '{pod}-' + 'x'.repeat(60)], code: 1, error: /^--name-template ".*" gives "db-0-x+" for ordinal 0, which is not a valid Service name: it must be no more than 63 characters$/ },
  { name: 'name template giving clashing names', args: () => ['db', '-n', ns, '--name-template', '{sts}-public'], code: 2, error: /^invalid --name-template "\{sts\}-public": it must contain \{pod\} or \{ordinal\}, or every pod would get the same Service name$/ },
  { name: 'policy for ClusterIP', args: () => ['db', '-n', ns, '--external-traffic-policy', 'Local'], code: 2, error: /^--external-traffic-policy applies only to --type NodePort or LoadBalancer$/ },
  { name: 'unknown flag', args: () => ['db', '-n', ns, '--tpye', 'NodePort'], code: 2, error: /^Unknown argument: tpye$/ },
  { name: 'no StatefulSet name', args: () => ['-n', ns], code: 2, error: /^a StatefulSet name is required/ },
  { name: 'unreachable API server', args: () => ['db', '-n', ns, '--server', `https://127.0.0.1:${closedPort}`, '--token', 'secret-token-abc', '--insecure-skip-tls-verify'], code: 1, error: /^cannot connect to the server https:\/\/127.0.0.1:\d+: connection refused \(is the cluster running/ },
  { name: 'user without RBAC rights', args: () => ['db', '-n', ns, '--as', 'nobody'], code: 1, error: /^statefulsets.apps "db" is forbidden: User "nobody" cannot get resource "statefulsets" in API group "apps" in the namespace "expose-bad-\w+" \(needed to get statefulsets.apps "db"/ },
];

describe('bad input', () => {
  it.each(cases)('$name', async ({ args, code, error }) => {
    const before = await snapshot();
    const res = plugin(args());
    expect(res.code, res.stderr).toBe(code);
    const errors = res.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors).toHaveLength(1);
    expect(errors[0].slice('error: '.length)).toMatch(error);
    expect(res.stdout).toBe('');
    expect(res.stderr).not.toContain('secret-token-abc');
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace at the default verbosity
    expect(await snapshot()).toEqual(before);
  });

  it('a StatefulSet with 0 replicas is nothing to do: says so and exits 0', async () => {
    const before = await snapshot();
    const res = plugin(['empty', '-n', ns]);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe(`statefulset empty has 0 replicas in namespace "${ns}": nothing to expose\n`);
    expect(await snapshot()).toEqual(before);
  });

  it('--help needs no cluster and shows kubectl-style usage with examples; --version prints the version', () => {
    const help = plugin(['--help'], { env: { KUBECONFIG: '/nonexistent' } });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Expose each pod of a StatefulSet through a Service of its own\.\n\nUsage:\n\s*kubectl expose-sts STATEFULSET \[flags\]/);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('kubectl expose-sts mydb --type LoadBalancer');
    const version = plugin(['--version']);
    expect(version.stdout).toMatch(/^expose-sts v\d+\.\d+\.\d+\n$/);
  });
});
