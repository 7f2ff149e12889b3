// Every run tells the truth and finishes whole, against the real control plane with MetalLB: an address is printed,
// published or counted only once the load balancer shows it for the Services as this run wrote them; re-runs
// converge (a hand-edited port, an adopted Service, a changed --name-template, a ConfigMap no longer asked for); a
// re-run without flags keeps the exposure; a client dry run says what apply would. Addresses come from 198.18.1.0/24
// of MetalLB's default pool, which no other test asks for.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { lbClasses } from '../cluster/lb-addresses.ts';
import { statefulSet } from '../e2e/fixtures.ts';
import {
  clients,
  kubectl,
  lbArgs,
  newNamespace,
  parseTable,
  plugin,
  readyStatefulSet,
  servicesIn,
} from '../e2e/helpers.ts';
import { errorLines, runPlugin } from './harness.ts';

const { core } = clients();
let ns: string;

beforeAll(async () => {
  ns = await newNamespace('truth');
  await readyStatefulSet(ns, statefulSet('db', { replicas: 2 }));
  await readyStatefulSet(ns, statefulSet('two', { replicas: 2 }));
});

const expose = (...more: string[]) => plugin([...lbArgs('db', '-n', ns), ...more]);
const endpoints = (stdout: string) => parseTable(stdout).map((r) => `${r.ENDPOINT} ${r.READY}`);
const addresses = async (name = 'db') =>
  [...(await servicesIn(ns)).values()]
    .filter((s) => s.metadata?.labels?.['expose-sts.io/statefulset'] === name)
    .sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!))
    .map((s) => s.status?.loadBalancer?.ingress?.[0]?.ip);
const configMap = async (name: string) => (await core.readNamespacedConfigMap({ name, namespace: ns })).data;
const prune = () => plugin(['prune', 'db', '-n', ns, '--all']);

describe('the table is the truth', () => {
  it('a re-run asking for other addresses prints, lists and publishes the new ones, never the old', async () => {
    const first = expose('--load-balancer-ip', '198.18.1.10-198.18.1.11', '--publish-configmap');
    expect(first.code, first.stderr).toBe(0);
    const second = expose('--load-balancer-ip', '198.18.1.20-198.18.1.21', '--publish-configmap');
    expect(second.code, second.stderr).toBe(0);
    expect(endpoints(second.stdout)).toEqual(['198.18.1.20:5432 true', '198.18.1.21:5432 true']);
    expect(await configMap('db-endpoints')).toMatchObject({ endpoints: '198.18.1.20:5432,198.18.1.21:5432' });
    // Swapped: each Service moves to the other's address, and only then is it printed.
    const swapped = expose('--load-balancer-ip', '198.18.1.21,198.18.1.20', '-o', 'endpoints');
    expect(swapped.code, swapped.stderr).toBe(0);
    expect(swapped.stdout).toBe('198.18.1.21:5432,198.18.1.20:5432\n');
    expect(await addresses()).toEqual(['198.18.1.21', '198.18.1.20']);
    expect(prune().code).toBe(0);
  });

  it('dropping --shared-address waits until each member has an address of its own', async () => {
    const shared = expose('--shared-address', '--external-traffic-policy', 'Cluster');
    expect(shared.code, shared.stderr).toBe(0);
    const [a, b] = await addresses();
    expect(a).toBe(b);
    const apart = expose();
    expect(apart.code, apart.stderr).toBe(0);
    const printed = parseTable(apart.stdout).map((r) => r.ENDPOINT.split(':')[0]);
    expect(new Set(printed).size).toBe(2);
    expect(await addresses()).toEqual(printed);
    expect(prune().code).toBe(0);
  });

  it('a load balancer that gives another address than the one asked for fails the run with that reason', async () => {
    // The simulator's class hands out its own addresses whatever spec.loadBalancerIP asks for.
    const res = plugin([
      ...lbArgs('two', '-n', ns),
      '--load-balancer-class',
      lbClasses.ip,
      '--load-balancer-provider',
      'generic',
      '--load-balancer-ip',
      '192.0.2.10-192.0.2.11',
      '-o',
      'endpoints',
      '--timeout',
      '30s',
    ]);
    expect(res.code).toBe(1);
    expect(errorLines(res.stderr)).toEqual([
      expect.stringMatching(
        /^error: the load balancer gave service two-\d 203\.0\.113\.\d+, not the requested 192\.0\.2\.1\d: .*; the unconfirmed addresses are not printed$/,
      ),
    ]);
    expect(res.stdout).not.toMatch(/203\.0\.113/);
    expect(plugin(['prune', 'two', '-n', ns, '--all']).code).toBe(0);
  });

  it('two runs at once asking for different addresses: neither prints an address the other asked for', async () => {
    const args = (range: string) => [
      ...lbArgs('db', '-n', ns),
      '--load-balancer-ip',
      range,
      '-o',
      'endpoints',
      '--timeout',
      '30s',
    ];
    const kubeconfig = inject('cluster').kubeconfig;
    const [one, other] = await Promise.all([
      runPlugin(args('198.18.1.30-198.18.1.31'), { kubeconfig }),
      runPlugin(args('198.18.1.40-198.18.1.41'), { kubeconfig }),
    ]);
    for (const [res, range] of [
      [one, /^198\.18\.1\.3[01]:5432,198\.18\.1\.3[01]:5432\n$/],
      [other, /^198\.18\.1\.4[01]:5432,198\.18\.1\.4[01]:5432\n$/],
    ] as const) {
      if (res.code === 0) expect(res.stdout).toMatch(range);
      else expect(res.stderr).toMatch(/changed by another writer|not the requested/);
    }
    expect(prune().code).toBe(0);
  });
});

