// expose, step 2: what this run writes. The Services kept as they are (a re-run without shaping flags) or made from
// the flags, the ConfigMap to publish, and the actions against what exists; refused whole when a Service in the way
// is not ours, or when leaving --type out would change an exposed type.
import type { V1ConfigMap, V1StatefulSet } from '@kubernetes/client-node';
import { CommandError, isCommandError, UsageError } from '../../errors.ts';
import type { Api } from '../../kube/api.ts';
import { type Plan, planActions } from '../../plan/diff.ts';
import { configMapName, configMapNameProblem, endpointPortAnnotation } from '../../plan/endpoints-configmap.ts';
import type { ExposeOptions } from '../../plan/expose-options.ts';
import { routeAnnotation, routeKindOf, routeLeftBehind } from '../../plan/gateway.ts';
import { type Kept, keptServices } from '../../plan/keep.ts';
import { type LoadBalancerOf, loadBalancerOf } from '../../plan/load-balancer.ts';
import { type DesiredService, desiredServices } from '../../plan/service.ts';
import type { IO } from '../io.ts';
import type { Read } from './read.ts';
import { planRoutes, type RoutePlan } from './routes.ts';

export interface Planned {
  /** The options as the kept Services complete them (their type, whether to wait, the published port). */
  opts: ExposeOptions;
  sts: V1StatefulSet;
  existing: Read['existing'];
  /** Set when the exposed Services are kept as they are. */
  kept?: Kept;
  /** Who serves the load balancers, where the Services ask it for something (an address, sharing, internal). */
  lb?: LoadBalancerOf;
  desired: DesiredService[];
  plan: Plan;
  /** The ConfigMap to publish the endpoints in, and how it is now. */
  configMap?: string;
  publishedBefore?: V1ConfigMap;
  /** The Gateway mode's routes (and own Gateway), checked against the Gateway. */
  routes?: RoutePlan;
}

/** What the kept Services are decides what the run does: wait for load-balancer addresses, publish the ConfigMap. */
function keptOptions(opts: ExposeOptions, kept: Kept | undefined): ExposeOptions {
  if (!kept) return opts;
  const type = kept.type as ExposeOptions['type'];
  return {
    ...opts,
    type,
    wait: opts.dryRun === 'none' && type === 'LoadBalancer' && !!(opts.waitOmitted || opts.wait),
  };
}

/**
 * A requested, shared or internal address is asked for the way the load balancer takes it: which one serves the
 * cluster is read from it (discovery, a node's providerID) unless named.
 */
async function loadBalancer(opts: ExposeOptions, api: Api): Promise<LoadBalancerOf | undefined> {
  if (!(opts.loadBalancerIPs.length || opts.sharedAddress || opts.internal)) return undefined;
  const named = opts.loadBalancerProvider;
  return loadBalancerOf(named, named ? { groups: [] } : await api.clusterFacts());
}

/** What users are told before anything is written: how external-dns will name NodePorts, an open load balancer. */
function warnUser(opts: ExposeOptions, io: IO): void {
  if (opts.type === 'NodePort' && opts.hostname) {
    // What external-dns does with a NodePort Service's name (seen with its coredns provider, v0.21.0).
    io.err(
      opts.externalTrafficPolicy === 'Local'
        ? "warning: external-dns points each NodePort name at the node that runs its pod (the only one that answers, with externalTrafficPolicy Local); when a pod moves, its name follows at external-dns's next sync\n"
        : 'warning: external-dns points each NodePort name at every node (each forwards, with externalTrafficPolicy Cluster)\n',
    );
  }
  if (opts.type === 'LoadBalancer' && opts.loadBalancerSourceRanges.length === 0) {
    io.err('warning: no --load-balancer-source-ranges: these load balancers accept connections from any address\n');
  }
}

