// kubectl expose-sts STATEFULSET: flags → options (validate) → desired Services (plan) → apply and wait (kube) → table.
import type { V1ConfigMap, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { CommandError, UsageError } from '../errors.ts';
import type { Kube } from '../kube/client.ts';
import { exposeFlags, type ExposeOptions, validateExposeFlags } from '../options/expose.ts';
import { type Action, type ActionKind, type Plan, planActions } from '../plan/diff.ts';
import { loadBalancerOf, sharingAnnotations } from '../plan/load-balancer.ts';
import { unconfirmed, withConfirmed } from '../plan/confirm.ts';
import { lbAddresses } from '../plan/endpoint.ts';
import { type Exposure, exposureOf } from '../plan/exposure.ts';
import { keptServices } from '../plan/keep.ts';
import { uidOf } from '../plan/meta.ts';
import { configMapName, configMapNameProblem, endpointPortAnnotation, endpointsConfigMap } from '../plan/dns.ts';
import { managedSelector } from '../plan/ownership.ts';
import { applyBody, desiredServices, type DesiredService } from '../plan/service.ts';
import { formatObjects, objectRef } from '../render/objects.ts';
import { configMapData, endpointsLine, exposeTable } from '../render/tables.ts';
import { loadKube } from '../kube/load.ts';
import { reasonLine } from '../plan/warnings.ts';
import { sizeRun } from './large-run.ts';
import { checkBeforeWriting } from './preflight.ts';
import type { ClusterCommand } from './command.ts';
import type { IO } from './io.ts';
import { type Waited, waitForAddresses } from './wait.ts';

export const exposeCommand: ClusterCommand<typeof exposeFlags, ExposeOptions> = {
  name: '',
  summary: 'Create or update one Service per pod of the StatefulSet',
  description: [
    'Expose each pod of a StatefulSet through a Service of its own.',
    " One Service per ordinal, each selecting only its pod (statefulset.kubernetes.io/pod-name), with externalTrafficPolicy Local for NodePort and LoadBalancer so that only the pod's node answers and the client's source IP is kept. Running it again converges: new ordinals get their Service, changed flags update the Services in place, and nothing is written when nothing changed. For LoadBalancer it waits until every address is in.",
    ' A StatefulSet named like a command (status, prune, completion, options) is named after --, which ends the flags: kubectl expose-sts --type LoadBalancer -- status.',
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

const pendingHint = (classes: string | undefined, service: string, namespace: string) =>
  'likely causes: no load-balancer controller in this cluster (minikube, kind without cloud-provider-kind, bare metal without MetalLB), ' +
  'an exhausted load-balancer quota' +
  (classes
    ? `, or no controller serving --load-balancer-class ${classes}`
    : ', or a load-balancer class nobody serves') +
  `; kubectl describe service ${service} -n ${namespace} shows the events of the cloud controller`;

const objectFormat = (output: ExposeOptions['output']) =>
  output === 'json' || output === 'yaml' || output === 'name' ? output : undefined;

const verbs: Record<ActionKind, string> = {
  create: 'created',
  update: 'configured',
  unchanged: 'unchanged',
  adopt: 'configured',
};

/** What a dry run prints: the objects (-o json|yaml|name), or each one's `kind/name verb (dry run)`, as kubectl apply. */
function printObjects(io: IO, objects: { object: V1Service | V1ConfigMap; verb: string }[], opts: ExposeOptions): void {
  const format = objectFormat(opts.output);
  if (format) {
    io.out(
      formatObjects(
        objects.map((o) => o.object),
        format,
      ),
    );
    return;
  }
  const suffix = opts.dryRun === 'client' ? ' (dry run)' : opts.dryRun === 'server' ? ' (server dry run)' : '';
  io.out(objects.map((o) => `${objectRef(o.object)} ${o.verb}${suffix}\n`).join(''));
}

async function runExpose(given: ExposeOptions, kube: Kube, io: IO): Promise<number> {
  let opts = given;
  const k = await loadKube();
  // Reads that do not depend on each other go out together: on a remote cluster each round trip in a row is tens of
  // milliseconds (bench/ANALYSIS.md, P7b). A read's failure is thrown where it is awaited, in the order below.
  const early = <T>(p: Promise<T>) => {
    p.catch(() => undefined);
    return p;
  };
  // Listed for a client dry run too: as kubectl apply --dry-run=client, it says created, configured or unchanged.
  const listed = early(k.listServices(kube));
  const format = objectFormat(opts.output);
  const tableOutput = !format && opts.dryRun === 'none';
  const listedPods = tableOutput ? early(k.listPods(kube)) : undefined;
  const sts = await k.getStatefulSet(kube, opts.statefulSet);
  sizeRun(sts.spec?.replicas ?? 1);
  if ((sts.spec?.replicas ?? 1) === 0) {
    io.err(`statefulset ${opts.statefulSet} has 0 replicas in namespace "${kube.namespace}": nothing to expose\n`);
    return 0;
  }
  // One LIST of the namespace's Services: finds our own and any same-named Service we must not touch.
  const existing = await listed;
  const kept = opts.keep ? keptServices(sts, existing.items, kube.namespace) : undefined;
  if (typeof kept === 'string') throw new CommandError(kept);
  if (kept) {
    // What the kept Services are decides what the run does: wait for load-balancer addresses, publish the ConfigMap.
    opts = {
      ...opts,
      type: kept.type as ExposeOptions['type'],
      wait: opts.dryRun === 'none' && kept.type === 'LoadBalancer' && (opts.waitOmitted || opts.wait),
    };
  }
  // A requested, shared or internal address is asked for the way the load balancer takes it: which one serves the
  // cluster is read from it (discovery, a node's providerID) unless named.
  const lb =
    !kept && (opts.loadBalancerIPs.length || opts.sharedAddress || opts.internal)
      ? loadBalancerOf(
          opts.loadBalancerProvider,
          opts.loadBalancerProvider ? { groups: [] } : await k.clusterFacts(kube),
        )
      : undefined;
  const desired = kept ? kept.desired : desiredServices(sts, opts, kube.namespace, lb);
  if (typeof desired === 'string') throw new CommandError(desired);
  const configMap = kept
    ? kept.configMap
    : opts.publishConfigmap && configMapName(opts.publishConfigmap, opts.statefulSet, kube.namespace);
  const badName = configMap && configMapNameProblem(configMap);
  if (badName) throw new CommandError(badName);
  // The ConfigMap as it is: whose it is (checked before any write), and, for kept Services, the port it publishes.
  const publishedBefore = configMap ? await k.getConfigMap(kube, configMap) : undefined;
  if (kept && opts.endpointPort === undefined)
    opts = { ...opts, endpointPort: publishedBefore?.metadata?.annotations?.[endpointPortAnnotation] };
  if (!kept && opts.type === 'NodePort' && opts.hostname) {
    // What external-dns does with a NodePort Service's name (seen with its coredns provider, v0.21.0).
    io.err(
      opts.externalTrafficPolicy === 'Local'
        ? "warning: external-dns points each NodePort name at the node that runs its pod (the only one that answers, with externalTrafficPolicy Local); when a pod moves, its name follows at external-dns's next sync\n"
        : 'warning: external-dns points each NodePort name at every node (each forwards, with externalTrafficPolicy Cluster)\n',
    );
  }
  if (!kept && opts.type === 'LoadBalancer' && opts.loadBalancerSourceRanges.length === 0) {
    io.err('warning: no --load-balancer-source-ranges: these load balancers accept connections from any address\n');
  }

  const plan: Plan = kept
    ? {
        actions: kept.desired.map((d) => ({ kind: 'unchanged', desired: d, existing: d.service })),
        conflicts: [],
      }
    : planActions(desired, existing.items, opts.adopt);
  if (plan.conflicts.length) {
    const more = plan.conflicts.length > 1 ? ` (and ${plan.conflicts.length - 1} more)` : '';
    throw new CommandError(`${plan.conflicts[0]}${more}; nothing was changed`);
  }
  // Leaving --type out must not turn Services of another type into ClusterIP ones (and release their addresses).
  const retyped = opts.typeOmitted && plan.actions.find((a) => a.existing && a.existing.spec?.type !== opts.type);
  if (retyped) {
    const was = retyped.existing?.spec?.type;
    throw new UsageError(
      `service "${retyped.desired.name}" is a ${was} Service, and without --type this run would make it ${opts.type}` +
        `${was === 'LoadBalancer' ? ', releasing its address' : ''}: give --type ${was} to keep it so, or --type ${opts.type} to change it`,
    );
  }
  const at = (d: DesiredService) => ({
    namespace: kube.namespace,
    statefulSet: opts.statefulSet,
    ordinal: d.ordinal,
    pod: d.pod,
  });
  /** The ConfigMap to apply, with the endpoints of these Services. */
  const configMapFor = (rows: Exposure[]) =>
    configMap
      ? endpointsConfigMap({
          name: configMap,
          namespace: kube.namespace,
          statefulSet: { name: opts.statefulSet, uid: uidOf(sts) },
          owned: kept ? !!publishedBefore?.metadata?.ownerReferences?.length : opts.ownerReference,
          endpointPort: opts.endpointPort,
          data: configMapData(rows, opts.endpointPort),
        })
      : undefined;
  if (opts.dryRun === 'client') {
    const bodies = plan.actions.map((a) =>
      a.kind === 'unchanged' && a.existing ? a.existing : applyBody(a.desired.service),
    );
    // Where the Services answer now: a dry run waits for nothing.
    const cm = configMapFor(
      plan.actions.map((a, i) => exposureOf(at(a.desired), a.existing ?? bodies[i], undefined, new Map())),
    );
    printObjects(
      io,
      [
        ...plan.actions.map((a, i) => ({ object: bodies[i], verb: verbs[a.kind] })),
        ...(cm ? [{ object: cm, verb: configMapVerb(cm, publishedBefore) }] : []),
      ],
      opts,
    );
    return 0;
  }
  const toWrite = plan.actions.filter((a) => a.kind !== 'unchanged');
  const dryRunServer = opts.dryRun === 'server';
  // A server dry run refuses what the real run would refuse: the same checks come first.
  await checkBeforeWriting(
    k,
    kube,
    opts.statefulSet,
    plan.actions,
    lb?.provider,
    configMap ? { existing: publishedBefore } : undefined,
  );
  // Each Service as last seen: listed, then as each write answered, then as the watch shows it.
  const current = new Map(plan.actions.flatMap((a) => (a.existing ? [[a.desired.name, a.existing] as const] : [])));
  const latest = (d: DesiredService) => current.get(d.name) ?? d.service;

  // Every read comes before the first write, so a missing permission or a refused connection changes nothing.
  const pods = await listedPods;
  const nodes =
    tableOutput && (opts.type === 'NodePort' || opts.output === 'wide') ? await k.listNodes(kube) : new Map();
  // Each member as this run writes it: what its address must answer (plan/confirm.ts).
  const members = desired.map((d) => ({ name: d.name, written: d.service }));
  const shared = desired.some((d) => sharingAnnotations.some((key) => d.service.metadata?.annotations?.[key]));
  const confirming = () =>
    opts.type === 'LoadBalancer'
      ? unconfirmed(
          members.map((m) => ({ ...m, current: current.get(m.name) })),
          shared,
        )
      : new Map<string, string>();
  // A write may change what the load balancer must do: the addresses the Services show now are not yet this run's.
  const waiting =
    opts.wait && opts.type === 'LoadBalancer' && !dryRunServer && (toWrite.length > 0 || confirming().size > 0);
  // Watching from the LIST's version replays our own writes and every address assigned since: nothing is missed.
  const watch = waiting
    ? await k.watchServices(kube, managedSelector(opts.statefulSet), existing.resourceVersion)
    : undefined;

  const before = new Map(plan.actions.map((a) => [a.desired.name, lbAddresses(a.existing)]));
  const since = Date.now();
  const applied: string[] = [];
  let inFlight = 0;
  io.onInterrupt?.(() => {
    const pending = inFlight
      ? `${inFlight} more ${inFlight === 1 ? 'was' : 'were'} sent and may have been applied`
      : '';
    if (!applied.length)
      return pending
        ? `no service was confirmed applied; ${pending}; run the same command again to finish`
        : 'no service was changed';
    return `${applied.length} of ${toWrite.length} services were applied (${applied.join(', ')})${pending ? `; ${pending}` : ''}; run the same command again to finish`;
  });
  let written: V1Service[];
  try {
    for (const a of plan.actions.filter((x) => x.replacePorts)) {
      await k.replacePorts(kube, a.desired.name, keptNodePorts(a), dryRunServer);
      if (!dryRunServer) applied.push(`service/${a.desired.name} ports replaced`);
    }
    // The API server's dry run does not check a node port against its range (it only looks for one allocated), so
    // the Service with the highest node port asked for goes alone first: past the range's top (a base + ordinal, the
    // usual slip), it is refused before any other is written.
    const order = [...toWrite.keys()].sort((a, b) => highestNodePort(toWrite[b]) - highestNodePort(toWrite[a]));
    const first = order.length && highestNodePort(toWrite[order[0]]) > 0 ? order.slice(0, 1) : [];
    const rest = order.filter((i) => !first.includes(i));
    written = new Array(toWrite.length);
    for (const batch of [first, rest]) {
      const answers = await k.applyAll(
        kube,
        batch.map((i) => applyBody(toWrite[i].desired.service)),
        dryRunServer,
        {
          sent: () => inFlight++,
          applied: (j) => {
            inFlight--;
            applied.push(`service/${toWrite[batch[j]].desired.name} ${verbs[toWrite[batch[j]].kind]}`);
          },
        },
      );
      for (const [j, svc] of answers.entries()) written[batch[j]] = svc;
    }
    // Adopted or restored: the fields whoever made or edited it set are expose-sts's alone now.
    if (!dryRunServer) for (const a of plan.actions.filter((x) => x.replacePorts)) await k.disown(kube, a.desired.name);
  } catch (err) {
    watch?.close(); // an open watch would keep the process from exiting
    // Checked whole beforehand, a write can still be refused (another writer, a quota filled meanwhile): say what
    // was applied, which a re-run completes.
    const done = applied.length
      ? `applied before it: ${applied.join(', ')}; run the same command again to finish`
      : 'nothing was changed';
    const e = err as CommandError;
    throw new CommandError(`${e.message}; ${done}`, {
      status: e.status,
      cause: err,
    });
  }
  for (const [i, a] of toWrite.entries()) current.set(a.desired.name, written[i]);
  const counts = plan.actions.reduce((m, a) => m.set(a.kind, (m.get(a.kind) ?? 0) + 1), new Map<ActionKind, number>());
  kube.log(1, `services: ${[...counts].map(([kind, n]) => `${n} ${kind}`).join(', ')}`);

  if (dryRunServer) {
    printObjects(
      io,
      plan.actions.map((a) => ({ object: latest(a.desired), verb: verbs[a.kind] })),
      opts,
    );
    return 0;
  }

  io.onInterrupt?.(
    () =>
      `all ${desired.length} services are applied; interrupted while waiting for load-balancer addresses (kubectl expose-sts status ${opts.statefulSet} -n ${kube.namespace} shows them)`,
  );
  const waited: Waited = watch
    ? await waitForAddresses(k, kube, watch, members, current, { timeoutMs: opts.timeoutMs, shared, before, since }, io)
    : { timedOut: false };

  const services = desired.map(latest);
  // Only confirmed addresses are printed, counted or published: the others show as <pending>.
  const why = confirming();
  const rows = desired.map((d, i) => exposureOf(at(d), withConfirmed(services[i], why), pods?.get(d.pod), nodes));
  const cm = configMapFor(rows);
  if (cm && !waited.timedOut && !waited.refused && !why.size) {
    // Once the addresses are in: every run writes it again, so it follows scaling and changed addresses.
    await k.applyConfigMap(kube, cm);
    kube.log(1, `configmap/${configMap} configured`);
  }
  if (format) io.out(formatObjects(services, format));
  else if (opts.output === 'endpoints') {
    const { line, missing } = endpointsLine(rows, opts.endpointPort);
    if (missing.length) io.err(`warning: no endpoint yet for ${missing.join(', ')}\n`);
    io.out(line);
  } else io.out(exposeTable(rows, { wide: opts.output === 'wide', endpointPort: opts.endpointPort }));
  if (waited.refused) {
    io.err(
      `error: ${waited.refused}; the unconfirmed addresses are not printed${cm ? `, and configmap/${configMap} is not written` : ''}\n`,
    );
    return 1;
  }
  if (waited.timedOut) {
    const pending = [...why.keys()];
    // What the load balancer said of them, where it said something; what it shows instead; or the usual causes.
    const shown = [...why].filter(([, text]) => !text.startsWith('no load-balancer address'));
    const cause = waited.reasons.length
      ? waited.reasons.map(reasonLine).join('; ')
      : shown.length
        ? shown.map(([name, text]) => `${name}: ${text}`).join('; ')
        : pendingHint(opts.loadBalancerClass, pending[0], kube.namespace);
    io.err(
      `error: timed out after ${opts.timeoutMs / 1000} s waiting for load-balancer addresses of ${pending.length} of ${services.length} services ` +
        `(${pending.slice(0, 5).join(', ')}${pending.length > 5 ? ', …' : ''}); ${cause}\n`,
    );
    return 1;
  }
  return 0;
}

/** What kubectl apply --dry-run=client says of the ConfigMap: created, or unchanged when it holds the same. */
function configMapVerb(want: V1ConfigMap, has: V1ConfigMap | undefined): string {
  if (!has) return 'created';
  const same = (a: object = {}, b: object = {}) => JSON.stringify(a) === JSON.stringify(b);
  const sorted = (o: Record<string, string> = {}) => Object.fromEntries(Object.entries(o).sort());
  return same(sorted(want.data), sorted(has.data)) &&
    Object.entries(want.metadata?.annotations ?? {}).every(([k, v]) => has.metadata?.annotations?.[k] === v)
    ? 'unchanged'
    : 'configured';
}

/**
 * The ports to put in place before an apply: ours, each keeping the node port the API server allocated to the same
 * port and protocol where none is asked for (a restored Service keeps its node ports).
 */
function keptNodePorts(a: Action): V1ServicePort[] | undefined {
  const before = a.existing?.spec?.ports ?? [];
  return applyBody(a.desired.service).spec?.ports?.map((p) => {
    if (p.nodePort !== undefined) return p;
    const same = before.find((b) => b.port === p.port && (b.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
    return same?.nodePort === undefined ? p : { ...p, nodePort: same.nodePort };
  });
}

/** The highest node port an action asks for (--node-port), 0 for none. */
const highestNodePort = (a: Action) =>
  Math.max(0, ...(a.desired.service.spec?.ports ?? []).map((p) => p.nodePort ?? 0));