describe('re-runs converge', () => {
  it('a port changed by hand is restored, with or without --adopt, and the Service is not Modified after', async () => {
    expect(plugin(['db', '-n', ns, '--type', 'NodePort']).code).toBe(0);
    const edit = kubectl([
      'patch',
      'service',
      'db-1',
      '-n',
      ns,
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/ports/0/port","value":6543}]',
    ]);
    expect(edit.code, edit.stderr).toBe(0);
    expect(parseTable(plugin(['status', 'db', '-n', ns]).stdout.split('\n\n')[0]).map((r) => r.STATE)).toEqual([
      'Ready',
      'Modified',
    ]);
    const again = plugin(['db', '-n', ns, '--type', 'NodePort']);
    expect(again.code, again.stderr).toBe(0);
    const ports = (await servicesIn(ns)).get('db-1')!.spec!.ports!.map((p) => p.port);
    expect(ports).toEqual([5432]);
    const status = plugin(['status', 'db', '-n', ns, '--exit-code']);
    expect(status.code, status.stdout).toBe(0);
    expect(prune().code).toBe(0);
  });

  it('an adopted Service is expose-sts’s afterwards: status --exit-code passes', async () => {
    const made = kubectl(['create', 'service', 'clusterip', 'db-0', '-n', ns, '--tcp', '5432:5432']);
    expect(made.code, made.stderr).toBe(0);
    const adopted = plugin(['db', '-n', ns, '--adopt']);
    expect(adopted.code, adopted.stderr).toBe(0);
    const status = plugin(['status', 'db', '-n', ns, '--exit-code']);
    expect(status.code, status.stdout).toBe(0);
    expect(prune().code).toBe(0);
  });

  it('a changed --load-balancer-class is one error naming the way through, before any write', async () => {
    expect(expose().code).toBe(0);
    const before = await servicesIn(ns);
    const res = expose('--load-balancer-class', lbClasses.ip);
    expect(res.code).toBe(1);
    expect(errorLines(res.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `may not change once set: these Services must be made anew, so prune them first \\(kubectl expose-sts prune db -n ${ns} --all\\) and run this command again;.*; nothing was changed$`,
        ),
      ),
    ]);
    const after = await servicesIn(ns);
    expect([...after.values()].map((s) => s.metadata?.resourceVersion)).toEqual(
      [...before.values()].map((s) => s.metadata?.resourceVersion),
    );
    expect(prune().code).toBe(0);
  });

  it('Services of a previous --name-template are Orphaned in status and deleted by prune', async () => {
    expect(plugin(['db', '-n', ns]).code).toBe(0);
    expect(plugin(['db', '-n', ns, '--name-template', '{pod}-external']).code).toBe(0);
    const status = parseTable(plugin(['status', 'db', '-n', ns]).stdout.split('\n\n')[0]);
    expect(status.map((r) => `${r.SERVICE} ${r.STATE}`)).toEqual([
      'db-0 Orphaned',
      'db-0-external Ready',
      'db-1 Orphaned',
      'db-1-external Ready',
    ]);
    expect(plugin(['prune', 'db', '-n', ns]).stdout).toBe('service/db-0 deleted\nservice/db-1 deleted\n');
    expect([...(await servicesIn(ns)).keys()].filter((n) => n.startsWith('db-')).sort()).toEqual([
      'db-0-external',
      'db-1-external',
    ]);
    expect(prune().code).toBe(0);
  });

  it('a ConfigMap no longer asked for is shown by status and deleted by prune', async () => {
    expect(plugin(['db', '-n', ns, '--publish-configmap']).code).toBe(0);
    // Flags without --publish-configmap (without any, the run keeps the Services and their ConfigMap).
    expect(plugin(['db', '-n', ns, '--type', 'ClusterIP']).code).toBe(0);
    const status = plugin(['status', 'db', '-n', ns, '--exit-code']);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(
      `configmap db-endpoints is published by no Service of statefulset db any more (kubectl expose-sts prune db -n ${ns} deletes it)`,
    );
    expect(plugin(['prune', 'db', '-n', ns]).stdout).toBe('configmap/db-endpoints deleted\n');
    expect(prune().code).toBe(0);
  });
});