/** Why the plan cannot be carried out: a Service in the way, or a type that only leaving --type out would change. */
function planProblem(plan: Plan, opts: ExposeOptions): CommandError | undefined {
  if (plan.conflicts.length) {
    const more = plan.conflicts.length > 1 ? ` (and ${plan.conflicts.length - 1} more)` : '';
    return new CommandError(`${plan.conflicts[0]}${more}; nothing was changed`);
  }
  // Leaving --type out must not turn Services of another type into ClusterIP ones (and release their addresses).
  const retyped = opts.typeOmitted && plan.actions.find((a) => a.existing && a.existing.spec?.type !== opts.type);
  if (!retyped) return undefined;
  const was = retyped.existing?.spec?.type;
  return new UsageError(
    `service "${retyped.desired.name}" is a ${was} Service, and without --type this run would make it ${opts.type}` +
      `${was === 'LoadBalancer' ? ', releasing its address' : ''}: give --type ${was} to keep it so, or --type ${opts.type} to change it`,
  );
}

/**
 * A run that would leave routes behind (the Gateway mode left for a Service type, or TLS and TCP routes swapped): one
 * error naming the way through, as for a change the API server refuses (prune first, then run again).
 */
function leftBehindProblem(
  opts: ExposeOptions,
  existing: Read['existing'],
  namespace: string,
): CommandError | undefined {
  const kind = opts.gateway && routeKindOf(opts.gateway);
  const left = routeLeftBehind(existing.items, opts.statefulSet, kind);
  if (!left) return undefined;
  const now = kind ? `through a ${kind}` : `as a ${opts.type} Service`;
  return new CommandError(
    `service "${left.service}" is reached through a ${left.kind}, and this run would expose it ${now}, leaving the ` +
      `${left.kind}s (and a Gateway expose-sts made for them) behind: prune them first (kubectl expose-sts prune ` +
      `${opts.statefulSet} -n ${namespace} --all) and run this command again; nothing was changed`,
  );
}

/** The ConfigMap's name, checked; kept Services name theirs in an annotation. */
function configMapOf(opts: ExposeOptions, kept: Kept | undefined, namespace: string): string | undefined {
  const name = kept
    ? kept.configMap
    : opts.publishConfigmap && configMapName(opts.publishConfigmap, opts.statefulSet, namespace);
  const problem = name && configMapNameProblem(name);
  if (problem) throw new CommandError(problem);
  return name;
}

/** `quiet`: a later round of a watch, which does not warn again of what the first run warned of. */
export async function planRun(given: ExposeOptions, read: Read, api: Api, io: IO, quiet = false): Promise<Planned> {
  const { sts, existing } = read;
  const kept = given.keep ? keptServices(sts, existing.items, api.namespace) : undefined;
  if (isCommandError(kept)) throw kept;
  // Kept Services are re-applied as they are; their routes would not be: the Gateway mode needs its flags again.
  const routed = kept?.desired.find((d) => d.service.metadata?.annotations?.[routeAnnotation]);
  if (routed)
    throw new UsageError(
      `service "${routed.name}" is reached through a ${routed.service.metadata?.annotations?.[routeAnnotation]}: give the --gateway flags it was exposed with again`,
    );
  const leftBehind = kept ? undefined : leftBehindProblem(given, existing, api.namespace);
  if (leftBehind) throw leftBehind;
  let opts = keptOptions(given, kept);
  const lb = kept ? undefined : await loadBalancer(opts, api);
  const desired = kept ? kept.desired : desiredServices(sts, opts, api.namespace, lb);
  if (isCommandError(desired)) throw desired;
  const configMap = configMapOf(opts, kept, api.namespace);
  // The ConfigMap as it is: whose it is (checked before any write), and, for kept Services, the port it publishes.
  const publishedBefore = configMap ? await api.getConfigMap(configMap) : undefined;
  if (kept && opts.endpointPort === undefined)
    opts = { ...opts, endpointPort: publishedBefore?.metadata?.annotations?.[endpointPortAnnotation] };
  if (!kept && !quiet) warnUser(opts, io);
  const plan: Plan = kept
    ? { actions: kept.desired.map((d) => ({ kind: 'unchanged', desired: d, existing: d.service })), conflicts: [] }
    : planActions(desired, existing.items, opts.adopt);
  const problem = planProblem(plan, opts);
  if (problem) throw problem;
  const routes = kept ? undefined : await planRoutes(opts, sts, desired, api, read.gatewayApi);
  return { opts, sts, existing, kept, lb, desired, plan, configMap, publishedBefore, routes };
}
