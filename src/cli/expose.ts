// kubectl expose-sts STATEFULSET, as named steps (each in expose/): read the cluster → plan the writes → check them
// before writing → apply → wait for the addresses → publish the endpoints → print. Flags become options first
// (options/expose.ts), and main completes the connection.
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Api } from '../kube/api.ts';
import { exposeFlags, validateExposeFlags } from '../options/expose.ts';
import { withConfirmed } from '../plan/confirm.ts';
import type { ExposeOptions } from '../plan/expose-options.ts';
import { exposureOf } from '../plan/exposure.ts';
import type { Action } from '../plan/diff.ts';
import { applyBody, type DesiredService } from '../plan/service.ts';
import type { ClusterCommand } from './command.ts';
import { applyServices } from './expose/apply.ts';
import { checkBeforeWriting } from './expose/check.ts';
import { type Planned, planRun } from './expose/plan.ts';
import { printsTable } from '../render/objects.ts';
import { printObjects, printResult, reportWait, verbs } from './expose/print.ts';
import { configMapFor, configMapVerb, publishEndpoints } from './expose/publish.ts';
import { readCluster } from './expose/read.ts';
import {
  addressesBefore,
  type Members,
  membersOf,
  openAddressWatch,
  type Waited,
  waitForAddresses,
} from './expose/wait.ts';
import type { IO } from './io.ts';

export const exposeCommand: ClusterCommand<typeof exposeFlags, ExposeOptions> = {
  name: '',
  summary: 'Create or update one Service per pod of the StatefulSet',
  description: [
    'Expose each pod of a StatefulSet through a Service of its own.',
    " One Service per ordinal, each selecting only its pod (statefulset.kubernetes.io/pod-name), with externalTrafficPolicy Local for NodePort and LoadBalancer so that only the pod's node answers and the client's source IP is kept. Running it again converges: new ordinals get their Service, changed flags update the Services in place, and nothing is written when nothing changed. For LoadBalancer it waits until every address is in.",
    ' A StatefulSet named like one of the Available Commands below is named after --, which ends the flags: kubectl expose-sts --type LoadBalancer -- status.',
  ],
  usage: 'STATEFULSET',
  statefulSetArg: true,
  examples: [
    [
      'Give every pod of StatefulSet mydb its own load balancer and wait for the addresses',
      'kubectl expose-sts mydb --type LoadBalancer',
    ],
    [
      'Expose broker port 9094 (container port "external") on the node of each pod, on node ports 30094, 30095, …',
      'kubectl expose-sts kafka -n data --type NodePort --port 9094:external --node-port 30094',
    ],
    [
      'Accept connections from one network only',
      'kubectl expose-sts mydb --type LoadBalancer --load-balancer-source-ranges 203.0.113.0/24',
    ],
    [
      'An internal load balancer on AWS',
      'kubectl expose-sts mydb --type LoadBalancer --annotations service.beta.kubernetes.io/aws-load-balancer-internal=true',
    ],
    [
      "Pin each member's address, in ordinal order (MetalLB, Cilium and kube-vip by annotation, found from the cluster)",
      'kubectl expose-sts kafka --type LoadBalancer --load-balancer-ip 192.0.2.10-192.0.2.12',
    ],
    [
      'The same on GKE (reserved regional addresses, spec.loadBalancerIP) or AKS (public IPs, by annotation)',
      'kubectl expose-sts kafka --type LoadBalancer --load-balancer-ip 34.76.1.10,34.76.1.11,34.76.1.12',
    ],
    [
      'On AWS a Network Load Balancer takes Elastic IP allocations: one per member, from a list in ordinal order',
      "kubectl expose-sts kafka --type LoadBalancer --annotations service.beta.kubernetes.io/aws-load-balancer-type=nlb --annotations 'service.beta.kubernetes.io/aws-load-balancer-eip-allocations={eipalloc-0a1,eipalloc-0b2,eipalloc-0c3}'",
    ],
    [
      "A DNS name per member for external-dns: {pod}, {sts}, {ordinal} and {namespace} are each Service's own",
      "kubectl expose-sts kafka --type LoadBalancer --hostname '{pod}.kafka.example.com' --dns-ttl 60s",
    ],
    [
      "Only the members' endpoints, comma-separated in ordinal order: a client's bootstrap servers or seed list",
      'kubectl expose-sts kafka --type LoadBalancer --endpoint-port external -o endpoints',
    ],
    [
      'Tell each member its own endpoint: ConfigMap kafka-endpoints, one key per pod, for a volume in the pod template',
      'kubectl expose-sts kafka --type LoadBalancer --hostname {pod}.kafka.example.com --publish-configmap',
    ],
    [
      'Name the Services mydb-0-external, mydb-1-external, …',
      'kubectl expose-sts mydb --name-template "{pod}-external"',
    ],
    [
      'Write the Services as a manifest instead',
      'kubectl expose-sts mydb --type LoadBalancer --dry-run=client -o yaml | kubectl apply -f -',
    ],
    [
      'Expose a StatefulSet named status: after --, a name is never a command',
      'kubectl expose-sts --type NodePort -- status',
    ],
  ],
  flags: exposeFlags,
  validate: validateExposeFlags,
  connects: true,
  run: runExpose,
};

