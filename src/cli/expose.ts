// kubectl expose-sts STATEFULSET, as named steps (each in expose/): read the cluster → plan the writes → check them
// before writing → apply → wait for the addresses → publish the endpoints → print; with --watch, then the same steps
// again for every change that needs them (expose/watch.ts). Flags become options first (options/expose.ts), and main
// completes the connection.
import type { Api } from '../kube/api.ts';
import { exposeFlags, validateExposeFlags } from '../options/expose.ts';
import type { ExposeOptions } from '../plan/expose-options.ts';
import { applyBody } from '../plan/service.ts';
import type { ClusterCommand } from './command.ts';
import { converge, dryRunConfigMap, reportConverged } from './expose/converge.ts';
import { type Planned, planRun } from './expose/plan.ts';
import { printObjects, printResult, verbs } from './expose/print.ts';
import { configMapVerb } from './expose/publish.ts';
import { readCluster } from './expose/read.ts';
import { dryRunObjects } from './expose/routes.ts';
import { keepInStep } from './expose/watch.ts';
import type { IO } from './io.ts';
import type { Written } from '../render/objects.ts';

export const exposeCommand: ClusterCommand<typeof exposeFlags, ExposeOptions> = {
  name: '',
  summary: 'Create or update one Service per pod of the StatefulSet',
  description: [
    'Expose each pod of a StatefulSet through a Service of its own.',
    " One Service per ordinal, each selecting only its pod (statefulset.kubernetes.io/pod-name), with externalTrafficPolicy Local for NodePort and LoadBalancer so that only the pod's node answers and the client's source IP is kept. Running it again converges: new ordinals get their Service, changed flags update the Services in place, and nothing is written when nothing changed. For LoadBalancer it waits until every address is in. With --watch it then follows the StatefulSet and does so again for every change, until interrupted.",
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
      'One load balancer for all members: a TLSRoute per member on Gateway edge, told apart by the SNI name clients send',
      "kubectl expose-sts kafka --gateway edge --hostname '{pod}.kafka.example.com'",
    ],
    [
      "Without TLS: a Gateway of the StatefulSet's own (class eg), with a port per member: 6379, 6380, …",
      'kubectl expose-sts redis --gateway-class eg --port-per-member',
    ],
    [
      'Keep the Services in step until interrupted: expose members a scale-up adds, delete those a scale-down leaves',
      'kubectl expose-sts kafka --type LoadBalancer --publish-configmap --watch --prune',
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

/** A client dry run: each Service as it would be sent, and the ConfigMap with the addresses they show now. */
function printClientDryRun(planned: Planned, api: Api, io: IO): number {
  const { actions } = planned.plan;
  const bodies = actions.map((a) => (a.kind === 'unchanged' && a.existing ? a.existing : applyBody(a.desired.service)));
  const cm = dryRunConfigMap(
    planned,
    actions.map((a, i) => a.existing ?? bodies[i]),
    api.namespace,
  );
  const objects: { object: Written; verb: string }[] = actions.map((a, i) => ({
    object: bodies[i],
    verb: verbs[a.kind],
  }));
  // The routes (and the own Gateway) as they would be sent: their server-side apply says what changes.
  objects.push(...dryRunObjects(planned.routes));
  if (cm) objects.push({ object: cm, verb: configMapVerb(cm, planned.publishedBefore) });
  printObjects(io, objects, planned.opts);
  return 0;
}

async function runExpose(given: ExposeOptions, api: Api, io: IO): Promise<number> {
  const read = await readCluster(given, api);
  if (!read) {
    io.err(`statefulset ${given.statefulSet} has 0 replicas in namespace "${api.namespace}": nothing to expose\n`);
    return given.watch ? keepInStep(given, api, io) : 0;
  }
  const planned = await planRun(given, read, api, io);
  const { opts } = planned;
  if (opts.dryRun === 'client') return printClientDryRun(planned, api, io);
  const done = await converge(planned, read, { api, io });
  if (!done) return 0; // a server dry run, printed
  const laid = printResult(io, opts, [...done.services, ...done.routeObjects], done.rows);
  const code = reportConverged(io, planned, done, api.namespace);
  if (!given.watch) return code;
  done.release();
  return keepInStep(given, api, io, { planned, converged: done, laid });
}
