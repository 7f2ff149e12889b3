import type { V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { exposureOf } from '../../../src/plan/exposure.ts';
import type { Condition, GatewayObject } from '../../../src/plan/gateway.ts';
import { routeKindsNamed } from '../../../src/plan/gateway.ts';
import {
  beyondFollowed,
  gatewayAnswered,
  gatewayNamespacesOf,
  idleOwnGateways,
  listenerProblem,
  ownGateway,
  routeFor,
  routeProblem,
  routeRow,
  routeState,
  type RouteObject,
  routeUpToDate,
  unservedGateway,
} from '../../../src/plan/route.ts';
import { endpointText } from '../../../src/render/tables.ts';

const service: V1Service = {
  metadata: {
    name: 'kafka-1',
    namespace: 'db',
    labels: { 'app.kubernetes.io/managed-by': 'kubectl-expose-sts', 'expose-sts.io/statefulset': 'kafka' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kafka', uid: 'u1' }],
  },
  spec: { type: 'ClusterIP', clusterIP: '10.96.0.9', ports: [{ name: 'broker', port: 9093 }] },
};
const desired = { ordinal: 1, pod: 'kafka-1', name: 'kafka-1', service, hostname: 'kafka-1.example.com' };
const gateway = { namespace: 'infra', name: 'edge' };
const at = (kind: 'TLSRoute' | 'TCPRoute') => ({
  kind,
  apiVersion: 'gateway.networking.k8s.io/v1',
  gateway,
  attachment: { listener: 'tls', port: 443 },
  backendPort: 9093,
});
const accepted = (generation: number, observed = generation, status = 'True', reason = 'Accepted'): RouteObject => ({
  metadata: { name: 'kafka-1', namespace: 'db', generation },
  status: {
    parents: [
      {
        parentRef: { name: 'edge', namespace: 'infra' },
        conditions: [{ type: 'Accepted', status, reason, observedGeneration: observed }],
      },
    ],
  },
});
const serving: GatewayObject = {
  metadata: { name: 'edge', namespace: 'infra' },
  spec: { listeners: [{ name: 'tls', port: 443, protocol: 'TLS' }] },
  status: { addresses: [{ value: '203.0.113.7' }], conditions: [{ type: 'Programmed', status: 'True' }] },
};

describe('routeFor', () => {
  it("names, labels and owns a member's route as its Service, to that Service's port, on its listener", () => {
    const { route } = routeFor(desired, at('TLSRoute'));
    expect(route).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'TLSRoute',
      metadata: {
        name: 'kafka-1',
        namespace: 'db',
        labels: service.metadata?.labels,
        ownerReferences: service.metadata?.ownerReferences,
      },
      spec: {
        parentRefs: [
          { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra', name: 'edge', sectionName: 'tls' },
        ],
        hostnames: ['kafka-1.example.com'],
        rules: [{ backendRefs: [{ name: 'kafka-1', port: 9093 }] }],
      },
    });
  });
  it("gives a TCPRoute (which has no hostnames) its name as external-dns's annotation", () => {
    const { route } = routeFor(desired, { ...at('TCPRoute'), dnsTtlSeconds: 60 });
    expect(route.spec?.hostnames).toBeUndefined();
    expect(route.metadata?.annotations).toEqual({
      'external-dns.kubernetes.io/hostname': 'kafka-1.example.com',
      'external-dns.alpha.kubernetes.io/hostname': 'kafka-1.example.com',
      'external-dns.kubernetes.io/ttl': '60',
      'external-dns.alpha.kubernetes.io/ttl': '60',
    });
  });
});

describe('routeUpToDate', () => {
  const { route } = routeFor(desired, at('TLSRoute'));
  /** The route as the API server answers: defaults filled in, our status and the controller's beside it. */
  const served = (): RouteObject => {
    const r = structuredClone(route);
    r.metadata = { ...r.metadata, uid: 'r1', generation: 1, labels: { ...r.metadata?.labels, team: 'a' } };
    for (const b of r.spec?.rules?.[0].backendRefs ?? []) Object.assign(b, { group: '', kind: 'Service', weight: 1 });
    return { ...r, status: accepted(1).status };
  };
  it("holds what the API server defaults and the controller's status", () => {
    expect(routeUpToDate(route, served())).toBe(true);
  });
  it('not a route someone else changed: another listener, backend, name, a second backend, or a label removed', () => {
    const changes: ((r: RouteObject) => void)[] = [
      (r) => {
        if (r.spec?.parentRefs) r.spec.parentRefs[0].sectionName = 'other';
      },
      (r) => {
        if (r.spec?.rules?.[0].backendRefs) r.spec.rules[0].backendRefs[0].port = 9999;
      },
      (r) => {
        if (r.spec) r.spec.hostnames = ['elsewhere.example.com'];
      },
      (r) => r.spec?.rules?.[0].backendRefs?.push({ name: 'kafka-2', port: 9093 }),
      (r) => {
        if (r.metadata?.labels) delete r.metadata.labels['expose-sts.io/statefulset'];
      },
      (r) => {
        if (r.metadata) r.metadata.ownerReferences = [];
      },
    ];
    for (const change of changes) {
      const r = served();
      change(r);
      expect(routeUpToDate(route, r)).toBe(false);
    }
  });
});

describe('routeState', () => {
  it('counts Accepted only for the generation the route is at, and says why a refusal is one', () => {
    expect(routeState(accepted(2), gateway)).toEqual({ accepted: true });
    expect(routeState(accepted(3, 2), gateway)).toEqual({ accepted: false }); // an older generation's status
    expect(routeState(accepted(1, 1, 'False', 'NotAllowedByListeners'), gateway)).toEqual({
      accepted: false,
      reason: 'Accepted NotAllowedByListeners',
    });
    expect(routeState({ metadata: { name: 'x' } }, gateway)).toEqual({ accepted: false });
  });
});

/** The Gateway at `generation`, its listener "tls" with these conditions. */
const withListener = (conditions: Condition[], generation = 1): GatewayObject => ({
  ...serving,
  metadata: { ...serving.metadata, generation },
  status: { ...serving.status, listeners: [{ name: 'tls', conditions }] },
});
const programmed = { type: 'Programmed', status: 'False', reason: 'Invalid', observedGeneration: 1 };
const portUnavailable = {
  type: 'Accepted',
  status: 'False',
  reason: 'PortUnavailable',
  message: 'no entryPoint for port 443',
  observedGeneration: 1,
};
const portless = withListener([portUnavailable, programmed]);

describe('routeProblem', () => {
  const route = { ...routeFor(desired, at('TLSRoute')).route, ...accepted(1) };
  it("names what keeps a member's route from serving, in the order to fix it", () => {
    expect(routeProblem('TLSRoute', undefined, serving, gateway)).toEqual([
      'Missing',
      'no TLSRoute: run kubectl expose-sts again',
    ]);
    expect(routeProblem('TLSRoute', route, undefined, gateway)).toEqual(['Pending', 'gateway infra/edge not found']);
    const noListener = { ...serving, spec: { listeners: [] } };
    expect(routeProblem('TLSRoute', route, noListener, gateway)).toEqual([
      'Pending',
      'gateway infra/edge has no listener "tls"',
    ]);
    const noAddress = { ...serving, status: { conditions: [] } };
    expect(routeProblem('TLSRoute', route, noAddress, gateway)).toEqual([
      'Pending',
      'gateway infra/edge: gateway has no address yet',
    ]);
    expect(routeProblem('TLSRoute', route, serving, gateway)).toBeUndefined();
  });

  it("names the listener the Gateway's controller refused, which the route's NotAllowedByListeners does not", () => {
    const refused = { ...route, ...accepted(1, 1, 'False', 'NotAllowedByListeners') };
    expect(routeProblem('TLSRoute', refused, portless, gateway)).toEqual([
      'Pending',
      'gateway infra/edge: listener "tls" is not Accepted: PortUnavailable: no entryPoint for port 443',
    ]);
  });
});

describe('unservedGateway', () => {
  const pending = { type: 'Accepted', status: 'Unknown', reason: 'Pending', message: 'Waiting for controller' };
  const of = (conditions: Condition[]): GatewayObject => ({
    ...serving,
    spec: { ...serving.spec, gatewayClassName: 'eg' },
    status: { conditions },
  });
  it("is a Gateway whose Accepted is still the CRD's default, or missing; not one a controller said anything of", () => {
    expect(unservedGateway(of([pending]))).toBe(
      'no controller has taken it up yet (Waiting for controller): is the controller of gatewayclass eg running?',
    );
    expect(unservedGateway(of([]))).toBe(
      'no controller has taken it up yet: is the controller of gatewayclass eg running?',
    );
    expect(unservedGateway(of([{ ...pending, status: 'False', reason: 'Invalid' }]))).toBeUndefined();
    expect(unservedGateway(serving)).toBeUndefined();
    expect(unservedGateway(undefined)).toBeUndefined();
  });

  it("is what status says of a route not accepted, before the route's own silence", () => {
    const route = { ...routeFor(desired, at('TLSRoute')).route, metadata: { name: 'kafka-1', namespace: 'db' } };
    expect(routeProblem('TLSRoute', route, of([pending]), gateway)).toEqual([
      'Pending',
      'gateway infra/edge: no controller has taken it up yet (Waiting for controller): is the controller of gatewayclass eg running?',
    ]);
    expect(routeProblem('TLSRoute', route, serving, gateway)).toEqual([
      'Pending',
      'TLSRoute not accepted by gateway infra/edge yet',
    ]);
  });
});

describe('gatewayAnswered', () => {
  const at = (generation: number, conditions: Condition[]): GatewayObject => ({
    ...serving,
    metadata: { ...serving.metadata, generation },
    status: { conditions },
  });
  const accepted = (observedGeneration?: number, status = 'True') => ({ type: 'Accepted', status, observedGeneration });
  it('is a Gateway whose controller wrote Accepted (either way) for its current generation, or none at all', () => {
    expect(gatewayAnswered(at(2, [accepted(2)]))).toBe(true);
    expect(gatewayAnswered(at(2, [accepted(3, 'False')]))).toBe(true);
    expect(gatewayAnswered(at(2, [accepted(undefined)]))).toBe(true); // a controller that writes no generation
    expect(gatewayAnswered(undefined)).toBe(true);
  });

  it("is not one the controller has yet to see as it is now, or at all (the CRD's Unknown default)", () => {
    expect(gatewayAnswered(at(2, [accepted(1)]))).toBe(false); // a listener added since
    expect(gatewayAnswered(at(1, [accepted(undefined, 'Unknown')]))).toBe(false);
    expect(gatewayAnswered(at(1, [{ type: 'Programmed', status: 'True', observedGeneration: 1 }]))).toBe(false);
    expect(gatewayAnswered(at(1, []))).toBe(false);
  });
});

describe('listenerProblem', () => {
  it("says the first condition of the listener's that refuses it, for the Gateway's current generation", () => {
    expect(listenerProblem(portless, 'tls')).toBe(
      'listener "tls" is not Accepted: PortUnavailable: no entryPoint for port 443',
    );
    expect(listenerProblem(portless, 'other')).toBeUndefined();
    expect(listenerProblem(undefined, 'tls')).toBeUndefined();
    expect(listenerProblem(serving, 'tls')).toBeUndefined();
    const conflicted = { type: 'Conflicted', status: 'True', reason: 'HostnameConflict' };
    expect(listenerProblem(withListener([conflicted]), 'tls')).toBe('listener "tls" is Conflicted: HostnameConflict');
  });

  it('leaves out what an earlier generation of the Gateway said, and conditions it does not know', () => {
    expect(listenerProblem(withListener([portUnavailable, programmed], 2), 'tls')).toBeUndefined();
    const unknown = { type: 'Degraded', status: 'False', reason: 'AllGood' };
    expect(listenerProblem(withListener([unknown]), 'tls')).toBeUndefined();
  });
});

describe('routeRow', () => {
  const row = exposureOf(
    { namespace: 'db', statefulSet: 'kafka', ordinal: 1, pod: 'kafka-1' },
    service,
    undefined,
    new Map(),
  );
  const { route } = routeFor(desired, at('TLSRoute'));
  it("shows the member's name on the listener's port once attached, <pending> before", () => {
    const attached = routeRow(row, route, {
      gateway,
      attachment: { listener: 'tls', port: 443 },
      state: { accepted: true },
      address: '203.0.113.7',
    });
    expect(endpointText(attached)).toBe('kafka-1.example.com:443');
    expect(attached.type).toBe('TLSRoute');
    expect(attached.route?.gateway).toBe('infra/edge/tls');
    const pending = routeRow(row, route, {
      gateway,
      attachment: { listener: 'tls', port: 443 },
      state: { accepted: false },
      address: '203.0.113.7',
    });
    expect(endpointText(pending)).toBe('<pending>');
  });
});

describe('ownGateway', () => {
  it("is the StatefulSet's, with the source ranges where implementations copy them to their Service", () => {
    const g = ownGateway(
      { name: 'kafka', uid: 'u1' },
      { name: 'kafka', className: 'eg', portPerMember: false },
      {
        namespace: 'db',
        apiVersion: 'gateway.networking.k8s.io/v1',
        listeners: [],
        sourceRanges: ['10.0.0.0/8'],
        ownerReference: true,
      },
    );
    expect(g.metadata?.ownerReferences).toEqual([
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kafka', uid: 'u1' },
    ]);
    expect(g.spec?.infrastructure).toEqual({
      annotations: { 'service.beta.kubernetes.io/load-balancer-source-ranges': '10.0.0.0/8' },
    });
  });
});

describe('what status -w follows of the Gateway mode', () => {
  const routed = (kind?: string) => ({
    metadata: { annotations: kind ? { 'expose-sts.io/route': kind } : ({} as Record<string, string>) },
  });
  const routeTo = (namespace: string, parentNamespace?: string): RouteObject => ({
    metadata: { name: 'kafka-0', namespace },
    spec: { parentRefs: [{ name: 'edge', namespace: parentNamespace }] },
  });

  it('reads the route kinds from the Services, once each, in a fixed order', () => {
    expect(routeKindsNamed([routed('TCPRoute'), routed(), routed('TLSRoute'), routed('TCPRoute')])).toEqual([
      'TLSRoute',
      'TCPRoute',
    ]);
    expect(routeKindsNamed([routed(), routed('HTTPRoute')])).toEqual([]);
  });

  it("names the Gateways' namespaces: the command's first, then each route's parent (its own where it names none)", () => {
    expect(gatewayNamespacesOf([routeTo('db', 'infra'), routeTo('db'), routeTo('db', 'infra')], 'db')).toEqual([
      'db',
      'infra',
    ]);
    expect(gatewayNamespacesOf([], 'db')).toEqual(['db']);
  });

  it('widens only to what is wanted and not followed: a new kind, a new Gateway namespace (not across all)', () => {
    const wanted = { kinds: ['TLSRoute' as const], gatewayNamespaces: ['db'] };
    // Nothing followed yet (no routed member at the first read), then one appears.
    expect(beyondFollowed(undefined, wanted, false)).toEqual(wanted);
    expect(beyondFollowed(undefined, { kinds: [], gatewayNamespaces: ['db'] }, false)).toBeUndefined();
    const followed = { kinds: ['TLSRoute', 'Gateway'], gatewayNamespaces: ['db'] };
    expect(beyondFollowed(followed, wanted, false)).toBeUndefined();
    expect(beyondFollowed(followed, { kinds: ['TLSRoute', 'TCPRoute'], gatewayNamespaces: ['db'] }, false)).toEqual({
      kinds: ['TCPRoute'],
      gatewayNamespaces: [],
    });
    expect(beyondFollowed(followed, { kinds: ['TLSRoute'], gatewayNamespaces: ['db', 'infra'] }, false)).toEqual({
      kinds: [],
      gatewayNamespaces: ['infra'],
    });
    // Across all namespaces every Gateway is followed already.
    expect(beyondFollowed(followed, { kinds: ['TLSRoute'], gatewayNamespaces: ['db', 'infra'] }, true)).toBeUndefined();
  });
});

describe('idleOwnGateways', () => {
  const own = (name: string, statefulSet: string): GatewayObject => ({
    metadata: {
      name,
      namespace: 'db',
      labels: { 'app.kubernetes.io/managed-by': 'kubectl-expose-sts', 'expose-sts.io/statefulset': statefulSet },
    },
    spec: { gatewayClassName: 'c', listeners: [] },
  });
  const routeTo = (gateway: string): RouteObject => ({
    metadata: { name: 'kv-0', namespace: 'db' },
    spec: { parentRefs: [{ name: gateway }] },
  });
  const users: GatewayObject = {
    metadata: { name: 'edge', namespace: 'db' },
    spec: { gatewayClassName: 'c', listeners: [] },
  };
  it("names expose-sts's own Gateways no route attaches to, never a user's", () => {
    const gateways = [own('kv', 'kv'), own('zk', 'zk'), users];
    expect(idleOwnGateways(gateways, [routeTo('kv')], 'kv')).toEqual([]);
    expect(idleOwnGateways(gateways, [routeTo('edge')], 'kv')).toEqual([gateways[0]]);
    // Across StatefulSets (status without a name): each own Gateway without a route.
    expect(idleOwnGateways(gateways, [routeTo('kv')])).toEqual([gateways[1]]);
    // Routes that could not be listed: nothing is called idle.
    expect(idleOwnGateways(gateways, undefined, 'kv')).toEqual([]);
  });
});
