// What stays put per ordinal, proven on MetalLB and the API server's own node-port allocation: --load-balancer-ip and
// --node-port give each ordinal its own, a re-run writes nothing, and whatever cannot be had (too few, outside every
// pool, taken, a cloud that takes no address) is one error before any write. Per-ordinal annotation and label values.
import { beforeAll, describe, expect, it } from 'vitest';
import { statefulSet } from '../fixtures.ts';
import {
  lbArgs,
  clients,
  newNamespace,
  parseTable,
  plugin,
  readyStatefulSet,
  servicesIn,
  waitFor,
} from '../helpers.ts';

const { apps, core } = clients();
let ns: string;
let other: string;
// A block of MetalLB's default pool (198.18.0.0/22) that nothing else in the test run asks for or reaches.
const block = (from: number, to: number) => `198.18.3.${from}-198.18.3.${to}`;
beforeAll(async () => {
  [ns, other] = await Promise.all([newNamespace('expose-addr'), newNamespace('expose-addr-other')]);
  await readyStatefulSet(ns, statefulSet('kafka', { replicas: 3 }));
});

const lb = lbArgs('kafka');
const versions = async () => new Map([...(await servicesIn(ns))].map(([n, s]) => [n, s.metadata!.resourceVersion]));

describe('--load-balancer-ip', () => {
  it('gives each ordinal its address, in ordinal order, and a re-run writes nothing', async () => {
    const res = plugin([...lb, '-n', ns, '--load-balancer-ip', block(100, 102)]);
    expect(res.code, res.stderr).toBe(0);
    expect(parseTable(res.stdout).map((r) => [r.ORDINAL, r.ENDPOINT])).toEqual([
      ['0', '198.18.3.100:5432'],
      ['1', '198.18.3.101:5432'],
      ['2', '198.18.3.102:5432'],
    ]);
    // MetalLB was found from its API and asked its own way.
    expect((await servicesIn(ns)).get('kafka-1')!.metadata!.annotations).toMatchObject({
      'metallb.io/loadBalancerIPs': '198.18.3.101',
    });

    const before = await versions();
    const again = plugin([
      ...lb,
      '-n',
      ns,
      '--load-balancer-ip',
      '198.18.3.100,198.18.3.101',
      '--load-balancer-ip',
      '198.18.3.102',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(await versions()).toEqual(before);
    const status = plugin(['status', 'kafka', '-n', ns]);
    expect(status.stdout).toContain('statefulset kafka: 3 Ready');
  });

  it('refuses, before any write, what cannot be had: too few for a scale-up, outside every pool, taken, a cloud that takes none', async () => {
    await apps.patchNamespacedStatefulSetScale({
      name: 'kafka',
      namespace: ns,
      body: [{ op: 'replace', path: '/spec/replicas', value: 4 }],
    });
    await waitFor('pod kafka-3', async () => (await core.listNamespacedPod({ namespace: ns })).items.length === 4);
    await core.createNamespacedService({
      namespace: other,
      body: { metadata: { name: 'holder' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
    });
    const held = await waitFor(
      'an address for holder',
      async () =>
        (await core.readNamespacedService({ name: 'holder', namespace: other })).status?.loadBalancer?.ingress?.[0]?.ip,
    );
    const before = await versions();
    const cases: [string[], RegExp][] = [
      [
        ['--load-balancer-ip', block(100, 102)],
        /^3 addresses for 4 ordinals \(0-3\): give 1 more with --load-balancer-ip$/,
      ],
      [
        ['--load-balancer-ip', `${block(100, 102)},192.0.2.99`],
        /^address 192\.0\.2\.99 \(for ordinal 3\) is in none of MetalLB's address pools \(default: 198\.18\.0\.0\/22; tiny: .*\); nothing was changed$/,
      ],
      [
        ['--load-balancer-ip', `${block(100, 102)},${held}`],
        new RegExp(
          `^address ${held.replaceAll('.', '\\.')} \\(for ordinal 3\\) is taken by service ${other}/holder: choose another, or free it first; nothing was changed$`,
        ),
      ],
      [
        ['--load-balancer-ip', block(100, 103), '--load-balancer-provider', 'aws'],
        /^AWS load balancers take Elastic IP allocations, not addresses: .*aws-load-balancer-eip-allocations/,
      ],
    ];
    for (const [args, error] of cases) {
      const res = plugin([...lb, '-n', ns, ...args]);
      expect(res.code, res.stderr).toBe(1);
      const lines = res.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0].slice('error: '.length)).toMatch(error);
    }
    expect(await versions()).toEqual(before);

    const enough = plugin([...lb, '-n', ns, '--load-balancer-ip', block(100, 103)]);
    expect(enough.code, enough.stderr).toBe(0);
    expect(parseTable(enough.stdout).map((r) => r.ENDPOINT)).toEqual(
      [100, 101, 102, 103].map((n) => `198.18.3.${n}:5432`),
    );
  });
});

describe('per-ordinal values', () => {
  it('gives each Service its own annotation and label values: placeholders, and lists in ordinal order', async () => {
    const res = plugin([
      'kafka',
      '-n',
      ns,
      '--name-template',
      '{pod}-internal',
      '--annotations',
      'external-dns.alpha.kubernetes.io/hostname={pod}.{namespace}.example.test',
      '--annotations',
      'example.com/rack={r1,r2,r3,r4}',
      '-l',
      'zone={a,b,c,d},member=m{ordinal}',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const services = await servicesIn(ns);
    expect(
      [0, 1, 2, 3].map((i) => {
        const m = services.get(`kafka-${i}-internal`)!.metadata!;
        return [
          m.annotations!['external-dns.alpha.kubernetes.io/hostname'],
          m.annotations!['example.com/rack'],
          m.labels!.zone,
          m.labels!.member,
        ];
      }),
    ).toEqual([0, 1, 2, 3].map((i) => [`kafka-${i}.${ns}.example.test`, `r${i + 1}`, 'abcd'[i], `m${i}`]));
  });
});

// Node ports from the bottom of the range, which the API server keeps for static assignment (it hands out random
// ones from the top first), so the other tests' Services never take them first.
describe('--node-port', () => {
  it('gives ordinal i the base + i, or the list’s item, and refuses one another Service holds, naming it', async () => {
    const expose = (nodePorts: string) =>
      plugin(['kafka', '-n', ns, '--type', 'NodePort', '--name-template', '{pod}-np', '--node-port', nodePorts]);
    const res = expose('30010');
    expect(res.code, res.stderr).toBe(0);
    expect(parseTable(res.stdout).map((r) => r.ENDPOINT.split(':')[1])).toEqual(['30010', '30011', '30012', '30013']);
    const before = await versions();
    expect(expose('30010').code).toBe(0);
    expect(await versions()).toEqual(before);

    await core.createNamespacedService({
      namespace: other,
      body: { metadata: { name: 'np-holder' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30022 }] } },
    });
    const taken = expose('30020,30021,30022,30023');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe(
      `error: node port 30022 (for ordinal 2) is taken by service ${other}/np-holder: choose another, or free it first; nothing was changed\n`,
    );
    expect(await versions()).toEqual(before);
  });
});

describe('--shared-address', () => {
  it('puts every member behind one address, each on its own port, pinned with --load-balancer-ip', async () => {
    const args = [...lb, '-n', ns, '--shared-address', '--name-template', '{pod}-shared'];
    const res = plugin([...args, '--load-balancer-ip', '198.18.3.160']);
    expect(res.code, res.stderr).toBe(0);
    expect(parseTable(res.stdout).map((r) => [r.SERVICE, r.ENDPOINT])).toEqual(
      [0, 1, 2, 3].map((i) => [`kafka-${i}-shared`, `198.18.3.160:${5432 + i}`]),
    );
    const svc = (await servicesIn(ns)).get('kafka-2-shared')!;
    expect(svc.spec!.ports).toEqual([expect.objectContaining({ port: 5434, targetPort: 'postgres' })]);
    expect(svc.spec!.externalTrafficPolicy).toBe('Cluster');
    const same = await versions();
    expect(plugin([...args, '--load-balancer-ip', '198.18.3.160']).code).toBe(0);
    expect(await versions()).toEqual(same);

    // A member added later joins the same address, on the next port; the others stay as they are.
    await apps.patchNamespacedStatefulSetScale({
      name: 'kafka',
      namespace: ns,
      body: [{ op: 'replace', path: '/spec/replicas', value: 5 }],
    });
    await waitFor('pod kafka-4', async () => (await core.listNamespacedPod({ namespace: ns })).items.length === 5);
    const grown = plugin([...args, '--load-balancer-ip', '198.18.3.160']);
    expect(grown.code, grown.stderr).toBe(0);
    expect(parseTable(grown.stdout).at(-1)!.ENDPOINT).toBe('198.18.3.160:5436');

    const before = await versions();
    const cloud = plugin([...args, '--load-balancer-provider', 'gke']);
    expect(cloud.code).toBe(1);
    expect(cloud.stderr).toMatch(
      /^error: --shared-address needs a load balancer that shares addresses between Services \(MetalLB or Cilium\)/,
    );
    expect(await versions()).toEqual(before);
  });
});