/** Where a member stands, for its row. */
const placeOf = (planned: Planned, namespace: string) => (d: DesiredService) => ({
  namespace,
  statefulSet: planned.opts.statefulSet,
  ordinal: d.ordinal,
  pod: d.pod,
});

/** A client dry run: each Service as it would be sent, and the ConfigMap with the addresses they show now. */
function printClientDryRun(planned: Planned, api: Api, io: IO): number {
  const { actions } = planned.plan;
  const bodies = actions.map((a) => (a.kind === 'unchanged' && a.existing ? a.existing : applyBody(a.desired.service)));
  const at = placeOf(planned, api.namespace);
  const rows = actions.map((a, i) => exposureOf(at(a.desired), a.existing ?? bodies[i], undefined, new Map()));
  const cm = configMapFor(planned, rows, api.namespace);
  const objects = actions.map((a, i) => ({ object: bodies[i], verb: verbs[a.kind] }));
  if (cm) objects.push({ object: cm, verb: configMapVerb(cm, planned.publishedBefore) });
  printObjects(io, objects, planned.opts);
  return 0;
}

async function runExpose(given: ExposeOptions, api: Api, io: IO): Promise<number> {
  const read = await readCluster(given, api);
  if (!read) {
    io.err(`statefulset ${given.statefulSet} has 0 replicas in namespace "${api.namespace}": nothing to expose\n`);
    return 0;
  }
  const planned = await planRun(given, read, api, io);
  const { opts, plan, desired } = planned;
  if (opts.dryRun === 'client') return printClientDryRun(planned, api, io);
  // A server dry run refuses what the real run would refuse: the same checks come first.
  const published = planned.configMap ? { existing: planned.publishedBefore } : undefined;
  await checkBeforeWriting(api, opts.statefulSet, plan.actions, planned.lb?.provider, published);
  // Each Service as last seen: listed, then as each write answered, then as the watch shows it.
  const current = new Map(plan.actions.flatMap((a) => (a.existing ? [[a.desired.name, a.existing] as const] : [])));
  // Every read comes before the first write, so a missing permission or a refused connection changes nothing.
  const pods = await read.pods;
  const wantsNodes = printsTable(opts) && (opts.type === 'NodePort' || opts.output === 'wide');
  const nodes = wantsNodes ? await api.listNodes() : new Map();
  const members = membersOf(desired, opts.type);
  const watch = await openAddressWatch(api, planned, members, current);
  const before = addressesBefore(planned);
  const since = Date.now();
  const dryRun = opts.dryRun === 'server';
  await applyServices(api, plan.actions, current, { dryRun, io, cleanUp: () => watch?.close() });
  if (dryRun) {
    const verbOf = (a: Action) => ({ object: current.get(a.desired.name) ?? a.desired.service, verb: verbs[a.kind] });
    printObjects(io, plan.actions.map(verbOf), opts);
    return 0;
  }
  // From here on every Service is applied: an interruption says so, whatever step it stops, until the command ends.
  io.onInterrupt?.(
    () =>
      `all ${desired.length} services are applied; interrupted while waiting for load-balancer addresses (kubectl expose-sts status ${opts.statefulSet} -n ${api.namespace} shows them)`,
  );
  const waitOpts = { timeoutMs: opts.timeoutMs, before, since };
  const waited: Waited = watch
    ? await waitForAddresses(api, watch, members, current, waitOpts, io)
    : { timedOut: false };
  return finish(planned, { api, io, current, members, waited, pods, nodes });
}

/** After the writes and the wait: the rows (confirmed addresses only), the ConfigMap, what is printed, the exit code. */
async function finish(
  planned: Planned,
  run: {
    api: Api;
    io: IO;
    current: Map<string, V1Service>;
    members: Members;
    waited: Waited;
    pods?: Map<string, V1Pod>;
    nodes: Map<string, V1Node>;
  },
): Promise<number> {
  const { api, io, current, waited } = run;
  const { opts, desired } = planned;
  const services = desired.map((d) => current.get(d.name) ?? d.service);
  // Only confirmed addresses are printed, counted or published: the others show as <pending>.
  const why = run.members.unconfirmed(current);
  const at = placeOf(planned, api.namespace);
  const rows = desired.map((d, i) =>
    exposureOf(at(d), withConfirmed(services[i], why), run.pods?.get(d.pod), run.nodes),
  );
  const complete = !waited.timedOut && !waited.refused && !why.size;
  await publishEndpoints(api, configMapFor(planned, rows, api.namespace), complete);
  printResult(io, opts, services, rows);
  return reportWait(io, waited, why, {
    opts,
    namespace: api.namespace,
    total: services.length,
    configMap: planned.configMap,
  });
}
