// The Gateway mode on a real Gateway API controller (Traefik, two instances: it cannot serve TLS and TCP routes side
// by side), with real traffic: each member a small server on its pod's own IP, reached through the Gateway's port and
// the member's own Service. Nothing connects off this machine: the pod range is made local first, and every address
// is checked before a connection.
import { createServer } from 'node:net';
import type { V1StatefulSet } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  loadYaml,
  type V1CustomResourceDefinition,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import { startCluster, stopCluster } from '../../cluster/cluster.ts';
import { traefikPaths } from '../../cluster/traefik.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { claimPodRoute, releasePodRoute } from '../../cluster/pod-range.ts';
import { startDns } from '../../cluster/dns.ts';
import { gatewayClassObject, gatewayGroup, startTraefik, type Traefik } from '../../cluster/gateway.ts';
import { statefulSet } from '../fixtures.ts';
import {
  clients,
  kubectl,
  newNamespace,
  parseTable,
  plugin,
  readyStatefulSet,
  scaleStatefulSet,
  servicesIn,
  waitFor,
} from '../helpers.ts';
import { follow, type Following } from '../watch/following.ts';
import { runPlugin, serviceAccount, tokenKubeconfig } from '../../reliability/harness.ts';
import { parse } from 'yaml';
import { answerOf, ask, podIps, startMembers, wildcardCertificate } from './members.ts';

const zone = 'db.example.test';

/** `count` consecutive ports free on 127.0.0.1, for a Traefik instance's entrypoints. */
async function freePorts(count: number): Promise<number[]> {
  const bindable = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (;;) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if ((await Promise.all(ports.map(bindable))).every(Boolean)) return ports;
  }
}

/** The fixture StatefulSet with one container port, named as a broker's is. */
function member(name: string, port: number, replicas: number): V1StatefulSet {
  const sts = statefulSet(name, { replicas });
  sts.spec!.template.spec!.containers[0].ports = [{ name: 'broker', containerPort: port }];
  return sts;
}

const custom = () => clients().kc.makeApiClient(CustomObjectsApi);

function gateway(namespace: string, name: string, gatewayClassName: string, listeners: object[]) {
  return custom().createNamespacedCustomObject({
    group: gatewayGroup,
    version: 'v1',
    namespace,
    plural: 'gateways',
    body: {
      apiVersion: `${gatewayGroup}/v1`,
      kind: 'Gateway',
      metadata: { name },
      spec: { gatewayClassName, listeners },
    },
  });
}

const routesIn = async (namespace: string, plural: string) =>
  (
    (await custom().listNamespacedCustomObject({ group: gatewayGroup, version: 'v1', namespace, plural })) as {
      items: { metadata: { name: string; labels?: Record<string, string> } }[];
    }
  ).items;

const deleteObject = (namespace: string, plural: string, name: string) =>
  custom().deleteNamespacedCustomObject({ group: gatewayGroup, version: 'v1', namespace, plural, name });

/**
 * Changes what expose --watch keeps, waits for its line saying it restored it, and for the member to answer through
 * the Gateway's port again.
 */
async function restoredAfter(watching: Following, change: () => unknown, line: RegExp, member: string, port: number) {
  const from = watching.stderr.length;
  await change();
  await watching.until('stderr', line, { from });
  expect(await answerOf('127.0.0.1', port, `member ${member}\n`), tcp.log().slice(-3000)).toBe(`member ${member}\n`);
}

let tls: Traefik;
let tcp: Traefik;
let tlsPort: number;
let tcpPorts: number[];

beforeAll(async () => {
  claimPodRoute();
  [tlsPort] = await freePorts(1);
  tcpPorts = await freePorts(3);
  const id = Math.random().toString(36).slice(2, 8);
  [tls, tcp] = await Promise.all([
    startTraefik(inject('cluster'), { id: `tls-${id}`, ports: [tlsPort] }),
    startTraefik(inject('cluster'), { id: `tcp-${id}`, ports: tcpPorts }),
  ]);
}, 120_000); // the global setup built Traefik

afterAll(async () => {
  await Promise.all([tls?.stop(), tcp?.stop()]);
  releasePodRoute(process.pid);
});

