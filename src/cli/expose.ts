// kubectl expose-sts STATEFULSET: flags → options (validate) → desired Services (plan) → apply and wait (kube) → table.
import type { V1Service } from '@kubernetes/client-node';
import { CommandError } from '../errors.ts';
import type { Kube } from '../kube/client.ts';
import { exposeFlags, type ExposeOptions, validateExposeFlags } from '../options/expose.ts';
import { planActions, type ActionKind } from '../plan/diff.ts';
import { lbAddress } from '../plan/endpoint.ts';
import { loadBalancerOf } from '../plan/load-balancer.ts';
import { exposureOf } from '../plan/exposure.ts';
import { nameOf, uidOf } from '../plan/meta.ts';
import { configMapName, configMapNameProblem, endpointsConfigMap } from '../plan/dns.ts';
import { managedSelector } from '../plan/ownership.ts';
import { applyBody, desiredServices, type DesiredService } from '../plan/service.ts';
import { formatObjects } from '../render/objects.ts';
import { configMapData, endpointsLine, exposeTable } from '../render/tables.ts';
import { loadKube } from '../kube/load.ts';
import { reasonLine } from '../plan/warnings.ts';
import { sizeRun } from './large-run.ts';
import { checkBeforeWriting } from './preflight.ts';
import type { ClusterCommand } from './command.ts';
import type { IO } from './io.ts';
import { waitForAddresses } from './wait.ts';

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

const pendingHint = (classes: string | undefined) =>
  'likely causes: no load-balancer controller in this cluster (minikube, kind without cloud-provider-kind, bare metal without MetalLB), ' +
  'an exhausted load-balancer quota' +
  (classes
    ? `, or no controller serving --load-balancer-class ${classes}`
    : ', or a load-balancer class nobody serves') +
  '; kubectl describe service NAME shows the events of the cloud controller';

const objectFormat = (output: ExposeOptions['output']) =>
  output === 'json' || output === 'yaml' || output === 'name' ? output : undefined;

const verbs: Record<ActionKind, string> = {
  create: 'created',
  update: 'configured',
  unchanged: 'unchanged',
  adopt: 'configured',
};

function printObjects(io: IO, services: V1Service[], opts: ExposeOptions, actions: ActionKind[]): void {
  const format = objectFormat(opts.output);
  if (format) {
    io.out(formatObjects(services, format));
    return;
  }
  const suffix = opts.dryRun === 'client' ? ' (dry run)' : opts.dryRun === 'server' ? ' (server dry run)' : '';
  io.out(services.map((s, i) => `service/${nameOf(s)} ${verbs[actions[i]]}${suffix}\n`).join(''));
}

