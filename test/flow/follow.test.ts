// What status and expose --watch follow (kube/follow.ts): each kind listed, then watched from the list's version; a
// 410 Gone lists again and replaces what was kept, so an object deleted while the history was lost is forgotten.
import type { V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { FakeApi, status, WatchStream } from './fake-api.ts';
import { apiOn, isWatch, list, notWatch, ns, paths } from './harness.ts';

const service = (name: string, rv = '101'): V1Service => ({
  metadata: { name, namespace: 'data', resourceVersion: rv, managedFields: [] },
});
const names = (items: { metadata?: { name?: string } }[]) => items.map((i) => i.metadata?.name).sort();

describe('following the inventory', () => {
  it('keeps each kind from its LIST and its watch, and lists again on 410 Gone', async () => {
    const [first, second] = [new WatchStream(), new WatchStream()];
    const fake = new FakeApi()
      .onWhere(
        'GET',
        paths.services,
        notWatch,
        list([service('db-0'), service('db-1')], '100'),
        list([service('db-2')], '300'),
      )
      .onWhere('GET', paths.services, isWatch, { watch: first }, { watch: second })
      .onWhere('GET', paths.statefulSets, notWatch, list([], '100'))
      .onWhere('GET', paths.statefulSets, isWatch, { watch: new WatchStream() });
    const changes: string[] = [];
    const following = await apiOn(fake).followInventory(
      { allNamespaces: false, statefulSet: 'db', pods: false, configMaps: false },
      (c) => changes.push(`${c.kind} ${(c.object as V1Service | undefined)?.metadata?.name ?? '(listed again)'}`),
    );
    expect(names(following.now().services)).toEqual(['db-0', 'db-1']);
    const watches = fake.requests.filter((r) => isWatch(r) && r.path === paths.services);
    expect(watches[0].query).toMatchObject({ resourceVersion: '100', allowWatchBookmarks: 'true' });
    expect(watches[0].query.labelSelector).toContain('expose-sts.io/statefulset=db');

    first.event('DELETED', service('db-1', '200'));
    await new Promise((r) => setTimeout(r, 20));
    expect(names(following.now().services)).toEqual(['db-0']);
    // The history from 200 is gone: the fresh LIST replaces the map (db-0 was deleted meanwhile, and is forgotten).
    first.error(410, 'Expired', 'too old resource version: 200 (250)');
    await new Promise((r) => setTimeout(r, 50));
    expect(names(following.now().services)).toEqual(['db-2']);
    const resumed = fake.requests.filter((r) => isWatch(r) && r.path === paths.services);
    expect(resumed.at(-1)?.query.resourceVersion).toBe('300');
    expect(changes).toEqual(['Service db-1', 'Service (listed again)', 'Service db-2']);
    // managedFields stay on Services: status tells who modified one from them.
    expect(following.now().services[0].metadata?.managedFields).toEqual([]);
    following.close();
    await following.done;
    expect(fake.unexpected).toEqual([]);
  });

  it("widens to the Gateway mode's routes and Gateways: the wider scope listed and watched before the narrower ends", async () => {
    const tlsRoutes = `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/tlsroutes`;
    const gateways = `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/gateways`;
    const [narrow, wide] = [new WatchStream(), new WatchStream()];
    const route = { metadata: { name: 'db-0', namespace: ns, resourceVersion: '150' } };
    const fake = new FakeApi()
      .onWhere('GET', paths.services, notWatch, list([service('db-0')], '100'), list([service('db-0')], '150'))
      .onWhere('GET', paths.services, isWatch, { watch: narrow }, { watch: wide })
      .onWhere('GET', paths.statefulSets, notWatch, list([], '100'))
      .onWhere('GET', paths.statefulSets, isWatch, { watch: new WatchStream() })
      .onWhere('GET', tlsRoutes, notWatch, list([route], '150'))
      .onWhere('GET', tlsRoutes, isWatch, { watch: new WatchStream() })
      .onWhere('GET', gateways, notWatch, list([], '150'))
      .onWhere('GET', gateways, isWatch, { watch: new WatchStream() });
    const scope = { allNamespaces: false, statefulSet: 'db', pods: false, configMaps: false };
    const following = await apiOn(fake).followInventory(scope, () => undefined);
    expect(following.now().routes).toBeUndefined();
    let ended = false;
    void following.done.then(() => {
      ended = true;
    });
    const routes = { versions: { TLSRoute: 'v1', Gateway: 'v1' }, gatewayNamespaces: [ns] };
    await following.widen({ ...scope, routes });
    expect(following.scope.routes).toEqual(routes);
    expect(names(following.now().routes ?? [])).toEqual(['db-0']);
    expect(fake.requests.filter((r) => isWatch(r) && r.path === tlsRoutes)[0].query.labelSelector).toContain(
      'expose-sts.io/statefulset=db',
    );
    // The narrower watches are closed (their streams ended by the client's abort); the wider ones are followed.
    expect(narrow.body.destroyed).toBe(true);
    wide.event('ADDED', service('db-9', '170'));
    await new Promise((r) => setTimeout(r, 20));
    expect(names(following.now().services)).toEqual(['db-0', 'db-9']);
    // Closing the narrower following was not the end: only closing the widened one is.
    expect(ended).toBe(false);
    following.close();
    await following.done;
    expect(fake.unexpected).toEqual([]);
  });

  it('leaves no watch running when another kind is refused: one still opening is closed once it opens', async () => {
    const tlsRoutes = `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/tlsroutes`;
    const late = new WatchStream();
    let open = () => {};
    const opening = new Promise<void>((r) => {
      open = r;
    });
    const forbidden = status(403, 'Forbidden', 'tlsroutes.gateway.networking.k8s.io is forbidden: cannot watch');
    const fake = new FakeApi()
      .onWhere('GET', paths.services, notWatch, list([service('db-0')], '100'))
      .onWhere('GET', paths.services, isWatch, { after: opening, reply: { watch: late } })
      .onWhere('GET', paths.statefulSets, notWatch, list([], '100'))
      .onWhere('GET', paths.statefulSets, isWatch, { watch: new WatchStream() })
      .onWhere('GET', tlsRoutes, notWatch, list([], '100'))
      .onWhere('GET', tlsRoutes, isWatch, { status: 403, body: forbidden });
    const scope = {
      allNamespaces: false,
      statefulSet: 'db',
      pods: false,
      configMaps: false,
      routes: { versions: { TLSRoute: 'v1' }, gatewayNamespaces: [ns] },
    };
    await expect(apiOn(fake).followInventory(scope, () => undefined)).rejects.toThrow(/forbidden/);
    // The Services' watch opens after the refusal: it is closed at once, not left to be renewed for the process's life.
    open();
    await new Promise((r) => setTimeout(r, 50));
    expect(late.body.destroyed).toBe(true);
    expect(fake.unexpected).toEqual([]);
  });
});
