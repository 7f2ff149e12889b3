import { describe, expect, it } from 'vitest';
import type { CommandError } from '../../../src/errors.ts';
import {
  attachments,
  type GatewayObject,
  type GatewayOptions,
  hostnameMatches,
  type Listener,
  ownListeners,
  routeLeftBehind,
} from '../../../src/plan/gateway.ts';

const gw = (listeners: Listener[], namespace = 'db'): GatewayObject => ({
  metadata: { name: 'edge', namespace },
  spec: { gatewayClassName: 'c', listeners },
});
const members = (n: number, port = 9093) =>
  Array.from({ length: n }, (_, i) => ({
    ordinal: i,
    index: i,
    pod: `kafka-${i}`,
    hostname: `kafka-${i}.example.com`,
    servicePort: port,
  }));
const tlsOpts: GatewayOptions = { name: 'edge', portPerMember: false };
const tcpOpts: GatewayOptions = { name: 'edge', portPerMember: true };
const passthrough = (name: string, more: Partial<Listener> = {}): Listener => ({
  name,
  port: 443,
  protocol: 'TLS',
  tls: { mode: 'Passthrough' },
  ...more,
});
const message = (r: unknown) => (r as CommandError).message;

describe('attachments', () => {
  it('puts every member on the one TLS passthrough listener, or the one named', () => {
    expect(attachments(gw([passthrough('tls')]), tlsOpts, members(2), 'db')).toEqual([
      { listener: 'tls', port: 443 },
      { listener: 'tls', port: 443 },
    ]);
    const two = gw([passthrough('a'), passthrough('b', { port: 8443 })]);
    expect(message(attachments(two, tlsOpts, members(1), 'db'))).toMatch(
      /has 2 TLS passthrough listeners \(a, b\): name one, --gateway edge\/LISTENER/,
    );
    expect(attachments(two, { ...tlsOpts, listener: 'b' }, members(1), 'db')).toEqual([{ listener: 'b', port: 8443 }]);
  });
  it('refuses a listener that would end TLS itself, or is not TLS, or does not exist', () => {
    const terminate = gw([{ name: 'https', port: 443, protocol: 'TLS', tls: { mode: 'Terminate' } }]);
    expect(message(attachments(terminate, { ...tlsOpts, listener: 'https' }, members(1), 'db'))).toMatch(
      /is protocol TLS with tls.mode Terminate: routing by name/,
    );
    expect(message(attachments(terminate, tlsOpts, members(1), 'db'))).toMatch(
      /has no TLS listener with tls.mode Passthrough/,
    );
    expect(message(attachments(terminate, { ...tlsOpts, listener: 'x' }, members(1), 'db'))).toMatch(
      /has no listener "x" \(it has https\)/,
    );
  });
  it("checks the listener's hostname and allowedRoutes against the members and the routes' namespace", () => {
    const narrow = gw([passthrough('tls', { hostname: '*.other.com' })]);
    expect(message(attachments(narrow, tlsOpts, members(1), 'db'))).toMatch(
      /takes only \*.other.com, and ordinal 0's --hostname is "kafka-0.example.com"/,
    );
    expect(message(attachments(gw([passthrough('tls')], 'infra'), tlsOpts, members(1), 'db'))).toMatch(
      /allows routes only from its own namespace \(allowedRoutes.namespaces.from: Same\), not from "db"/,
    );
    const all = gw([passthrough('tls', { allowedRoutes: { namespaces: { from: 'All' } } })], 'infra');
    expect(attachments(all, tlsOpts, members(1), 'db')).toEqual([{ listener: 'tls', port: 443 }]);
    const httpOnly = gw([passthrough('tls', { allowedRoutes: { kinds: [{ kind: 'HTTPRoute' }] } })]);
    expect(message(attachments(httpOnly, tlsOpts, members(1), 'db'))).toMatch(
      /allows only HTTPRoute routes, not TLSRoute/,
    );
  });
  it('gives each member the TCP listener on its port: the Service port + i, or the named listener port + i', () => {
    const tcp = (port: number, name = `p${port}`): Listener => ({ name, port, protocol: 'TCP' });
    const g = gw([tcp(9093), tcp(9094), tcp(9095), tcp(7000, 'first'), tcp(7001)]);
    expect(attachments(g, tcpOpts, members(3), 'db')).toEqual(
      [9093, 9094, 9095].map((p) => ({ listener: `p${p}`, port: p })),
    );
    expect(attachments(g, { ...tcpOpts, listener: 'first' }, members(2), 'db')).toEqual([
      { listener: 'first', port: 7000 },
      { listener: 'p7001', port: 7001 },
    ]);
    expect(message(attachments(g, tcpOpts, members(4), 'db'))).toMatch(
      /has no TCP listener on port 9096 for ordinal 3: --port-per-member needs one per member, on ports 9093–9096 \(or let expose-sts make its own/,
    );
  });
});

describe("expose-sts's own Gateway", () => {
  it('has one TLS passthrough listener, or a TCP listener per member named after its pod', () => {
    expect(ownListeners('TLSRoute', members(3))).toEqual([
      expect.objectContaining({ name: 'tls', port: 9093, protocol: 'TLS', tls: { mode: 'Passthrough' } }),
    ]);
    const tcp = ownListeners('TCPRoute', members(2)) as Listener[];
    expect(tcp.map((l) => [l.name, l.port, l.protocol])).toEqual([
      ['kafka-0', 9093, 'TCP'],
      ['kafka-1', 9094, 'TCP'],
    ]);
    expect(tcp[0].allowedRoutes).toEqual({
      namespaces: { from: 'Same' },
      kinds: [{ group: 'gateway.networking.k8s.io', kind: 'TCPRoute' }],
    });
    expect(message(ownListeners('TCPRoute', members(3, 65534)))).toMatch(
      /kafka-2 would answer on port 65536, past 65535/,
    );
  });
});

describe('hostnameMatches', () => {
  it('takes any name without a hostname, the same name, or one or more labels under a wildcard', () => {
    expect(hostnameMatches(undefined, 'a.b')).toBe(true);
    expect(hostnameMatches('a.b', 'a.b')).toBe(true);
    expect(hostnameMatches('*.b', 'a.b')).toBe(true);
    expect(hostnameMatches('*.b', 'x.a.b')).toBe(true);
    expect(hostnameMatches('*.b', 'b')).toBe(false);
    expect(hostnameMatches('*.b', 'a.c')).toBe(false);
  });
});

describe('routeLeftBehind', () => {
  const svc = (name: string, statefulSet: string, route?: string) => ({
    metadata: {
      name,
      labels: { 'app.kubernetes.io/managed-by': 'kubectl-expose-sts', 'expose-sts.io/statefulset': statefulSet },
      annotations: (route ? { 'expose-sts.io/route': route } : {}) as Record<string, string>,
    },
  });
  it('names a Service of the StatefulSet whose route is not of the kind the run writes, or that has one it does not', () => {
    const services = [svc('kafka-0', 'kafka', 'TLSRoute'), svc('zk-0', 'zk', 'TCPRoute')];
    expect(routeLeftBehind(services, 'kafka', 'TLSRoute')).toBeUndefined();
    expect(routeLeftBehind(services, 'kafka', 'TCPRoute')).toEqual({ service: 'kafka-0', kind: 'TLSRoute' });
    expect(routeLeftBehind(services, 'kafka', undefined)).toEqual({ service: 'kafka-0', kind: 'TLSRoute' });
    // Another StatefulSet's routes are not this run's to leave.
    expect(routeLeftBehind(services, 'zk', 'TCPRoute')).toBeUndefined();
    expect(routeLeftBehind([svc('kafka-0', 'kafka')], 'kafka', undefined)).toBeUndefined();
  });
});
