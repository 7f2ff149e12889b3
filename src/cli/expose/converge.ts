// expose, steps 3 to 6 as one: check before writing, apply, wait for the addresses, and publish the endpoints, giving
// each member's row (confirmed addresses only). A single run does it once; --watch once more for every change that
// needs it (watch.ts), with the same guarantees.
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Api } from '../../kube/api.ts';
import { withConfirmed } from '../../plan/confirm.ts';
import type { Action } from '../../plan/diff.ts';
import { type Exposure, exposureOf } from '../../plan/exposure.ts';
import type { DesiredService } from '../../plan/service.ts';
import { printsTable } from '../../render/objects.ts';
import type { IO } from '../io.ts';
import { applyServices } from './apply.ts';
import { checkBeforeWriting } from './check.ts';
import type { Planned } from './plan.ts';
import { printObjects, verbs } from './print.ts';
import { configMapFor, configMapVerb, publishEndpoints } from './publish.ts';
import type { Read } from './read.ts';
import { addressesBefore, type Members, membersOf, openAddressWatch, type Waited, waitForAddresses } from './wait.ts';

export interface Converged {
  /** Each member's Service as last seen: listed, then as each write answered, then as the watch showed it. */
  current: Map<string, V1Service>;
  services: V1Service[];
  rows: Exposure[];
  waited: Waited;
  /** The members whose address is not confirmed, and why. */
  unconfirmed: Map<string, string>;
  /** What the ConfigMap write did ('unchanged': not written), when one is published. */
  published?: string;
  /** Ends this run's interrupt report ("all N services are applied…"): a watch's next round has its own. */
  release: () => void;
}

/** Where a member stands, for its row. */
export const placeOf = (planned: Planned, namespace: string) => (d: DesiredService) => ({
  namespace,
  statefulSet: planned.opts.statefulSet,
  ordinal: d.ordinal,
  pod: d.pod,
});

/** The server dry run's answer: each Service as the API server would make it, as kubectl apply prints them. */
function printServerDryRun(planned: Planned, current: Map<string, V1Service>, io: IO): void {
  const verbOf = (a: Action) => ({ object: current.get(a.desired.name) ?? a.desired.service, verb: verbs[a.kind] });
  printObjects(io, planned.plan.actions.map(verbOf), planned.opts);
}

/**
 * Checks, applies and waits; undefined after a server dry run (printed here). `rounds`: a later round of a watch,
 * which writes the ConfigMap only when its endpoints changed.
 */
export async function converge(
  planned: Planned,
  read: Read,
  run: { api: Api; io: IO; rounds?: boolean },
): Promise<Converged | undefined> {
  const { api, io } = run;
  const { opts, plan, desired } = planned;
  // A server dry run refuses what the real run would refuse: the same checks come first.
  const published = planned.configMap ? { existing: planned.publishedBefore } : undefined;
  await checkBeforeWriting(api, opts.statefulSet, plan.actions, planned.lb?.provider, published);
  const current = new Map(plan.actions.flatMap((a) => (a.existing ? [[a.desired.name, a.existing] as const] : [])));
  // Every read comes before the first write, so a missing permission or a refused connection changes nothing.
  const pods = await read.pods;
  const wantsNodes = printsTable(opts) && (opts.type === 'NodePort' || opts.output === 'wide');
  const nodes = wantsNodes ? await api.listNodes() : new Map<string, V1Node>();
  const members = membersOf(desired, opts.type);
  const watch = await openAddressWatch(api, planned, members, current);
  const before = addressesBefore(planned);
  const since = Date.now();
  const dryRun = opts.dryRun === 'server';
  const applying = applyServices(api, plan.actions, current, { dryRun, io, cleanUp: () => watch?.close() });
  await (io.writing?.(applying) ?? applying);
  if (dryRun) {
    printServerDryRun(planned, current, io);
    return undefined;
  }
  // From here on every Service is applied: an interruption says so, whatever step it stops, until released.
  const release =
    io.onInterrupt?.(
      () =>
        `all ${desired.length} services are applied; interrupted while waiting for load-balancer addresses (kubectl expose-sts status ${opts.statefulSet} -n ${api.namespace} shows them)`,
    ) ?? (() => undefined);
  const waitOpts = { timeoutMs: opts.timeoutMs, before, since };
  try {
    const waited: Waited = watch
      ? await waitForAddresses(api, watch, members, current, waitOpts, io)
      : { timedOut: false };
    const settled = await settle(planned, { api, io, current, members, waited, pods, nodes, rounds: run.rounds });
    return { ...settled, release };
  } catch (err) {
    release(); // a watch's next round must not say this one's words, nor keep them
    throw err;
  }
}

/** After the writes and the wait: the rows (confirmed addresses only) and the ConfigMap, once every address is in. */
async function settle(
  planned: Planned,
  run: {
    api: Api;
    io: IO;
    current: Map<string, V1Service>;
    members: Members;
    waited: Waited;
    pods?: Map<string, V1Pod>;
    nodes: Map<string, V1Node>;
    rounds?: boolean;
  },
): Promise<Omit<Converged, 'release'>> {
  const { api, current, waited } = run;
  const { desired } = planned;
  const services = desired.map((d) => current.get(d.name) ?? d.service);
  // Only confirmed addresses are printed, counted or published: the others show as <pending>.
  const unconfirmed = run.members.unconfirmed(current);
  const at = placeOf(planned, api.namespace);
  const rows = desired.map((d, i) =>
    exposureOf(at(d), withConfirmed(services[i], unconfirmed), run.pods?.get(d.pod), run.nodes),
  );
  const complete = !waited.timedOut && !waited.refused && !unconfirmed.size;
  const cm = configMapFor(planned, rows, api.namespace);
  const verb = cm && configMapVerb(cm, planned.publishedBefore);
  if (!(run.rounds && verb === 'unchanged')) {
    const publishing = publishEndpoints(api, cm, complete);
    await (run.io.writing?.(publishing) ?? publishing);
  }
  return { current, services, rows, waited, unconfirmed, published: complete ? verb : undefined };
}
