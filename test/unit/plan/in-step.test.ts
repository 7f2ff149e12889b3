import type { V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/plan/diff.ts';
import {
  actionNotes,
  gatewayNotes,
  type Kept,
  orphanNote,
  orphansOf,
  podMoved,
  roundNeeded,
  routeNotes,
  shapeOf,
} from '../../../src/plan/in-step.ts';
import type { GatewayObject } from '../../../src/plan/gateway.ts';
import { ownGateway, routeFor, type RouteObject } from '../../../src/plan/route.ts';
import { desiredServices } from '../../../src/plan/service.ts';
import type { Exposure } from '../../../src/plan/exposure.ts';
import { rowChanges } from '../../../src/plan/row-changes.ts';
import { options, sts } from './fixtures.ts';

const desired = desiredServices(sts(), options({ type: 'LoadBalancer' }), 'data');
if (!Array.isArray(desired)) throw desired;
/** managedFields' time as the API server sends it (a string; the client's type says Date). */
const at = (hhmm: string) => `2026-12-06T${hhmm}:00Z` as unknown as Date;
/** A member's Service as the API server answers the apply: ours, with our managedFields entry. */
const written = (i: number, ip?: string): V1Service => ({
  ...desired[i].service,
  metadata: {
    ...desired[i].service.metadata,
    uid: `svc-${i}`,
    managedFields: [{ manager: 'kubectl-expose-sts', operation: 'Apply', time: at('05:00') }],
  },
  status: ip ? { loadBalancer: { ingress: [{ ip }] } } : {},
});
/** Each member's route, as the Gateway mode plans them, and one as listed after the controller Accepted it. */
const routes = desired.map((d, i) =>
  routeFor(d, {
    kind: 'TCPRoute',
    apiVersion: 'gateway.networking.k8s.io/v1',
    gateway: { namespace: 'infra', name: 'edge' },
    attachment: { listener: `mydb-${i}`, port: 5432 + i },
    backendPort: 5432,
  }),
);
const listedRoute = (i: number): RouteObject => ({
  ...structuredClone(routes[i].route),
  status: { parents: [{ parentRef: { name: 'edge' }, conditions: [{ type: 'Accepted', status: 'True' }] }] },
});
const kept = (): Kept => ({
  desired: new Map(desired.map((d) => [d.name, d])),
  current: new Map(desired.map((d, i) => [d.name, written(i, `198.18.0.${i + 1}`)])),
  statefulSet: shapeOf(sts()),
  orphans: new Set(),
  routes: new Map(routes.map((r) => [r.name, r.route])),
  gateway: { namespace: 'infra', name: 'edge', generation: 2 },
});
const change = (kind: string, object: unknown, deleted = false) => ({ kind, object, deleted });

describe('roundNeeded: what a watched change costs', () => {
  it('nothing for our own writes, the StatefulSet status, or an address already known', () => {
    const k = kept();
    expect(roundNeeded(change('Service', written(1, '198.18.0.2')), k)).toBe(false);
    const status = { ...sts(), status: { readyReplicas: 2 } };
    expect(roundNeeded(change('StatefulSet', status), k)).toBe(false);
  });
  it('a round for a scale, a re-created or deleted StatefulSet, and a re-list', () => {
    const k = kept();
    expect(roundNeeded(change('StatefulSet', sts({ replicas: 5 })), k)).toBe(true);
    expect(roundNeeded(change('StatefulSet', sts({ start: 1 })), k)).toBe(true);
    const recreated = sts();
    recreated.metadata = { ...recreated.metadata, uid: 'uid-2' };
    expect(roundNeeded(change('StatefulSet', recreated), k)).toBe(true);
    expect(roundNeeded(change('StatefulSet', sts(), true), k)).toBe(true);
    expect(roundNeeded({ kind: 'Service', deleted: false }, k)).toBe(true);
  });
  it('a round for a member deleted, changed by someone else, or given another address', () => {
    const k = kept();
    expect(roundNeeded(change('Service', written(0), true), k)).toBe(true);
    const edited = written(0, '198.18.0.1');
    edited.spec = { ...edited.spec, selector: { app: 'mydb' } };
    expect(roundNeeded(change('Service', edited), k)).toBe(true);
    expect(roundNeeded(change('Service', written(0, '198.18.0.9')), k)).toBe(true);
  });
  it("a round for a member's route deleted or changed, not for its controller's status or another route", () => {
    const k = kept();
    expect(roundNeeded(change('TCPRoute', listedRoute(1)), k)).toBe(false);
    expect(roundNeeded(change('TCPRoute', listedRoute(1), true), k)).toBe(true);
    const moved = listedRoute(1);
    for (const p of moved.spec?.parentRefs ?? []) p.sectionName = 'mydb-2';
    expect(roundNeeded(change('TCPRoute', moved), k)).toBe(true);
    const other = listedRoute(1);
    other.metadata = { ...other.metadata, name: 'unrelated' };
    expect(roundNeeded(change('TCPRoute', other, true), k)).toBe(false);
  });
  it('a round for a route Accepted where its row was shown without it (a refusal its controller took back)', () => {
    const k = kept();
    const row = (accepted: boolean) =>
      ({
        ordinal: 1,
        pod: 'mydb-1',
        route: { kind: 'TCPRoute', name: 'mydb-1', gateway: 'infra/edge/mydb-1', accepted },
      }) as Exposure;
    const withStatus = (status: string): RouteObject => ({
      ...structuredClone(routes[1].route),
      status: {
        parents: [{ parentRef: { name: 'edge', namespace: 'infra' }, conditions: [{ type: 'Accepted', status }] }],
      },
    });
    expect(roundNeeded(change('TCPRoute', withStatus('True')), k, [row(false)])).toBe(true);
    expect(roundNeeded(change('TCPRoute', withStatus('True')), k, [row(true)])).toBe(false);
    expect(roundNeeded(change('TCPRoute', withStatus('False')), k, [row(false)])).toBe(false);
  });
  it('a round for its Gateway deleted or given a new spec, not for its status or another Gateway', () => {
    const k = kept();
    const gw = (name: string, generation: number) => ({ metadata: { name, namespace: 'infra', generation } });
    expect(roundNeeded(change('Gateway', gw('edge', 2)), k)).toBe(false);
    expect(roundNeeded(change('Gateway', gw('edge', 3)), k)).toBe(true);
    expect(roundNeeded(change('Gateway', gw('edge', 2), true), k)).toBe(true);
    expect(roundNeeded(change('Gateway', gw('other', 9)), k)).toBe(false);
  });
  it('an orphan once: reported, it needs no further round; its deletion none at all', () => {
    const k = kept();
    const orphan = written(2);
    orphan.metadata = { ...orphan.metadata, name: 'mydb-7', uid: 'svc-7' };
    expect(roundNeeded(change('Service', orphan), k)).toBe(true);
    k.orphans.add('svc-7');
    expect(roundNeeded(change('Service', orphan), k)).toBe(false);
    expect(roundNeeded(change('Service', orphan, true), k)).toBe(false);
  });
});

describe('actionNotes and orphans: one line a person reads per thing done', () => {
  const act = (kind: Action['kind'], i: number, existing?: V1Service): Action => ({
    kind,
    desired: desired[i],
    existing,
  });
  it('names new members created, members restored and who had changed them', () => {
    const k = kept();
    k.desired.delete('mydb-2');
    const edited = written(1);
    edited.metadata?.managedFields?.push({
      manager: 'kubectl-edit',
      operation: 'Update',
      time: at('05:01'),
    });
    const notes = actionNotes([act('unchanged', 0), act('update', 1, edited), act('create', 2)], k, false);
    expect(notes.map((n) => n.message)).toEqual([
      'service/mydb-1 restored: it was changed by kubectl-edit',
      'service/mydb-2 created for pod mydb-2',
    ]);
    expect(actionNotes([act('create', 0)], k, false)[0]).toMatchObject({ reason: 'Restored' });
    expect(actionNotes([act('create', 0)], k, true)[0]).toMatchObject({ reason: 'Created' });
  });
  it('names the routes created and restored, and none that is as applied', () => {
    const k = kept();
    k.routes.delete('mydb-2');
    const changed = listedRoute(1);
    for (const b of changed.spec?.rules?.[0].backendRefs ?? []) b.port = 1;
    const existing = new Map([
      ['mydb-0', listedRoute(0)],
      ['mydb-1', changed],
    ]);
    expect(routeNotes(routes, existing, k, false).map((n) => n.message)).toEqual([
      'tcproute/mydb-1 restored: it was changed',
      'tcproute/mydb-2 created for pod mydb-2',
    ]);
    expect(routeNotes(routes, new Map(), k, false)[0]).toMatchObject({
      reason: 'Restored',
      message: 'tcproute/mydb-0 restored: it was deleted',
    });
    expect(routeNotes(routes, new Map(), k, true)[0]).toMatchObject({ reason: 'Created' });
  });
  it('names its own Gateway created, restored or configured, and says nothing when it is as applied', () => {
    const listener = (i: number) => ({ name: `mydb-${i}`, port: 5432 + i, protocol: 'TCP' });
    const own = (members: number): GatewayObject =>
      ownGateway(
        { name: 'mydb', uid: 'sts-uid' },
        { name: 'edge', namespace: 'infra', className: 'eg', portPerMember: true },
        {
          namespace: 'infra',
          apiVersion: 'gateway.networking.k8s.io/v1',
          listeners: Array.from({ length: members }, (_, i) => listener(i)),
          sourceRanges: [],
          ownerReference: true,
        },
      );
    /** As the API server answers: the spec as applied with its defaults, a generation, and the controller's status. */
    const listed = (g: GatewayObject, generation: number): GatewayObject => ({
      ...structuredClone(g),
      metadata: { ...g.metadata, uid: 'gw-uid', generation },
      spec: {
        ...g.spec,
        listeners: g.spec?.listeners?.map((l) => ({ ...l, allowedRoutes: { namespaces: { from: 'Same' } } })),
      },
      status: { addresses: [{ value: '127.0.0.1' }] },
    });
    const messages = (notes: { message: string }[]) => notes.map((n) => n.message);
    const k = kept(); // its Gateway last seen at generation 2
    expect(gatewayNotes(undefined, undefined, k, false)).toEqual([]); // a Gateway the user has: never written
    expect(gatewayNotes(own(3), listed(own(3), 2), k, false)).toEqual([]);
    expect(messages(gatewayNotes(own(3), undefined, k, false))).toEqual(['gateway/edge restored: it was deleted']);
    expect(messages(gatewayNotes(own(3), listed(own(2), 3), k, false))).toEqual([
      'gateway/edge restored: it was changed',
    ]);
    // A listener for a member a scale-up added is this watch's own change, and the first Gateway is a creation.
    expect(messages(gatewayNotes(own(3), listed(own(2), 2), k, false))).toEqual(['gateway/edge configured']);
    expect(messages(gatewayNotes(own(1), undefined, { ...k, gateway: undefined }, false))).toEqual([
      'gateway/edge created',
    ]);
    expect(gatewayNotes(own(3), undefined, k, true)[0]).toMatchObject({ reason: 'Created' });
  });
  it("finds the Services of ordinals a scale-down removed, and only the StatefulSet's managed ones", () => {
    const services = [0, 1, 2].map((i) => written(i));
    const foreign = { metadata: { name: 'mydb-2-by-hand', labels: { app: 'mydb' } } };
    const found = orphansOf('mydb', [...services, foreign], new Set(['mydb-0', 'mydb-1']));
    expect(found.map((s) => s.metadata?.name)).toEqual(['mydb-2']);
    expect(orphanNote(found[0], false, 'kubectl expose-sts prune mydb -n data deletes it').message).toBe(
      'service/mydb-2 is orphaned: ordinal 2 is no member now (kubectl expose-sts prune mydb -n data deletes it)',
    );
    expect(orphanNote(found[0], true, '').message).toBe('service/mydb-2 deleted: ordinal 2 is no member now');
  });
});

describe('rowChanges: the rows a watch prints after the first table', () => {
  const row = (ordinal: number, endpoint?: string, state = 'Ready'): Exposure & { state: string } => ({
    namespace: 'data',
    statefulSet: 'mydb',
    ordinal,
    pod: `mydb-${ordinal}`,
    ready: true,
    state,
    service: endpoint
      ? {
          name: `mydb-${ordinal}`,
          uid: '',
          type: 'LoadBalancer',
          nodePorts: [],
          ingress: [],
          endpoint: { host: endpoint, ports: [] },
        }
      : undefined,
  });
  const shown = (r: Exposure & { state: string }) => `${r.state} ${r.service?.endpoint?.host ?? '<pending>'}`;
  it('a new member ADDED, a changed one MODIFIED, a gone one DELETED, the unchanged not at all', () => {
    const before = [row(0, 'a'), row(1), row(2, 'c')];
    const after = [row(0, 'a'), row(1, 'b'), row(3, 'd')];
    expect(rowChanges(before, after, shown).map((c) => [c.event, c.row.ordinal])).toEqual([
      ['MODIFIED', 1],
      ['ADDED', 3],
      ['DELETED', 2],
    ]);
  });
  it('tells a Service an earlier --name-template left apart from the one in use on the same ordinal', () => {
    const old = { ...row(0, 'x', 'Orphaned'), service: { ...row(0, 'x').service!, name: 'mydb-0-old' } };
    expect(rowChanges([row(0, 'a'), old], [row(0, 'a')], shown).map((c) => [c.event, c.row.service?.name])).toEqual([
      ['DELETED', 'mydb-0-old'],
    ]);
  });
});

describe("podMoved: a NodePort endpoint is its node's address", () => {
  const member = (type: string): Exposure => ({
    namespace: 'data',
    statefulSet: 'mydb',
    ordinal: 0,
    pod: 'mydb-0',
    node: 'node-a',
    ready: true,
    type,
    service: { name: 'mydb-0', uid: 'u', type, nodePorts: [], ingress: [] },
  });
  const pod = (node?: string) => ({
    metadata: { name: 'mydb-0' },
    spec: node ? { nodeName: node, containers: [] } : undefined,
  });
  it("needs a round when a NodePort member's pod runs elsewhere now, and not otherwise", () => {
    expect(podMoved(pod('node-b'), [member('NodePort')])).toBe(true);
    expect(podMoved(pod('node-a'), [member('NodePort')])).toBe(false);
    expect(podMoved(pod(), [member('NodePort')])).toBe(false); // not scheduled yet
    expect(podMoved(pod('node-b'), [member('LoadBalancer')])).toBe(false);
    // As a watched change: a round for the move, none for a pod deleted (its replacement is the change that counts).
    expect(roundNeeded(change('Pod', pod('node-b')), kept(), [member('NodePort')])).toBe(true);
    expect(roundNeeded(change('Pod', pod('node-b'), true), kept(), [member('NodePort')])).toBe(false);
  });
});
