// The Gateway API's objects (gateway.networking.k8s.io), which are CRDs: which versions this cluster serves of each
// kind (discovery: TLSRoute is v1 since Gateway API v1.5, v1alpha2 or v1alpha3 before, and clusters run either),
// reading a Gateway, server-side apply of routes and of expose-sts's own Gateway, their lists and watches for the
// wait and for status, and uid-checked deletes for prune.
import { CommandError, httpStatusOf } from '../errors.ts';
import { nameOf } from '../plan/meta.ts';
import { gatewayGroup, type GatewayObject, type RouteKind } from '../plan/gateway.ts';
import { gatewayNamespacesOf, type RouteObject } from '../plan/route.ts';
import { orAbsent } from './absent.ts';
import { applyObject, deleteListed, type Kube, listJson, namespaced, requestJson, withRetry } from './client.ts';
import { openWatch, type OpenWatch, withoutManagedFields } from './watch.ts';

/** The kinds the Gateway mode uses, by resource name. */
const resources = { Gateway: 'gateways', TLSRoute: 'tlsroutes', TCPRoute: 'tcproutes' } as const;
export type GatewayKind = keyof typeof resources;

/** The version this cluster serves each kind at (its preferred one that has it); absent: not installed. */
export type GatewayApi = Partial<Record<GatewayKind, string>>;

interface GroupDiscovery {
  preferredVersion?: { version: string };
  versions?: { version: string }[];
}

/**
 * Which Gateway API kinds this cluster serves, and at which version: the group's preferred version first, then the
 * others as the server lists them. {} when the group is not installed at all.
 */
export async function gatewayApi(kube: Kube): Promise<GatewayApi> {
  const group = await orAbsent(
    withRetry(kube, `discover API group ${gatewayGroup}`, () =>
      requestJson<GroupDiscovery>(kube, 'GET', `/apis/${gatewayGroup}`),
    ),
    [404],
    () => undefined,
  );
  if (!group) return {};
  const preferred = group.preferredVersion?.version;
  const versions = [...new Set([preferred, ...(group.versions ?? []).map((v) => v.version)])].filter(
    (v): v is string => !!v,
  );
  // Every version at once: one round trip, not one per version (a cluster with the experimental channel serves four;
  // bench:gateway's remote expose --gateway, 15 rounds: 1022 ms → 899 ms).
  const lists = await Promise.all(
    versions.map((version) =>
      withRetry(kube, `discover ${gatewayGroup}/${version}`, () =>
        requestJson<{ resources?: { name: string }[] }>(kube, 'GET', `/apis/${gatewayGroup}/${version}`),
      ),
    ),
  );
  const found: GatewayApi = {};
  lists.forEach((list, i) => {
    const names = new Set((list.resources ?? []).map((r) => r.name));
    for (const [kind, plural] of Object.entries(resources) as [GatewayKind, string][])
      if (names.has(plural)) found[kind] ??= versions[i];
  });
  return found;
}

const groupPath = (version: string) => `/apis/${gatewayGroup}/${version}`;

export async function getGateway(
  kube: Kube,
  namespace: string,
  name: string,
  version: string,
): Promise<GatewayObject | undefined> {
  const read = withRetry(kube, `get gateway "${name}" in namespace "${namespace}"`, () =>
    requestJson<GatewayObject>(kube, 'GET', namespaced(namespace, 'gateways', name, groupPath(version))),
  );
  return orAbsent(read, [404], () => undefined);
}

/** Names for shell completion: the namespace's Gateways, or the GatewayClasses; none without the Gateway API. */
export async function gatewayNames(kube: Kube, of: 'gateways' | 'gatewayclasses'): Promise<string[]> {
  const version = (await gatewayApi(kube)).Gateway;
  if (!version) return [];
  const path =
    of === 'gateways'
      ? namespaced(kube.namespace, 'gateways', undefined, groupPath(version))
      : `${groupPath(version)}/${of}`;
  return (await listJson<GatewayObject>(kube, path, {})).items.map(nameOf);
}

/**
 * Whether a GatewayClass of that name exists; undefined where this user may not read GatewayClasses (they are
 * cluster-scoped, beyond what the README's namespaced Role grants): then nothing is known until a controller answers.
 */
export async function gatewayClassExists(kube: Kube, name: string, version: string): Promise<boolean | undefined> {
  const read = withRetry(kube, `get gatewayclass "${name}"`, () =>
    requestJson<GatewayObject>(kube, 'GET', `${groupPath(version)}/gatewayclasses/${encodeURIComponent(name)}`),
  );
  return orAbsent(
    read.then(() => true),
    [403, 404],
    (err) => (httpStatusOf(err) === 404 ? false : undefined),
  );
}