describe('TLS passthrough by name (TLSRoute) on a Gateway the user has', () => {
  it('routes each member name to that member only, through its own Service', async () => {
    const ns = await newNamespace('gw-tls');
    await readyStatefulSet(ns, member('db', 9093, 3));
    const members = await startMembers(await podIps(ns, 'db', 3), 9093, wildcardCertificate(zone));
    try {
      await gateway(ns, 'shared', tls.gatewayClass, [
        { name: 'tls', port: tlsPort, protocol: 'TLS', tls: { mode: 'Passthrough' } },
      ]);
      // TAB after --gateway offers the namespace's Gateways; after --gateway-class, the cluster's GatewayClasses.
      expect(plugin(['__complete', 'db', '-n', ns, '--gateway', '']).stdout).toBe('shared\n:4\n');
      expect(plugin(['__complete', 'db', '--gateway-class', '']).stdout.split('\n')).toContain(tls.gatewayClass);
      // A dry run says what it would write, as kubectl apply does, and writes nothing.
      const dry = plugin(['db', '-n', ns, '--gateway', 'shared', '--hostname', `{pod}.${zone}`, '--dry-run=server']);
      expect(dry.stdout).toContain('tlsroute.gateway.networking.k8s.io/db-0 created (server dry run)\n');
      expect(await routesIn(ns, 'tlsroutes')).toEqual([]);
      const res = plugin(['db', '-n', ns, '--gateway', 'shared', '--hostname', `{pod}.${zone}`]);
      expect(res.stderr, tls.log().slice(-3000)).toBe('');
      expect(res.code).toBe(0);
      const rows = parseTable(res.stdout);
      expect(rows.map((r) => [r.SERVICE, r.TYPE, r.ENDPOINT, r.READY])).toEqual(
        [0, 1, 2].map((i) => [`db-${i}`, 'TLSRoute', `db-${i}.${zone}:${tlsPort}`, 'true']),
      );
      // The Services stay ClusterIP: one load balancer (the Gateway's) for all members.
      const services = await servicesIn(ns);
      expect([...services.values()].map((s) => s.spec?.type)).toEqual(['ClusterIP', 'ClusterIP', 'ClusterIP']);
      for (const i of [0, 1, 2]) {
        const said = await answerOf('127.0.0.1', tlsPort, `member db-${i}\n`, `db-${i}.${zone}`);
        expect(said, tls.log().slice(-3000)).toBe(`member db-${i}\n`);
      }
      expect(await ask('127.0.0.1', tlsPort, `db-9.${zone}`)).toBe(''); // no route for that name: closed

      const wide = parseTable(
        plugin(['db', '-n', ns, '--gateway', 'shared', '--hostname', `{pod}.${zone}`, '-o', 'wide']).stdout,
      );
      expect(wide.map((r) => r.GATEWAY)).toEqual([0, 1, 2].map(() => `${ns}/shared/tls`));
      expect(wide.map((r) => r.ADDRESS)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
      // external-dns reads the names from the routes (its gateway-tlsroute source), pointing them at the Gateway.
      const dns = await startDns(inject('cluster'), 'example.test', ['gateway-tlsroute']);
      try {
        const synced = await dns.sync();
        for (const i of [0, 1, 2])
          expect(await dns.resolver.resolve4(`db-${i}.${zone}`).catch(() => synced), synced).toEqual(['127.0.0.1']);
      } finally {
        await dns.stop();
      }
      const line = plugin(['db', '-n', ns, '--gateway', 'shared', '--hostname', `{pod}.${zone}`, '-o', 'endpoints']);
      expect(line.stdout).toBe(`${[0, 1, 2].map((i) => `db-${i}.${zone}:${tlsPort}`).join(',')}\n`);

      // status knows the routes: Ready through the Gateway; a route deleted by hand is Missing, and a re-run repairs.
      // The table, without the summary under it.
      const status = () => parseTable(plugin(['status', 'db', '-n', ns, '-o', 'wide']).stdout.split('\n\n')[0]);
      expect(status().map((r) => [r.TYPE, r.ENDPOINT, r.STATE])).toEqual(
        [0, 1, 2].map((i) => ['TLSRoute', `db-${i}.${zone}:${tlsPort}`, 'Ready']),
      );
      await deleteObject(ns, 'tlsroutes', 'db-1');
      expect(status()[0].GATEWAY).toBe(`${ns}/shared/tls`);
      expect(status()[1]).toMatchObject({ STATE: 'Missing', REASON: 'no TLSRoute: run kubectl expose-sts again' });
      expect(plugin(['db', '-n', ns, '--gateway', 'shared', '--hostname', `{pod}.${zone}`]).code).toBe(0);
      expect(await answerOf('127.0.0.1', tlsPort, 'member db-1\n', `db-1.${zone}`)).toBe('member db-1\n');

      // A re-run without the Gateway flags would keep the Services and leave the routes behind: refused.
      const kept = plugin(['db', '-n', ns]);
      expect(kept.stderr).toMatch(/^error: service "db-0" is reached through a TLSRoute: give the --gateway flags/);
      expect(kept.code).toBe(2);

      // prune --all removes the Services and their routes, never the user's Gateway.
      const pruned = plugin(['prune', 'db', '-n', ns, '--all']);
      expect(pruned.stdout.trimEnd().split('\n').sort()).toEqual(
        [
          ...[0, 1, 2].map((i) => `service/db-${i} deleted`),
          ...[0, 1, 2].map((i) => `tlsroute.gateway.networking.k8s.io/db-${i} deleted`),
        ].sort(),
      );
      expect(await routesIn(ns, 'tlsroutes')).toEqual([]);
      expect((await routesIn(ns, 'gateways')).map((g) => g.metadata.name)).toEqual(['shared']);
    } finally {
      await members.close();
    }
  });
});

describe("a port per member (TCPRoute) on expose-sts's own Gateway", () => {
  it('makes one Gateway with a listener per member, and each port reaches its member', async () => {
    const ns = await newNamespace('gw-tcp');
    await readyStatefulSet(ns, member('kv', tcpPorts[0], 3));
    const members = await startMembers(await podIps(ns, 'kv', 3), tcpPorts[0]);
    try {
      const args = [
        'kv',
        '-n',
        ns,
        '--gateway-class',
        tcp.gatewayClass,
        '--port-per-member',
        '--publish-configmap',
        '--load-balancer-source-ranges',
        '127.0.0.0/8,198.51.100.0/24',
        '--hostname',
        `{pod}.kv.${zone}`,
      ];
      // A server dry run names every object the run writes, the Gateway too, and writes none.
      const dry = plugin([...args, '--dry-run=server']);
      expect(dry.stdout).toMatch(/^gateway\.gateway\.networking\.k8s\.io\/kv created \(server dry run\)$/m);
      expect(await routesIn(ns, 'gateways')).toEqual([]);
      const res = plugin(args);
      expect(res.stderr, tcp.log().slice(-3000)).toBe('');
      expect(res.code).toBe(0);
      const rows = parseTable(res.stdout);
      expect(rows.map((r) => [r.SERVICE, r.TYPE, r.ENDPOINT])).toEqual(
        [0, 1, 2].map((i) => [`kv-${i}`, 'TCPRoute', `kv-${i}.kv.${zone}:${tcpPorts[i]}`]),
      );
      // external-dns reads a TCPRoute's name from its hostname annotation (its gateway-tcproute source: the kind has
      // no spec.hostnames), pointing it at the Gateway's address.
      const dns = await startDns(inject('cluster'), 'example.test', ['gateway-tcproute']);
      try {
        const synced = await dns.sync();
        for (const i of [0, 1, 2])
          expect(await dns.resolver.resolve4(`kv-${i}.kv.${zone}`).catch(() => synced), synced).toEqual(['127.0.0.1']);
      } finally {
        await dns.stop();
      }
      for (const i of [0, 1, 2]) {
        const said = await answerOf('127.0.0.1', tcpPorts[i], `member kv-${i}\n`);
        expect(said, tcp.log().slice(-3000)).toBe(`member kv-${i}\n`);
      }
      const gw = (await custom().getNamespacedCustomObject({
        group: gatewayGroup,
        version: 'v1',
        namespace: ns,
        plural: 'gateways',
        name: 'kv',
      })) as {
        metadata: { ownerReferences?: { kind: string; name: string }[] };
        spec: { listeners: { name: string; port: number }[]; infrastructure?: { annotations?: object } };
      };
      expect(gw.spec.listeners.map((l) => [l.name, l.port])).toEqual([0, 1, 2].map((i) => [`kv-${i}`, tcpPorts[i]]));
      // The source ranges go where the implementations that take them read them (the API server's schema took them).
      expect(gw.spec.infrastructure?.annotations).toEqual({
        'service.beta.kubernetes.io/load-balancer-source-ranges': '127.0.0.0/8,198.51.100.0/24',
      });
      // The members learn their own endpoints through the Gateway, as for Services.
      const cm = await clients().core.readNamespacedConfigMap({ name: 'kv-endpoints', namespace: ns });
      expect(cm.data?.endpoints).toBe(tcpPorts.map((p, i) => `kv-${i}.kv.${zone}:${p}`).join(','));
      expect(gw.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`)).toEqual(['StatefulSet/kv']);
      expect((await routesIn(ns, 'tcproutes')).map((r) => r.metadata.name).sort()).toEqual(['kv-0', 'kv-1', 'kv-2']);
      // -o name lists what the run applied, as kubectl apply -o name does: the Gateway among them.
      expect(plugin([...args, '-o', 'name']).stdout).toContain('gateway.gateway.networking.k8s.io/kv\n');
      // Leaving the Gateway mode, or swapping the route kind, would leave the routes and the Gateway behind, where
      // status and prune no longer look: refused before any write, naming the way through.
      for (const [more, now] of [
        [['--type', 'LoadBalancer'], 'as a LoadBalancer Service'],
        [['--gateway-class', tcp.gatewayClass, '--hostname', `{pod}.kv.${zone}`], 'through a TLSRoute'],
      ] as const) {
        const res = plugin(['kv', '-n', ns, ...more]);
        expect([res.code, res.stderr]).toEqual([
          1,
          `error: service "kv-0" is reached through a TCPRoute, and this run would expose it ${now}, leaving the TCPRoutes (and a Gateway expose-sts made for them) behind: prune them first (kubectl expose-sts prune kv -n ${ns} --all) and run this command again; nothing was changed\n`,
        ]);
      }
      expect([...(await servicesIn(ns)).values()].map((svc) => svc.spec?.type)).toEqual([
        'ClusterIP',
        'ClusterIP',
        'ClusterIP',
      ]);
      expect(await routesIn(ns, 'tlsroutes')).toEqual([]);

      expect(parseTable(plugin(['status', 'kv', '-n', ns]).stdout.split('\n\n')[0]).map((r) => r.STATE)).toEqual([
        'Ready',
        'Ready',
        'Ready',
      ]);
      // Members moved to a Gateway of the user's leave the own one without routes: a load balancer nothing uses, which
      // status names and prune deletes (the routes and Services stay).
      await gateway(
        ns,
        'edge',
        tcp.gatewayClass,
        tcpPorts.map((port, i) => ({ name: `m${i}`, port, protocol: 'TCP' })),
      );
      expect(plugin(['kv', '-n', ns, '--gateway', 'edge', '--port-per-member', '--wait=false']).code).toBe(0);
      const idle = plugin(['status', 'kv', '-n', ns, '--exit-code']);
      expect(idle.stdout).toContain(
        `gateway ${ns}/kv that expose-sts made for statefulset kv has no route any more (kubectl expose-sts prune kv -n ${ns} deletes it)\n`,
      );
      expect(idle.code).toBe(1);
      // --no-headers keeps stdout to the rows: what needs action is a warning on stderr.
      const bare = plugin(['status', 'kv', '-n', ns, '--no-headers']);
      expect(bare.stdout.trimEnd().split('\n')).toHaveLength(3);
      expect(bare.stderr).toContain(
        `warning: gateway ${ns}/kv that expose-sts made for statefulset kv has no route any more (kubectl expose-sts prune kv -n ${ns} deletes it)\n`,
      );
      expect(JSON.parse(plugin(['status', 'kv', '-n', ns, '-o', 'json']).stdout).idleGateways).toEqual([
        { namespace: ns, name: 'kv', statefulSet: 'kv' },
      ]);
      // (and the ConfigMap, which this run did not ask for)
      expect(plugin(['prune', 'kv', '-n', ns]).stdout).toBe(
        'gateway.gateway.networking.k8s.io/kv deleted\nconfigmap/kv-endpoints deleted\n',
      );
      expect((await routesIn(ns, 'gateways')).map((g) => g.metadata.name)).toEqual(['edge']);
      expect((await routesIn(ns, 'tcproutes')).map((r) => r.metadata.name).sort()).toEqual(['kv-0', 'kv-1', 'kv-2']);
      // prune --all removes the rest; never the user's Gateway.
      const pruned = plugin(['prune', 'kv', '-n', ns, '--all']);
      expect(pruned.stdout).not.toContain('gateway.gateway.networking.k8s.io');
      expect((await routesIn(ns, 'gateways')).map((g) => g.metadata.name)).toEqual(['edge']);
      expect(await routesIn(ns, 'tcproutes')).toEqual([]);
    } finally {
      await members.close();
      // Its listeners are on the ports the next tests' Gateways use.
      await deleteObject(ns, 'gateways', 'edge').catch(() => undefined);
    }
  });
});

describe('--watch in the Gateway mode', () => {
  it('gives a member a scale-up adds its route (and its own Gateway a listener), and prunes it with its Service', async () => {
    const ns = await newNamespace('gw-watch');
    await readyStatefulSet(ns, member('wk', tcpPorts[0], 1));
    const watching = follow([
      'wk',
      '-n',
      ns,
      '--gateway-class',
      tcp.gatewayClass,
      '--port-per-member',
      '--watch',
      '--prune',
      '-v',
      '6',
    ]);
    let members: { close: () => Promise<void> } | undefined;
    let status: ReturnType<typeof follow> | undefined;
    try {
      await watching.until('stdout', /^0\s+wk-0\s+wk-0\s+TCPRoute\s+127\.0\.0\.1:\d+\s+true/m);
      // status -w follows the routes and the Gateway as well: the new member's route and its address, once Accepted,
      // and never a routed row without its endpoint.
      status = follow(['status', 'wk', '-n', ns, '-w']);
      await status.until(
        'stdout',
        new RegExp(`^wk\\s+0\\s+wk-0\\s+TCPRoute\\s+127\\.0\\.0\\.1:${tcpPorts[0]}\\s+Ready$`, 'm'),
      );
      scaleStatefulSet(ns, 'wk', 2);
      await watching.until(
        'stdout',
        new RegExp(`^1\\s+wk-1\\s+wk-1\\s+TCPRoute\\s+127\\.0\\.0\\.1:${tcpPorts[1]}\\s`, 'm'),
      );
      await status.until(
        'stdout',
        new RegExp(`^wk\\s+1\\s+wk-1\\s+TCPRoute\\s+127\\.0\\.0\\.1:${tcpPorts[1]}\\s+Ready$`, 'm'),
      );
      expect(status.stdout).not.toMatch(/TCPRoute\s+<none>\s+Ready$/m);
      const stopped = await status.stop();
      status = undefined;
      expect([stopped.code, stopped.stderr]).toEqual([130, '']);
      members = await startMembers(await podIps(ns, 'wk', 2), tcpPorts[0]);
      expect(await answerOf('127.0.0.1', tcpPorts[1], 'member wk-1\n'), tcp.log().slice(-3000)).toBe('member wk-1\n');
      // A route deleted by someone else is restored at once (the watch follows routes as it follows Services), and
      // its member answers again.
      const deleted = () => deleteObject(ns, 'tcproutes', 'wk-0');
      await restoredAfter(watching, deleted, /^tcproute\/wk-0 restored: it was deleted$/m, 'wk-0', tcpPorts[0]);
      const from = watching.stderr.length;
      scaleStatefulSet(ns, 'wk', 1);
      await watching.until('stderr', /service\/wk-1 deleted/, { from });
      await watching.until('stderr', /^tcproute\/wk-1 deleted with service\/wk-1$/m, { from });
      expect((await routesIn(ns, 'tcproutes')).map((r) => r.metadata.name)).toEqual(['wk-0']);
      // The orphan's route is deleted right after its Service: found in the round's own reads, with no discovery or
      // LIST of its own between the two (only a watch renewed meanwhile may come in between).
      const round = watching.stderr.slice(from, watching.stderr.indexOf('service/wk-1 deleted', from));
      const [service, route] = ['services', 'tcproutes'].map((p) =>
        round.search(new RegExp(`^I DELETE \\S+/${p}/wk-1 `, 'm')),
      );
      expect([service >= 0, route > service], round).toEqual([true, true]);
      const reads = round.slice(service, route).match(/^I GET .*$/gm) ?? [];
      expect(reads.filter((r) => !r.includes('watch=true'))).toEqual([]);
    } finally {
      await status?.stop();
      await watching.stop();
      await members?.close();
    }
    expect(plugin(['prune', 'wk', '-n', ns, '--all']).code).toBe(0);
  });
});

describe('--watch and status -w started before any member is routed', () => {
  it('follow the routes and the Gateway from the first member the Gateway mode exposes', async () => {
    const ns = await newNamespace('gw-late');
    await readyStatefulSet(ns, member('lt', tcpPorts[0], 0));
    // Nothing to expose and nothing exposed: neither has a route to follow yet.
    const status = follow(['status', 'lt', '-n', ns, '-w']);
    const watching = follow(['lt', '-n', ns, '--gateway-class', tcp.gatewayClass, '--port-per-member', '--watch']);
    let members: { close: () => Promise<void> } | undefined;
    try {
      await status.until('stderr', /No exposed StatefulSet named "lt" found/);
      await watching.until('stderr', /has 0 replicas/);
      scaleStatefulSet(ns, 'lt', 1);
      // A route deleted as soon as the round wrote it is restored: the watch followed the routes from before the write
      // (widened after it, its LIST could miss the deletion, and the route stayed gone).
      await watching.until('stderr', /^tcproute\/lt-0 created for pod lt-0$/m);
      await deleteObject(ns, 'tcproutes', 'lt-0');
      await watching.until('stderr', /^tcproute\/lt-0 restored: it was deleted$/m);
      const row = new RegExp(`^0\\s+lt-0\\s+lt-0\\s+TCPRoute\\s+127\\.0\\.0\\.1:${tcpPorts[0]}\\s+true`, 'm');
      await watching.until('stdout', row);
      // status -w widened to the routes and the Gateway once a Service named its route: the row with its endpoint, as
      // status prints it, not the Service's state alone without one.
      await status.until(
        'stdout',
        new RegExp(`^lt\\s+0\\s+lt-0\\s+TCPRoute\\s+127\\.0\\.0\\.1:${tcpPorts[0]}\\s+Ready$`, 'm'),
      );
      members = await startMembers(await podIps(ns, 'lt', 1), tcpPorts[0]);
      // expose --watch widened too: a route deleted by someone else is restored at once, not at the next round.
      const port = tcpPorts[0];
      await restoredAfter(
        watching,
        () => deleteObject(ns, 'tcproutes', 'lt-0'),
        /^tcproute\/lt-0 restored: it was deleted$/m,
        'lt-0',
        port,
      );
      // A route changed by someone else is restored too, with who changed it (its managedFields).
      const patch = '{"spec":{"rules":[{"backendRefs":[{"name":"lt-0","port":1}]}]}}';
      const patched = () =>
        expect(kubectl(['patch', 'tcproute', 'lt-0', '-n', ns, '--type', 'merge', '-p', patch]).code).toBe(0);
      await restoredAfter(
        watching,
        patched,
        /^tcproute\/lt-0 restored: it was changed by kubectl-patch$/m,
        'lt-0',
        port,
      );
      // Its own Gateway too, with a line of its own; a round that restores a route leaves the Gateway as it is.
      await restoredAfter(
        watching,
        () => deleteObject(ns, 'gateways', 'lt'),
        /^gateway\/lt restored: it was deleted$/m,
        'lt-0',
        port,
      );
      expect(watching.stderr.match(/^gateway\/lt .*$/gm)).toEqual([
        'gateway/lt created',
        'gateway/lt restored: it was deleted',
      ]);
      const stopped = await status.stop();
      expect([stopped.code, stopped.stderr.replace(/^No exposed.*\n/, '')]).toEqual([130, '']);
    } finally {
      await status.stop();
      await watching.stop();
      await members?.close();
    }
    expect(plugin(['prune', 'lt', '-n', ns, '--all']).code).toBe(0);
  });
});

describe("the README's Roles", () => {
  it('are enough for the Gateway mode: expose with its own Gateway, status and prune --all', async () => {
    const ns = await newNamespace('gw-least');
    await readyStatefulSet(ns, member('kv', tcpPorts[0], 2));
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const blocks = [...readme.slice(readme.indexOf('## Permissions')).matchAll(/```yaml\n([\s\S]*?)```/g)];
    const rules = blocks.slice(0, 2).flatMap((b) => (parse(b[1]) as { rules: V1PolicyRule[] }).rules);
    expect(rules.some((r) => r.resources?.includes('tcproutes'))).toBe(true);
    const { token } = await serviceAccount(
      ns,
      'gw-user',
      { rules },
      { verb: 'patch', resource: 'tcproutes', group: gatewayGroup },
    );
    const kubeconfig = tokenKubeconfig('gw-user', token, ns);
    const run = (args: string[]) => runPlugin(args, { kubeconfig });
    const exposed = await run(['kv', '--gateway-class', tcp.gatewayClass, '--port-per-member']);
    expect(exposed.stderr).toBe('');
    expect(parseTable(exposed.stdout).map((r) => r.ENDPOINT)).toEqual([
      `127.0.0.1:${tcpPorts[0]}`,
      `127.0.0.1:${tcpPorts[1]}`,
    ]);
    const status = await run(['status', 'kv']);
    expect(status.stdout).toContain('statefulset kv: 2 Ready');
    // status -w with list but not watch on routes and Gateways: a warning, and it follows the rest.
    const noWatch = rules.map((r) =>
      r.apiGroups?.includes(gatewayGroup) ? { ...r, verbs: r.verbs.filter((v) => v !== 'watch') } : r,
    );
    const reader = await serviceAccount(
      ns,
      'gw-reader',
      { rules: noWatch },
      { verb: 'list', resource: 'tcproutes', group: gatewayGroup },
    );
    const watching = follow(['status', 'kv', '-w'], { kubeconfig: tokenKubeconfig('gw-reader', reader.token, ns) });
    try {
      await watching.until('stderr', /^warning: cannot watch the routes or Gateways: /m);
      await watching.until(
        'stdout',
        new RegExp(`^kv\\s+1\\s+kv-1\\s+TCPRoute\\s+127\\.0\\.0\\.1:${tcpPorts[1]}\\s+Ready$`, 'm'),
      );
    } finally {
      const stopped = await watching.stop();
      expect(stopped.code, stopped.stderr).toBe(130);
    }
    const pruned = await run(['prune', 'kv', '--all']);
    expect(pruned.stderr).toBe('');
    expect(pruned.stdout).toContain('gateway.gateway.networking.k8s.io/kv deleted\n');
    expect(await routesIn(ns, 'tcproutes')).toEqual([]);
  });
});

describe('bad input: one error line, before any write', () => {
  it('refuses a missing Gateway, a listener of the wrong protocol, and one that does not take routes from here', async () => {
    const ns = await newNamespace('gw-bad');
    const other = await newNamespace('gw-other');
    await readyStatefulSet(ns, member('db', 9093, 2));
    await gateway(ns, 'plain', tls.gatewayClass, [{ name: 'tcp', port: tlsPort, protocol: 'TCP' }]);
    await gateway(other, 'theirs', tls.gatewayClass, [
      { name: 'tls', port: tlsPort, protocol: 'TLS', tls: { mode: 'Passthrough' } },
    ]);
    const cases: [string[], RegExp][] = [
      [
        ['--gateway', 'nope', '--hostname', `{pod}.${zone}`],
        /^error: gateway "nope" not found in namespace "gw-bad-\w+"/,
      ],
      [
        ['--gateway', 'plain/tcp', '--hostname', `{pod}.${zone}`],
        /^error: listener "tcp" of gateway "gw-bad-\w+\/plain" is protocol TCP: routing by name/,
      ],
      [
        ['--gateway', 'theirs', '--gateway-namespace', other, '--hostname', `{pod}.${zone}`],
        /^error: listener "tls" of gateway "gw-other-\w+\/theirs" allows routes only from its own namespace/,
      ],
      [
        ['--gateway', 'plain', '--port-per-member'],
        /^error: gateway "gw-bad-\w+\/plain" has no TCP listener on port 9093 for ordinal 0/,
      ],
      [
        ['--gateway-class', 'nosuch', '--port-per-member'],
        /^error: gatewayclass "nosuch" not found: name one this cluster has \(kubectl get gatewayclasses\)/,
      ],
      [
        ['--gateway', 'plain', '--hostname', '{pod}.under_score.test'],
        /^error: --hostname "\{pod\}.under_score.test" gives "db-0.under_score.test" for ordinal 0, which is not a valid DNS name/,
      ],
    ];
    for (const [args, message] of cases) {
      const res = plugin(['db', '-n', ns, ...args]);
      expect(res.stderr).toMatch(message);
      expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(res.code).not.toBe(0);
    }
    expect((await servicesIn(ns)).size).toBe(0);
    expect(await routesIn(ns, 'tlsroutes')).toEqual([]);
    expect(await routesIn(ns, 'tcproutes')).toEqual([]);
    expect((await routesIn(ns, 'gateways')).map((g) => g.metadata.name)).toEqual(['plain']); // no Gateway of its own
  });
});

describe("a listener the Gateway's controller refuses", () => {
  it('is named, with its reason, where the routes say only NotAllowedByListeners', async () => {
    const ns = await newNamespace('gw-port');
    await readyStatefulSet(ns, member('db', 9093, 1));
    // The own Gateway listens on the Service's port, 9093, which this Traefik has no entrypoint for.
    const res = plugin(['db', '-n', ns, '--gateway-class', tls.gatewayClass, '--hostname', `{pod}.${zone}`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      new RegExp(
        `^error: tlsroute "db-0" is not attached to gateway ${ns}/db: Accepted NotAllowedByListeners; gateway ${ns}/db says its listener "tls" is not Accepted: PortUnavailable: .*9093.*; their endpoints are not printed\n$`,
      ),
    );
    const status = parseTable(plugin(['status', 'db', '-n', ns, '-o', 'wide']).stdout.split('\n\n')[0]);
    expect(status.map((r) => [r.STATE, r.REASON])).toEqual([
      ['Pending', expect.stringMatching(`^gateway ${ns}/db: listener "tls" is not Accepted: PortUnavailable: `)],
    ]);
    expect(plugin(['prune', 'db', '-n', ns, '--all']).code).toBe(0);
  });
});

describe('a Gateway no controller takes', () => {
  it("interrupted, says what is applied and that it was waiting; timed out (a run, or a watch's later round) or in status, that no controller took the Gateway", async () => {
    const ns = await newNamespace('gw-int');
    await readyStatefulSet(ns, member('db', tcpPorts[0], 1));
    // A class no controller serves: the routes are never accepted, so the run waits until it is stopped.
    const gatewayClass = `unserved-${ns}`;
    await custom().createClusterCustomObject(gatewayClassObject(gatewayClass, 'example.test/nobody'));
    try {
      const run = follow(['db', '-n', ns, '--gateway-class', gatewayClass, '--port-per-member', '-v', '1']);
      await run.until('stderr', /tcproutes: 1 applied/);
      const stopped = await run.stop();
      expect(stopped.code).toBe(130);
      expect(stopped.stderr).toContain(
        `interrupted: 1 service, gateway ${ns}/db and 1 tcproute are applied; interrupted while waiting for gateway ${ns}/db to accept the tcproutes (kubectl expose-sts status db -n ${ns} shows them)\n`,
      );
      // What the routes wait for, which no condition of theirs says: a Gateway no controller took.
      const unserved = `gateway ${ns}/db: no controller has taken it up yet (Waiting for controller): is the controller of gatewayclass ${gatewayClass} running?`;
      const timedOut = plugin([
        'db',
        '-n',
        ns,
        '--gateway-class',
        gatewayClass,
        '--port-per-member',
        '--timeout',
        '1s',
      ]);
      expect([timedOut.code, timedOut.stderr]).toEqual([
        1,
        `error: timed out after 1 s waiting for gateway ${ns}/db to accept 1 of 1 tcproutes (db-0): ${unserved.replace(`gateway ${ns}/db: `, '')}; their endpoints are not printed\n`,
      ]);
      const status = parseTable(plugin(['status', 'db', '-n', ns, '-o', 'wide']).stdout.split('\n\n')[0]);
      expect(status.map((r) => [r.STATE, r.REASON])).toEqual([['Pending', unserved]]);
      // A watch's later round says it too, as the first run did: before, a round's wait for the routes ended unsaid.
      const watching = follow([
        'db',
        '-n',
        ns,
        '--gateway-class',
        gatewayClass,
        '--port-per-member',
        '--timeout',
        '1s',
        '-w',
      ]);
      try {
        await watching.until('stderr', /to accept 1 of 1 tcproutes \(db-0\)/);
        scaleStatefulSet(ns, 'db', 2);
        await watching.until(
          'stderr',
          /error: timed out after 1 s waiting for gateway .* to accept 2 of 2 tcproutes \(db-0, db-1\): no controller has taken it up yet/,
        );
        expect((await watching.stop()).code).toBe(130);
      } finally {
        await watching.stop(); // a failed wait above leaves no process behind
      }
      expect(plugin(['prune', 'db', '-n', ns, '--all']).code).toBe(0);
    } finally {
      await custom().deleteClusterCustomObject({
        group: gatewayGroup,
        version: 'v1',
        plural: 'gatewayclasses',
        name: gatewayClass,
      });
    }
  });
});

describe('a cluster without the Gateway API, or without the route kind', () => {
  it('says what to install, before any write', async () => {
    const bare = await startCluster({ lb: 'none', nodes: 1 });
    try {
      const { core, apps } = clients(bare);
      await core.createNamespace({ body: { metadata: { name: 'db' } } });
      await apps.createNamespacedStatefulSet({ namespace: 'db', body: member('db', 9093, 1) });
      const run = () =>
        plugin(['db', '-n', 'db', '--gateway', 'edge', '--hostname', `{pod}.${zone}`], { cluster: bare });
      const none = run();
      expect(none.stderr).toMatch(
        /^error: the Gateway API is not installed in this cluster \(no gateway.networking.k8s.io CRDs\)/,
      );
      expect(none.code).toBe(1);
      // The standard channel: Gateways, but no TLSRoute.
      const crds = traefikPaths().crds;
      const standard = ['gateway.networking.k8s.io_gatewayclasses.yaml', 'gateway.networking.k8s.io_gateways.yaml'];
      const ext = clients(bare).kc.makeApiClient(ApiextensionsV1Api);
      for (const f of standard)
        await ext.createCustomResourceDefinition({
          body: loadYaml<V1CustomResourceDefinition>(readFileSync(join(crds, f), 'utf8')),
        });
      const partial = await waitFor('the Gateway CRDs served', () => {
        const r = run();
        return /serves no TLSRoute/.test(r.stderr) && r;
      });
      expect(partial.stderr).toBe(
        "error: this cluster's Gateway API serves no TLSRoute: install the Gateway API's experimental-channel CRDs, which have it, or use --port-per-member (TCPRoute)\n",
      );
      expect((await servicesIn('db', bare)).size).toBe(0);
    } finally {
      await stopCluster(bare);
    }
  });
});