describe('a re-run never undoes an exposure by omission', () => {
  it('without flags it keeps the Services as they are, waits for their addresses and writes the ConfigMap again', async () => {
    expect(expose('--publish-configmap').code).toBe(0);
    const before = await addresses();
    await core.deleteNamespacedConfigMap({ name: 'db-endpoints', namespace: ns });
    const again = plugin(['db', '-n', ns]);
    expect(again.code, again.stderr).toBe(0);
    expect(parseTable(again.stdout).map((r) => r.TYPE)).toEqual(['LoadBalancer', 'LoadBalancer']);
    expect(await addresses()).toEqual(before);
    expect((await configMap('db-endpoints'))?.endpoints).toBe(before.map((ip) => `${ip}:5432`).join(','));
    // With some flags but not --type, a LoadBalancer Service is not made ClusterIP: the run says which flag keeps it.
    const partial = plugin(['db', '-n', ns, '--labels', 'team=a']);
    expect(partial.code).toBe(2);
    expect(errorLines(partial.stderr)).toEqual([
      'error: service "db-0" is a LoadBalancer Service, and without --type this run would make it ClusterIP, releasing its address: give --type LoadBalancer to keep it so, or --type ClusterIP to change it',
    ]);
    expect(await addresses()).toEqual(before);
    expect(prune().code).toBe(0);
  });
});

describe('--dry-run=client says what kubectl apply --dry-run=client would', () => {
  it('unchanged and configured for Services that exist, and the ConfigMap the run would write', async () => {
    expect(plugin(['db', '-n', ns, '--publish-configmap']).code).toBe(0);
    const same = plugin(['db', '-n', ns, '--publish-configmap', '--dry-run=client']);
    expect(same.stdout).toBe(
      'service/db-0 unchanged (dry run)\nservice/db-1 unchanged (dry run)\nconfigmap/db-endpoints unchanged (dry run)\n',
    );
    const changed = plugin([
      'db',
      '-n',
      ns,
      '--publish-configmap',
      '--labels',
      'team=a',
      '--dry-run=client',
      '-o',
      'name',
    ]);
    expect(changed.stdout).toBe('service/db-0\nservice/db-1\nconfigmap/db-endpoints\n');
    const named = plugin(['db', '-n', ns, '--publish-configmap', '--labels', 'team=a', '--dry-run=client']);
    expect(named.stdout).toBe(
      'service/db-0 configured (dry run)\nservice/db-1 configured (dry run)\nconfigmap/db-endpoints unchanged (dry run)\n',
    );
    expect(prune().code).toBe(0);
  });
});