/** Server-side apply of a route or of expose-sts's own Gateway, as the Services are applied; the answer, as kept. */
async function applyOf<T extends RouteObject | GatewayObject>(kube: Kube, body: T, dryRun: boolean): Promise<T> {
  const kind = body.kind as GatewayKind;
  const version = body.apiVersion?.split('/')[1] ?? '';
  const name = body.metadata?.name ?? '';
  const namespace = body.metadata?.namespace ?? kube.namespace;
  const path = namespaced(namespace, resources[kind], name, groupPath(version));
  const what = `${kind.toLowerCase()} "${name}" in namespace "${namespace}"`;
  return withoutManagedFields(await applyObject(kube, path, body, what, dryRun));
}

/**
 * Routes (or Gateways) of one kind with the label selector, in the namespace or all; a kind not served: none. Without
 * their managedFields, unless `managedFields` (a run's routes: --watch names who changed one it restores).
 */
async function listOf<T extends RouteObject | GatewayObject>(
  kube: Kube,
  at: {
    kind: GatewayKind;
    version: string;
    labelSelector: string;
    allNamespaces: boolean;
    namespace?: string;
    managedFields?: boolean;
  },
): Promise<{ items: T[]; resourceVersion: string }> {
  const { kind, version, labelSelector, allNamespaces, namespace = kube.namespace } = at;
  const where = allNamespaces ? 'in all namespaces' : `in namespace "${namespace}"`;
  const path = allNamespaces
    ? `${groupPath(version)}/${resources[kind]}`
    : namespaced(namespace, resources[kind], undefined, groupPath(version));
  const list = await withRetry(kube, `list ${resources[kind]} ${where}`, () =>
    listJson<T>(kube, path, { labelSelector }, at.managedFields ? (o) => o : withoutManagedFields),
  );
  for (const item of list.items) if (item.metadata) item.metadata.namespace ??= namespace;
  return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
}

/** Watches routes of one kind with the label selector, or one Gateway (by name), from a list's resourceVersion. */
function watchOf<T extends RouteObject | GatewayObject>(
  kube: Kube,
  target: { kind: GatewayKind; version: string; namespace: string; labelSelector?: string; name?: string },
  resourceVersion: string,
): Promise<OpenWatch<T>> {
  const plural = resources[target.kind];
  const path = namespaced(target.namespace, plural, undefined, groupPath(target.version));
  const fieldSelector = target.name === undefined ? undefined : `metadata.name=${target.name}`;
  return openWatch<T>(kube, {
    what: `watch ${plural} in namespace "${target.namespace}"`,
    path,
    labelSelector: target.labelSelector,
    fieldSelector,
    resourceVersion,
    relist: async () => {
      const l = await withRetry(kube, `list ${plural} in namespace "${target.namespace}"`, () =>
        listJson<T>(kube, path, { labelSelector: target.labelSelector, fieldSelector }),
      );
      return { items: l.items, resourceVersion: l.metadata?.resourceVersion ?? '' };
    },
    shown: withoutManagedFields,
  });
}

export const applyRoute = (kube: Kube, body: RouteObject, dryRun: boolean) => applyOf(kube, body, dryRun);
export const applyGateway = (kube: Kube, body: GatewayObject, dryRun: boolean) => applyOf(kube, body, dryRun);
/** A run's routes of one kind, in its namespace, with their managedFields. */
export const listRoutes = (kube: Kube, kind: RouteKind, version: string, labelSelector: string) =>
  listOf<RouteObject>(kube, { kind, version, labelSelector, allNamespaces: false, managedFields: true });
export const watchRoutes = (
  kube: Kube,
  target: { kind: RouteKind; version: string; namespace: string; labelSelector: string },
  resourceVersion: string,
) => watchOf<RouteObject>(kube, target, resourceVersion);
export const watchGateway = (
  kube: Kube,
  target: { version: string; namespace: string; name: string },
  resourceVersion: string,
) => watchOf<GatewayObject>(kube, { ...target, kind: 'Gateway' }, resourceVersion);

/** Deletes a route or Gateway only if it is still the one listed (same uid), as Services are pruned. */
export const deleteGatewayObject = (
  kube: Kube,
  o: { kind: GatewayKind; version: string; namespace: string; name: string; uid: string },
  dryRun: boolean,
) => deleteListed(kube, resources[o.kind], o.namespace, o.name, o.uid, dryRun, groupPath(o.version));

