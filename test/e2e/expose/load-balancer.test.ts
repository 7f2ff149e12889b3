// expose --type LoadBalancer through kubectl: addresses from the simulated cloud, one watch, and a clear timeout.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { lbClasses } from '../../cluster/lb-addresses.ts';
import { statefulSet } from '../fixtures.ts';
import { lbArgs, newNamespace, parseTable, plugin, pluginBinDir, readyStatefulSet, servicesIn } from '../helpers.ts';

let ns: string;
beforeAll(async () => {
  ns = await newNamespace('expose-lb');
  await readyStatefulSet(ns, statefulSet('pg', { volume: true, initContainer: true, sidecar: true }));
});

describe('kubectl expose-sts --type LoadBalancer', () => {
  it('waits for every address and prints ordinal, pod, service, type, endpoint with all ports, and readiness', async () => {
    const res = plugin([
      'pg',
      '-n',
      ns,
      '--type',
      'LoadBalancer',
      '--load-balancer-class',
      lbClasses.ip,
      '--load-balancer-source-ranges',
      '198.51.100.0/24',
    ]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const rows = parseTable(res.stdout);
    expect(rows.map((r) => [r.ORDINAL, r.POD, r.SERVICE, r.TYPE, r.READY])).toEqual([
      ['0', 'pg-0', 'pg-0', 'LoadBalancer', 'true'],
      ['1', 'pg-1', 'pg-1', 'LoadBalancer', 'true'],
      ['2', 'pg-2', 'pg-2', 'LoadBalancer', 'true'],
    ]);
    const services = await servicesIn(ns);
    for (const r of rows) {
      const svc = services.get(r.SERVICE)!;
      const ip = svc.status!.loadBalancer!.ingress![0].ip!;
      expect(ip).toMatch(/^203\.0\.113\./);
      expect(r.ENDPOINT).toBe(`${ip}:5432`);
      expect(svc.spec!.externalTrafficPolicy).toBe('Local');
      expect(svc.spec!.selector).toEqual({ 'statefulset.kubernetes.io/pod-name': r.POD });
      expect(svc.spec!.loadBalancerSourceRanges).toEqual(['198.51.100.0/24']);
      expect(svc.spec!.healthCheckNodePort).toBeGreaterThan(0);
    }
    expect(new Set(rows.map((r) => r.ENDPOINT)).size).toBe(3);
  });

  it('shows hostnames, AWS style, and warns when the load balancers are open to the world', async () => {
    const res = plugin([
      'pg',
      '-n',
      ns,
      '--type',
      'LoadBalancer',
      '--load-balancer-class',
      lbClasses.hostname,
      '--name-template',
      '{pod}-public',
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe(
      'warning: no --load-balancer-source-ranges: these load balancers accept connections from any address\n',
    );
    expect(parseTable(res.stdout).map((r) => [r.SERVICE, r.ENDPOINT])).toEqual(
      [0, 1, 2].map((i) => [`pg-${i}-public`, `pg-${i}-public.${ns}.lb.test:5432`]),
    );
  });

  it('times out with exit 1, still prints the table with <pending> rows, and names the likely causes', () => {
    const res = plugin(
      lbArgs(
        'pg',
        '-n',
        ns,
        '--load-balancer-class',
        'example.com/nobody',
        '--name-template',
        '{pod}-nobody',
        '--timeout',
        '2s',
      ),
    );
    expect(res.code).toBe(1);
    expect(parseTable(res.stdout).map((r) => r.ENDPOINT)).toEqual(['<pending>', '<pending>', '<pending>']);
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: timed out after 2 s waiting for load-balancer addresses of 3 of 3 services \(pg-0-nobody, pg-1-nobody, pg-2-nobody\); likely causes: no load-balancer controller .* no controller serving --load-balancer-class example.com\/nobody/,
    );
  });

  it('says why addresses do not come when the load balancer says it: MetalLB’s Event, while waiting and as the cause', () => {
    // An address outside every pool, asked for by annotation: MetalLB refuses each Service with the same Warning.
    const res = plugin(
      lbArgs(
        'pg',
        '-n',
        ns,
        '--name-template',
        '{pod}-refused',
        '--annotations',
        'metallb.io/loadBalancerIPs=192.0.2.99',
        '--timeout',
        '3s',
      ),
    );
    expect(res.code).toBe(1);
    const reason = 'Failed to allocate IP: ["192.0.2.99"] is not allowed in config';
    // A refusal ends the run at once with its reason rather than waiting out the timeout (the issue names this).
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(
      /^error: service pg-\d-refused: Failed to allocate IP for "[\w-]+\/pg-\d-refused": \["192\.0\.2\.99"\] is not allowed in config; the unconfirmed addresses are not printed$/,
    );
    for (const line of lines.slice(0, -1))
      expect(line).toMatch(
        new RegExp(`^warning: pg-\\d-refused(, pg-\\d-refused)*: ${reason.replace(/[[\]().]/g, '\\$&')}$`),
      );
    const status = plugin(['status', 'pg', '-n', ns, '-o', 'wide']);
    const refused = parseTable(status.stdout.split('\n\n')[0]).filter((r) => r.SERVICE.endsWith('-refused'));
    expect(refused.map((r) => [r.STATE, r.REASON])).toEqual(
      refused.map(() => ['Pending', `no load-balancer address yet (requested 192.0.2.99): ${reason}`]),
    );
  });

  it('with --wait=false returns at once with the Services created', () => {
    const res = plugin(
      lbArgs(
        'pg',
        '-n',
        ns,
        '--load-balancer-class',
        'example.com/nobody',
        '--name-template',
        '{pod}-nowait',
        '--wait=false',
      ),
    );
    expect(res.code, res.stderr).toBe(0);
    expect(parseTable(res.stdout).map((r) => r.ENDPOINT)).toEqual(['<pending>', '<pending>', '<pending>']);
  });

  it('shows a spinner with the count of addresses only on a terminal, in colour unless NO_COLOR is set', () => {
    const cluster = inject('cluster');
    // script(1) gives the plugin a pseudo-terminal, as a person's shell would.
    const onTerminal = (extra: Record<string, string>) =>
      spawnSync(
        'script',
        [
          '-qec',
          `stty cols 100; kubectl expose-sts pg -n ${ns} --type LoadBalancer --load-balancer-class example.com/nobody --name-template {pod}-tty ` +
            '--load-balancer-source-ranges 10.0.0.0/8 --timeout 1s',
          '/dev/null',
        ],
        {
          encoding: 'utf8',
          env: {
            PATH: `${pluginBinDir}:${cluster.binDir}:/usr/bin:/bin`,
            HOME: process.env.HOME,
            KUBECONFIG: cluster.kubeconfig,
            TERM: 'xterm',
            ...extra,
          },
        },
      ).stdout;
    const coloured = onTerminal({});
    expect(coloured).toContain('waiting for load-balancer addresses 0/3');
    expect(coloured).toContain('\x1b[36m');
    const plain = onTerminal({ NO_COLOR: '1' });
    expect(plain).toContain('waiting for load-balancer addresses 0/3');
    expect(plain).not.toContain('\x1b[36m');
  });
});
