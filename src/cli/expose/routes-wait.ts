// expose in the Gateway mode, the last step: the wait, by watching, for the Gateway's controller to accept each route
// and for the Gateway's address; and what kept them from it, as one error line.
import type { Api } from '../../kube/api.ts';
import type { GatewayObject } from '../../plan/gateway.ts';
import { nameOf } from '../../plan/meta.ts';
import {
  gatewayAnswered,
  gatewayProblem,
  listenerProblem,
  type RouteObject,
  type RouteState,
  routeState,
  unservedGateway,
} from '../../plan/route.ts';
import type { RoutePlan } from './routes.ts';

/** What the wait found: each route's state by name, the Gateway as last seen, and whether time ran out. */
export interface RoutesWaited {
  states: Map<string, RouteState>;
  gateway?: GatewayObject;
  timedOut: boolean;
}

/**
 * The routes and the Gateway as last seen, and whether the wait is over: every route attached, or one refused for
 * good. A refusal is for good once it outlives the controller's answer to the Gateway as it is now: the routes read
 * again after that answer still show it. Before, it may be a judgement against the Gateway's earlier listeners, taken
 * back a moment later (a scale-up's new listener and route, the route seen first). Traefik writes the routes' status
 * before the Gateway's in each pass, so the routes read after the Gateway's answer show that pass's verdict.
 */
class Verdicts {
  private readonly api: Api;
  private readonly plan: RoutePlan;
  private readonly latest: Map<string, RouteObject>;
  gateway: GatewayObject | undefined;
  private final = false;
  private confirming = false;

  constructor(api: Api, plan: RoutePlan, written: Map<string, RouteObject>, gateway: GatewayObject | undefined) {
    this.api = api;
    this.plan = plan;
    this.latest = new Map(written);
    this.gateway = gateway;
  }

  /** Routes listed: a listed route older than the write's answer is the write's generation or an earlier one. */
  take(listed: RouteObject[]): void {
    for (const r of listed) {
      const w = this.latest.get(nameOf(r));
      if (w && (r.metadata?.generation ?? 0) >= (w.metadata?.generation ?? 0)) this.latest.set(nameOf(r), r);
    }
  }

  /** A route as its watch showed it (later than any LIST before). */
  seen(r: RouteObject): void {
    if (this.latest.has(nameOf(r))) this.latest.set(nameOf(r), r);
  }

  states(): Map<string, RouteState> {
    const { routes, gateway } = this.plan;
    return new Map(routes.map((r) => [r.name, routeState(this.latest.get(r.name) ?? r.route, gateway)]));
  }

  private refused = () => [...this.states().values()].some((x) => x.reason);

  done(): boolean {
    return this.final || ([...this.states().values()].every((x) => x.accepted) && !gatewayProblem(this.gateway));
  }

  /** When a route is refused and the Gateway answered as it is now: reads the routes again, to see if it stands. */
  async confirm(): Promise<void> {
    if (this.final || this.confirming || !this.refused() || !gatewayAnswered(this.gateway)) return;
    this.confirming = true;
    const { kind, versions, selector } = this.plan;
    try {
      this.take((await this.api.listRoutes(kind, versions.route, selector)).items);
    } catch {
      // Not read again (the API server gone meanwhile): the refusal stands as the controller last said it.
    } finally {
      this.confirming = false;
    }
    this.final = this.refused();
  }
}

/**
 * Waits, by watching, until every route is Accepted for its current generation and the Gateway has an address, or
 * a route is refused for good, or `timeoutMs` passes. `written`: the routes as the writes answered (their generations).
 */