/** The kinds a run needs, or why this cluster cannot give them: the CRDs, or one kind of them, are not installed. */
export function missingKindProblem(api: GatewayApi, kinds: GatewayKind[]): CommandError | undefined {
  const missing = kinds.filter((k) => !api[k]);
  if (!missing.length) return undefined;
  const none = !Object.keys(api).length;
  return new CommandError(
    none
      ? `the Gateway API is not installed in this cluster (no ${gatewayGroup} CRDs): install it with the controller that serves your Gateways, or expose with --type LoadBalancer`
      : `this cluster's Gateway API serves no ${missing.join(' or ')}: ${missing.includes('TLSRoute') || missing.includes('TCPRoute') ? "install the Gateway API's experimental-channel CRDs, which have it" : 'install the Gateway API CRDs'}${missing.includes('TLSRoute') ? ', or use --port-per-member (TCPRoute)' : ''}`,
  );
}

export type { RouteKind };

/**
 * A LIST at the version clusters serve a kind at now (v1 since Gateway API v1.5 for routes), and only where that is
 * not served (404), discovery's version: status stays a fixed number of LISTs on current clusters. Undefined: not
 * served at all; 403: undefined too, with `forbidden` set by the caller.
 */
async function listServed<T extends RouteObject | GatewayObject>(
  kube: Kube,
  kind: GatewayKind,
  discovered: () => Promise<GatewayApi>,
  at: { labelSelector: string; allNamespaces: boolean; namespace?: string },
): Promise<{ items: T[]; version: string } | undefined> {
  const list = (version: string) =>
    listOf<T>(kube, { ...at, kind, version }).then((l) => ({
      items: l.items,
      version,
    }));
  const first = await orAbsent(list('v1'), [404], () => undefined);
  if (first) return first;
  const version = (await discovered())[kind];
  return version ? list(version) : undefined;
}

/**
 * The Gateway mode's part of status and prune: the managed routes of the kinds the Services name, and the Gateways
 * of the namespaces those routes name (expose-sts's own among them), all as LISTs. Optional reads: where they are
 * forbidden, `forbidden` says so and the rows show what the Services alone say. `followed` is what status -w follows
 * from there on: each kind at the version it was read at, and the Gateways' namespaces.
 */
export async function readRoutes(
  kube: Kube,
  kinds: RouteKind[],
  labelSelector: string,
  allNamespaces: boolean,
): Promise<{ routes: RouteObject[]; gateways: GatewayObject[]; forbidden?: string; followed: RoutesFollowed }> {
  let discovery: Promise<GatewayApi> | undefined;
  const discovered = () => (discovery ??= gatewayApi(kube));
  let forbidden: string | undefined;
  const versions: GatewayApi = {};
  const optional = <T>(kind: GatewayKind, read: Promise<{ items: T[]; version: string } | undefined>) =>
    orAbsent(read, [403], (err) => {
      kube.log(6, err.message);
      forbidden = 'cannot list the routes or Gateways';
      return undefined;
    }).then((l) => {
      if (l) versions[kind] = l.version;
      return l?.items;
    });
  const lists = await Promise.all(
    kinds.map((kind) =>
      optional(kind, listServed<RouteObject>(kube, kind, discovered, { labelSelector, allNamespaces })).then((l) =>
        // Items of a list may come without their kind: each is named by it.
        (l ?? []).map((r) => ({ ...r, kind })),
      ),
    ),
  );
  const routes = lists.flat();
  // The routes' Gateways, and expose-sts's own (in the StatefulSet's namespace) for prune --all.
  const namespaces = gatewayNamespacesOf(routes, kube.namespace);
  const gatewayLists = allNamespaces
    ? [
        optional(
          'Gateway',
          listServed<GatewayObject>(kube, 'Gateway', discovered, { labelSelector: '', allNamespaces }),
        ),
      ]
    : namespaces.map((namespace) =>
        optional(
          'Gateway',
          listServed<GatewayObject>(kube, 'Gateway', discovered, { labelSelector: '', allNamespaces, namespace }),
        ),
      );
  const gateways = (await Promise.all(gatewayLists)).flatMap((l) => l ?? []);
  return { routes, gateways, forbidden, followed: { versions, gatewayNamespaces: namespaces } };
}

/**
 * What status -w and expose --watch follow of the Gateway mode: the versions routes and Gateways were read at, and
 * where the Gateways are (only the one named, where one is).
 */
export interface RoutesFollowed {
  versions: GatewayApi;
  gatewayNamespaces: string[];
  gatewayName?: string;
}

/** A kind's resource name and API group path at a version: what follow.ts lists and watches it by. */
export function collectionOf(kind: GatewayKind, version: string): { resource: string; group: string } {
  return { resource: resources[kind], group: groupPath(version) };
}