async function runExpose(opts: ExposeOptions, kube: Kube, io: IO): Promise<number> {
  const k = await loadKube();
  // Reads that do not depend on each other go out together: on a remote cluster each round trip in a row is tens of
  // milliseconds (bench/ANALYSIS.md, P7b). A read's failure is thrown where it is awaited, in the order below.
  const early = <T>(p: Promise<T>) => {
    p.catch(() => undefined);
    return p;
  };
  const listed = opts.dryRun === 'client' ? undefined : early(k.listServices(kube));
  const format = objectFormat(opts.output);
  const tableOutput = !format && opts.dryRun === 'none';
  const listedPods = tableOutput ? early(k.listPods(kube)) : undefined;
  const sts = await k.getStatefulSet(kube, opts.statefulSet);
  sizeRun(sts.spec?.replicas ?? 1);
  if ((sts.spec?.replicas ?? 1) === 0) {
    io.err(`statefulset ${opts.statefulSet} has 0 replicas in namespace "${kube.namespace}": nothing to expose\n`);
    return 0;
  }
  // A requested, shared or internal address is asked for the way the load balancer takes it: which one serves the
  // cluster is read from it (discovery, a node's providerID) unless named.
  const lb =
    opts.loadBalancerIPs.length || opts.sharedAddress || opts.internal
      ? loadBalancerOf(
          opts.loadBalancerProvider,
          opts.loadBalancerProvider ? { groups: [] } : await k.clusterFacts(kube),
        )
      : undefined;
  const desired = desiredServices(sts, opts, kube.namespace, lb);
  if (typeof desired === 'string') throw new CommandError(desired);
  const configMap = opts.publishConfigmap && configMapName(opts.publishConfigmap, opts.statefulSet, kube.namespace);
  const badName = configMap && configMapNameProblem(configMap);
  if (badName) throw new CommandError(badName);
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
  if (opts.dryRun === 'client') {
    printObjects(
      io,
      desired.map((d) => applyBody(d.service)),
      opts,
      desired.map(() => 'create'),
    );
    return 0;
  }

  // One LIST of the namespace's Services: finds our own and any same-named Service we must not touch.
  const existing = await (listed ?? k.listServices(kube));
  const plan = planActions(desired, existing.items, opts.adopt);
  if (plan.conflicts.length) {
    const more = plan.conflicts.length > 1 ? ` (and ${plan.conflicts.length - 1} more)` : '';
    throw new CommandError(`${plan.conflicts[0]}${more}; nothing was changed`);
  }
  const toWrite = plan.actions.filter((a) => a.kind !== 'unchanged');
  const dryRunServer = opts.dryRun === 'server';
  if (!dryRunServer) {
    await checkBeforeWriting(
      k,
      kube,
      plan.actions,
      lb?.provider,
      configMap ? { name: configMap, statefulSet: opts.statefulSet } : undefined,
    );
  }
  // Each Service as last seen: listed, then as each write answered, then as the watch shows it.
  const current = new Map(plan.actions.flatMap((a) => (a.existing ? [[a.desired.name, a.existing] as const] : [])));
  const latest = (d: DesiredService) => current.get(d.name) ?? d.service;

  // Every read comes before the first write, so a missing permission or a refused connection changes nothing.
  const pods = await listedPods;
  const nodes =
    tableOutput && (opts.type === 'NodePort' || opts.output === 'wide') ? await k.listNodes(kube) : new Map();
  const waiting =
    opts.wait &&
    opts.type === 'LoadBalancer' &&
    !dryRunServer &&
    plan.actions.some((a) => !a.existing || !lbAddress(a.existing));
  // Watching from the LIST's version replays our own writes and every address assigned since: nothing is missed.
  const watch = waiting
    ? await k.watchServices(kube, managedSelector(opts.statefulSet), existing.resourceVersion)
    : undefined;

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
    for (const a of plan.actions.filter((x) => x.kind === 'adopt')) {
      await k.replacePorts(kube, a.desired.name, applyBody(a.desired.service).spec?.ports, dryRunServer);
    }
    written = await k.applyAll(
      kube,
      toWrite.map((a) => applyBody(a.desired.service)),
      dryRunServer,
      {
        sent: () => inFlight++,
        applied: (i) => {
          inFlight--;
          applied.push(`service/${toWrite[i].desired.name} ${verbs[toWrite[i].kind]}`);
        },
      },
    );
  } catch (err) {
    watch?.close(); // an open watch would keep the process from exiting
    throw err;
  }
  for (const [i, a] of toWrite.entries()) current.set(a.desired.name, written[i]);
  const counts = plan.actions.reduce((m, a) => m.set(a.kind, (m.get(a.kind) ?? 0) + 1), new Map<ActionKind, number>());
  kube.log(1, `services: ${[...counts].map(([kind, n]) => `${n} ${kind}`).join(', ')}`);

  if (dryRunServer) {
    printObjects(
      io,
      desired.map(latest),
      opts,
      plan.actions.map((a) => a.kind),
    );
    return 0;
  }

  io.onInterrupt?.(
    () =>
      `all ${desired.length} services are applied; interrupted while waiting for load-balancer addresses (kubectl expose-sts status ${opts.statefulSet} shows them)`,
  );
  const waited = watch
    ? await waitForAddresses(
        k,
        kube,
        watch,
        desired.map((d) => d.name),
        current,
        opts.timeoutMs,
        io,
      )
    : { timedOut: false as const };

  const services = desired.map(latest);
  const at = (d: DesiredService) => ({
    namespace: kube.namespace,
    statefulSet: opts.statefulSet,
    ordinal: d.ordinal,
    pod: d.pod,
  });
  const rows = desired.map((d, i) => exposureOf(at(d), services[i], pods?.get(d.pod), nodes));
  if (configMap && !waited.timedOut) {
    // Once the addresses are in: every run writes it again, so it follows scaling and changed addresses.
    await k.applyConfigMap(
      kube,
      endpointsConfigMap({
        name: configMap,
        namespace: kube.namespace,
        statefulSet: { name: opts.statefulSet, uid: uidOf(sts) },
        owned: opts.ownerReference,
        endpointPort: opts.endpointPort,
        data: configMapData(rows, opts.endpointPort),
      }),
    );
    kube.log(1, `configmap/${configMap} configured`);
  }
  if (format) io.out(formatObjects(services, format));
  else if (opts.output === 'endpoints') {
    const { line, missing } = endpointsLine(rows, opts.endpointPort);
    if (missing.length) io.err(`warning: no endpoint yet for ${missing.join(', ')}\n`);
    io.out(line);
  } else io.out(exposeTable(rows, { wide: opts.output === 'wide', endpointPort: opts.endpointPort }));
  if (waited.timedOut) {
    const pending = services.filter((s) => !lbAddress(s)).map(nameOf);
    // What the load balancer said of them, where it said something; otherwise the usual causes.
    const why = waited.reasons.length ? waited.reasons.map(reasonLine).join('; ') : pendingHint(opts.loadBalancerClass);
    io.err(
      `error: timed out after ${opts.timeoutMs / 1000} s waiting for load-balancer addresses of ${pending.length} of ${services.length} services ` +
        `(${pending.slice(0, 5).join(', ')}${pending.length > 5 ? ', …' : ''}); ${why}\n`,
    );
    return 1;
  }
  return 0;
}
