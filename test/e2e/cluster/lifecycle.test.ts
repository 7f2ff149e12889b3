// The entry points as a developer uses them: `cluster:up` (eval-able stdout, reuse, recovery after a crash), the
// load-balancer modes chosen at start, names with --dns, and `cluster:down` leaving nothing behind. This file runs its own cluster
// under a private record name, so the run's shared cluster is never disturbed.
import { spawnSync } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecord, restartLoadBalancer, type ClusterInfo } from '../../cluster/cluster.ts';
import { lbClasses } from '../../cluster/lb-addresses.ts';
import { isAlive } from '../../cluster/process.ts';
import { clients, kubectl, newNamespace, waitFor } from '../helpers.ts';

const name = `e2e-lifecycle-${process.pid}`;
const cliPath = fileURLToPath(new URL('../../cluster/cli.ts', import.meta.url));
const cli = (...args: string[]) => {
  const res = spawnSync(process.execPath, [cliPath, ...args], {
    encoding: 'utf8',
    env: { ...process.env, EXPOSE_STS_CLUSTER: name },
    timeout: 120_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
};
/** What `eval "$(npm run -s cluster:up)"` would set. */
const exported = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'/gm)].map((m) => [m[1], m[2]]));

afterAll(() => {
  cli('down');
});

describe('cluster:up and cluster:down', () => {
  let first: ClusterInfo;

  it('rejects a bad --lb with a usage error and starts nothing', () => {
    const res = cli('up', '--lb', 'cloudy');
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^error: invalid --lb "cloudy": use one of metallb, ip, hostname, none\n$/);
    expect(res.stdout).toBe('');
    expect(readRecord(name)).toBeUndefined();
  });

  it('starts a cluster and prints only shell lines that point kubectl at it', () => {
    const res = cli('up', '--lb', 'none');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^export KUBECONFIG='[^']+'\nexport PATH='[^']+':'[^']+\/bin':"\$PATH"\n$/);
    first = readRecord(name)!;
    expect(exported(res.stdout)).toEqual({ KUBECONFIG: first.kubeconfig, PATH: first.binDir });
    const out = kubectl(['get', 'nodes', '--no-headers'], { cluster: first });
    expect(out.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('in none mode leaves unclassed LoadBalancers pending while classed ones get addresses; hostname mode names them', async () => {
    const { core } = clients(first);
    const ns = await newNamespace('lbmode', first);
    const lb = (n: string, loadBalancerClass?: string) =>
      core.createNamespacedService({
        namespace: ns,
        body: {
          metadata: { name: n },
          spec: { type: 'LoadBalancer', loadBalancerClass, ports: [{ port: 5432 }] },
        },
      });
    const ingressOf = async (n: string) =>
      (await core.readNamespacedService({ name: n, namespace: ns })).status?.loadBalancer?.ingress;
    await lb('pending');
    await lb('classed', lbClasses.hostname);
    await waitFor('classed address', () => ingressOf('classed'));
    expect(await ingressOf('pending')).toBeUndefined();

    const next = await restartLoadBalancer(first, 'hostname');
    expect(await waitFor('hostname address', () => ingressOf('pending'))).toEqual([
      { hostname: `pending.${ns}.lb.test` },
    ]);
    first = await restartLoadBalancer(next, 'none'); // as the record says it was started
  });

  it('reuses the running cluster on a second up', () => {
    const res = cli('up', '--lb', 'none');
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(`reusing running cluster ${name}`);
    expect(exported(res.stdout).KUBECONFIG).toBe(first.kubeconfig);
  });

  it('recovers when the cluster crashed: the next up stops the leftovers and starts afresh (here with --dns)', () => {
    const apiserver = first.processes.find((p) => p.name === 'kube-apiserver')!;
    process.kill(apiserver.pid, 'SIGKILL');
    const res = cli('up', '--lb', 'none', '--dns');
    expect(res.code, res.stderr).toBe(0);
    const second = readRecord(name)!;
    expect(second.dir).not.toBe(first.dir);
    expect(existsSync(first.dir)).toBe(false);
    expect(first.processes.filter((p) => isAlive(p.pid))).toEqual([]);
    expect(kubectl(['get', 'nodes', '--no-headers'], { cluster: second }).stdout.trim().split('\n')).toHaveLength(3);
    first = second;
  });

  it('with --dns, external-dns keeps names under example.test in step with the Services, answered where up says', async () => {
    const { zone, server } = first.dns!;
    expect(cli('up', '--lb', 'none', '--dns').stderr).toContain(
      `names under ${zone} (--hostname '{pod}.${zone}') answer on ${server}`,
    );
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([server]);
    const addressOf = (name: string) =>
      resolver.resolve4(name).then(
        (a) => a.join(','),
        (e: NodeJS.ErrnoException) => e.code,
      );
    const { core } = clients(first);
    const ns = await newNamespace('names', first);
    const hostname = `named.${ns}.${zone}`;
    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'named', annotations: { 'external-dns.alpha.kubernetes.io/hostname': hostname } },
        spec: { type: 'LoadBalancer', loadBalancerClass: lbClasses.ip, ports: [{ port: 5432 }] },
      },
    });
    const ip = (await waitFor(
      'an address',
      async () =>
        (
          await core.readNamespacedService({ name: 'named', namespace: ns })
        ).status?.loadBalancer?.ingress?.[0]?.ip,
    ))!;
    // external-dns reacts to the change after its 5 s minimum between syncs.
    expect(await waitFor(`${hostname} published`, async () => (await addressOf(hostname)) === ip && ip)).toBe(ip);
    await core.deleteNamespacedService({ name: 'named', namespace: ns });
    await waitFor(`${hostname} gone`, async () => (await addressOf(hostname)) === 'ENOTFOUND');
  });

  it('down stops every process and removes the cluster’s files', () => {
    const res = cli('down');
    expect(res.code).toBe(0);
    expect(first.processes.map((p) => p.name)).toEqual(
      expect.arrayContaining(['kube-apiserver', 'lb-simulator', 'dns-etcd', 'coredns', 'external-dns']),
    );
    expect(first.processes.filter((p) => isAlive(p.pid))).toEqual([]);
    expect(existsSync(first.dir)).toBe(false);
    expect(readRecord(name)).toBeUndefined();
    expect(cli('down').stderr).toContain(`no cluster ${name} is running`);
  });
});
