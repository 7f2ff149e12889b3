// What status and expose --watch follow for as long as they run, as client-go's informers do: each kind LISTed once,
// then watched from that LIST's resourceVersion (watch.ts resumes after every drop and lists again on 410 Gone), and
// kept in a map by namespace/name. No polling: an idle StatefulSet costs only the watches' renewals (bench/). The
// caller is told that something changed, and reads the whole state when it is ready to.
import type { V1ConfigMap, V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import type { Inventory } from '../plan/drift.ts';
import type { GatewayObject } from '../plan/gateway.ts';
import { managedSelector, podNameLabel } from '../plan/ownership.ts';
import type { RouteObject } from '../plan/route.ts';
import { appsV1, listJson, namespaced, withRetry, type Kube } from './client.ts';
import { collectionOf, type GatewayKind, type RoutesFollowed } from './gateway.ts';
import { slimPod } from './pod.ts';
import { openWatch, type OpenWatch, type Versioned, withoutManagedFields } from './watch.ts';

/**
 * What is followed: one StatefulSet or every one, in the namespace or in all; pods and ConfigMaps when shown; the
 * Gateway mode's routes and Gateways where status -w has found them or expose --watch has written them (a Widening
 * grows to those found later), at the versions these used.
 */
export interface FollowScope {
  allNamespaces: boolean;
  statefulSet?: string;
  pods: boolean;
  configMaps: boolean;
  routes?: RoutesFollowed;
}

interface Followed extends Inventory {
  configMaps: V1ConfigMap[];
}

/** A change to one followed object (undefined after a re-list, which may have dropped any). */
export type Change = { kind: string; object?: unknown; deleted: boolean };

interface Following {
  /** Everything followed, as it is now. */
  now(): Followed;
  /** Resolves once closed; rejects when a watch fails for good (a refusal no retry mends). */
  done: Promise<void>;
  close(): void;
}

/** A following whose scope may grow while it runs: the Gateway mode's routes and Gateways, found after it started. */
export interface Widening extends Following {
  readonly scope: FollowScope;
  /** Follows this scope from here on; a refused LIST or watch is thrown, and the scope followed stays as it was. */
  widen(scope: FollowScope): Promise<void>;
}

interface Kind<T> {
  kind: string;
  resource: string;
  group?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** The namespace followed, where not the connection's (a Gateway's); ignored across all namespaces. */
  namespace?: string;
  /** What of each object is kept (of a pod its name, node and readiness; managedFields only where read: Services'). */
  keep: (obj: T) => T;
}

class Cache<T extends Versioned> {
  readonly items = new Map<string, T>();
  private watch?: OpenWatch<T>;
  private closed = false;
  private readonly kube: Kube;
  private readonly spec: Kind<T>;
  private readonly allNamespaces: boolean;

  constructor(kube: Kube, spec: Kind<T>, allNamespaces: boolean) {
    this.kube = kube;
    this.spec = spec;
    this.allNamespaces = allNamespaces;
  }

  private get namespace(): string {
    return this.spec.namespace ?? this.kube.namespace;
  }

  private get where(): string {
    return this.allNamespaces ? 'in all namespaces' : `in namespace "${this.namespace}"`;
  }

  private get path(): string {
    const { resource, group = '/api/v1' } = this.spec;
    return this.allNamespaces ? `${group}/${resource}` : namespaced(this.namespace, resource, undefined, group);
  }

  private readonly keep = (obj: T): T => {
    const kept = this.spec.keep(obj);
    // Lists across namespaces carry each item's namespace; namespaced lists may not.
    if (kept.metadata) kept.metadata.namespace ??= this.namespace;
    return kept;
  };

  /**
   * Closes the watch, and one still to be opened: a following that failed to start (another kind's watch refused)
   * leaves no watch of it running, to be renewed for as long as the process lives, or failing unheard.
   */
  close(): void {
    this.closed = true;
    this.watch?.close();
  }

  private key = (obj: T) => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;