export async function waitForRoutes(
  api: Api,
  plan: RoutePlan,
  written: Map<string, RouteObject>,
  timeoutMs: number,
): Promise<RoutesWaited> {
  const { kind, selector } = plan;
  const [routes, first] = await Promise.all([
    api.listRoutes(kind, plan.versions.route, selector),
    api.getGateway(plan.gateway.namespace, plan.gateway.name, plan.versions.gateway),
  ]);
  const v = new Verdicts(api, plan, written, first);
  v.take(routes.items);
  await v.confirm();
  const waited = (timedOut: boolean) => ({ states: v.states(), gateway: v.gateway, timedOut: timedOut && !v.done() });
  if (v.done() || timeoutMs <= 0) return waited(true);
  const [routeWatch, gatewayWatch] = await Promise.all([
    api.watchRoutes(
      { kind, version: plan.versions.route, namespace: api.namespace, labelSelector: selector },
      routes.resourceVersion,
    ),
    api.watchGateway(
      { version: plan.versions.gateway, namespace: plan.gateway.namespace, name: plan.gateway.name },
      first?.metadata?.resourceVersion ?? routes.resourceVersion,
    ),
  ]);
  let timer: NodeJS.Timeout | undefined;
  const finish = () => {
    routeWatch.close();
    gatewayWatch.close();
  };
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      finish();
      resolve(true);
    }, timeoutMs);
  });
  const check = () => {
    if (v.done()) return finish();
    void v.confirm().then(() => v.done() && finish());
  };
  const followed = Promise.all([
    routeWatch.follow((r, deleted) => {
      if (!deleted) v.seen(r);
      check();
    }),
    gatewayWatch.follow((x, deleted) => {
      v.gateway = deleted ? undefined : x;
      check();
    }),
  ]).then(() => false);
  try {
    return waited(await Promise.race([followed, timedOut]));
  } finally {
    clearTimeout(timer);
    finish();
  }
}

/**
 * What kept the routes from being attached, as one error line (and exit 1): a route the Gateway's controller refused,
 * a Gateway without an address or not serving, or the time-out; 0 when every member is reachable through it.
 */
export function reportRoutes(
  io: { err: (s: string) => void },
  plan: RoutePlan | undefined,
  waited: RoutesWaited | undefined,
  opts: { timeoutMs: number; wait: boolean; configMap?: string },
): number {
  if (!plan || !waited || !opts.wait) return 0;
  const states = [...waited.states];
  const refused = states.filter(([, s]) => s.reason);
  const pending = states.filter(([, s]) => !s.accepted && !s.reason);
  const waiting = pending.flatMap(([name, s]) => (s.waiting ? [`${name}: ${s.waiting}`] : []));
  const gatewayNot = gatewayProblem(waited.gateway);
  if (!refused.length && !pending.length && !gatewayNot) return 0;
  const gw = `${plan.gateway.namespace}/${plan.gateway.name}`;
  const unwritten = opts.configMap ? `, and configmap/${opts.configMap} is not written` : '';
  // The cause a route cannot name: its listener, refused by the Gateway's controller.
  const listenerOf = (name: string) => plan.routes.find((r) => r.name === name)?.attachment.listener;
  const [first] = refused.length ? refused : pending;
  const listener = first && listenerProblem(waited.gateway, listenerOf(first[0]));
  const cause = listener ? `; gateway ${gw} says its ${listener}` : '';
  // What the pending routes wait for: their listener refused, a backend not resolved, or a Gateway no controller took.
  const hint = listener
    ? `its ${listener}`
    : (waiting[0] ?? unservedGateway(waited.gateway) ?? `is its controller running, and does it serve ${plan.kind}?`);
  const names = pending
    .slice(0, 5)
    .map(([n]) => n)
    .join(', ');
  const why = refused.length
    ? `${plan.kind.toLowerCase()} "${refused[0][0]}" is not attached to gateway ${gw}: ${refused[0][1].reason}${refused.length > 1 ? ` (and ${refused.length - 1} more)` : ''}${cause}`
    : pending.length
      ? `timed out after ${opts.timeoutMs / 1000} s waiting for gateway ${gw} to accept ${pending.length} of ${states.length} ${plan.kind.toLowerCase()}s (${names}): ${hint}`
      : `timed out after ${opts.timeoutMs / 1000} s: ${gatewayNot} (gateway ${gw})`;
  io.err(`error: ${why}; their endpoints are not printed${unwritten}\n`);
  return 1;
}