  private async list(): Promise<{ items: T[]; resourceVersion: string }> {
    const { labelSelector, fieldSelector, resource } = this.spec;
    const list = await withRetry(this.kube, `list ${resource} ${this.where}`, () =>
      listJson<T>(this.kube, this.path, { labelSelector, fieldSelector }, this.keep),
    );
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  /**
   * The LIST, then the watch from its version; `changed` hears of every event. What it gives is wrapped: an async
   * function returning the follow's promise would wait for it.
   */
  async start(changed: (c: Change) => void): Promise<{ followed: Promise<void> }> {
    const first = await this.list();
    for (const item of first.items) this.items.set(this.key(item), item);
    if (this.closed) return { followed: Promise.resolve() };
    const { labelSelector, fieldSelector, resource, kind } = this.spec;
    this.watch = await openWatch<T>(this.kube, {
      what: `watch ${resource} ${this.where}`,
      path: this.path,
      labelSelector,
      fieldSelector,
      resourceVersion: first.resourceVersion,
      relist: async () => {
        const fresh = await this.list();
        // Objects deleted while the history was lost are in no event: the fresh list replaces the map.
        this.items.clear();
        changed({ kind, deleted: false });
        return fresh;
      },
      shown: this.keep,
    });
    if (this.closed) this.watch.close(); // closed while it opened: it follows nothing
    const followed = this.watch.follow((obj, deleted) => {
      if (deleted) this.items.delete(this.key(obj));
      else this.items.set(this.key(obj), obj);
      changed({ kind, object: obj, deleted });
    });
    return { followed };
  }
}

/**
 * Services keep their managedFields: status tells who modified one from them (plan/drift.ts). The other kinds are
 * kept as small as the plan reads them.
 */
function kindsOf(scope: FollowScope) {
  const managed = managedSelector(scope.statefulSet);
  return {
    services: { kind: 'Service', resource: 'services', labelSelector: managed, keep: (s: V1Service) => s },
    statefulSets: {
      kind: 'StatefulSet',
      resource: 'statefulsets',
      group: appsV1,
      fieldSelector: scope.statefulSet ? `metadata.name=${scope.statefulSet}` : undefined,
      keep: withoutManagedFields<V1StatefulSet>,
    },
    pods: { kind: 'Pod', resource: 'pods', labelSelector: podNameLabel, keep: slimPod },
    configMaps: {
      kind: 'ConfigMap',
      resource: 'configmaps',
      labelSelector: managed,
      keep: withoutManagedFields<V1ConfigMap>,
    },
  };
}

/**
 * The Gateway mode's kinds: the managed routes of each kind read, and the Gateways of the namespaces the routes name
 * (or of all). Items are named by their kind, which a list's items may lack.
 */
function gatewayKindsOf(scope: FollowScope, routes: RoutesFollowed): Kind<RouteObject | GatewayObject>[] {
  const spec = (kind: GatewayKind, version: string) => ({
    kind,
    ...collectionOf(kind, version),
    keep: (o: RouteObject | GatewayObject) => ({ ...withoutManagedFields(o), kind }),
  });
  const { Gateway: gatewayVersion, ...routeVersions } = routes.versions;
  const routeKinds = Object.entries(routeVersions).map(([kind, version]) => ({
    ...spec(kind as GatewayKind, version),
    labelSelector: managedSelector(scope.statefulSet),
  }));
  if (!gatewayVersion) return routeKinds;
  const gateways = {
    ...spec('Gateway', gatewayVersion),
    fieldSelector: routes.gatewayName && `metadata.name=${routes.gatewayName}`,
  };
  const namespaces = scope.allNamespaces ? [undefined] : routes.gatewayNamespaces;
  return [...routeKinds, ...namespaces.map((namespace) => ({ ...gateways, namespace }))];
}

/** The followed routes and Gateways, apart. */
function gatewayObjects(caches: Cache<RouteObject | GatewayObject>[]) {
  const all = caches.flatMap((c) => [...c.items.values()]);
  return {
    routes: all.filter((o): o is RouteObject => o.kind !== 'Gateway'),
    gateways: all.filter((o): o is GatewayObject => o.kind === 'Gateway'),
  };
}

/**
 * Lists and watches what the scope names; `changed` is called for every event, from the first one after the LISTs.
 * A refused LIST or watch is thrown here, before the caller relies on it. Widened, it lists and watches the wider
 * scope whole before it closes the narrower one's watches, so no event falls between the two: a widening is rare
 * (once a mode changes), and one more LIST of each kind keeps this the informers' simple model.
 */
export async function followInventory(kube: Kube, scope: FollowScope, changed: (c: Change) => void): Promise<Widening> {
  let current = await followScope(kube, scope, changed);
  let closed = false;
  const widening = {
    scope,
    now: () => current.now(),
    close: () => {
      closed = true;
      current.close();
    },
    done: (async () => {
      // Ends when the following now current ends: one closed because it was widened is not the end.
      for (;;) {
        const following = current;
        await following.done.catch((err: unknown) => {
          if (following === current) throw err;
        });
        if (following === current || closed) return;
      }
    })(),
    async widen(wider: FollowScope): Promise<void> {
      const next = await followScope(kube, wider, changed);
      if (closed) return next.close();
      const before = current;
      current = next;
      widening.scope = wider;
      before.close();
    },
  };
  return widening;
}

async function followScope(kube: Kube, scope: FollowScope, changed: (c: Change) => void): Promise<Following> {
  const kinds = kindsOf(scope);
  const services = new Cache<V1Service>(kube, kinds.services, scope.allNamespaces);
  const statefulSets = new Cache<V1StatefulSet>(kube, kinds.statefulSets, scope.allNamespaces);
  const pods = new Cache<V1Pod>(kube, kinds.pods, scope.allNamespaces);
  const configMaps = new Cache<V1ConfigMap>(kube, kinds.configMaps, scope.allNamespaces);
  const gatewayApi = scope.routes
    ? gatewayKindsOf(scope, scope.routes).map((k) => new Cache(kube, k, scope.allNamespaces))
    : [];
  const caches = [
    services,
    statefulSets,
    ...(scope.pods ? [pods] : []),
    ...(scope.configMaps ? [configMaps] : []),
    ...gatewayApi,
  ];
  const close = () => {
    for (const c of caches) c.close();
  };
  let ready = false;
  const started = await Promise.all(caches.map((c) => c.start((change) => ready && changed(change)))).catch(
    (err: unknown) => {
      close();
      throw err;
    },
  );
  ready = true;
  const done = Promise.all(started.map((s) => s.followed)).then(() => undefined);
  done.catch(close);
  return {
    now: () => ({
      services: [...services.items.values()],
      statefulSets: [...statefulSets.items.values()],
      pods: [...pods.items.values()],
      nodes: [],
      configMaps: [...configMaps.items.values()],
      ...(scope.routes && gatewayObjects(gatewayApi)),
    }),
    done,
    close,
  };
}
