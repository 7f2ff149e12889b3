// The expose command's options: raw flags in, a checked ExposeOptions (plan/expose-options.ts) or a UsageError out.
// Pure: no I/O, so every rule here is unit-tested. What depends on the StatefulSet itself (its ports) is completed in
// plan/ports.ts.
import { isCommandError, UsageError } from '../errors.ts';
import { type FlagSpecs, flagName, type Input } from './flags.ts';
import { addressList, isCidr, oneOf, parseDuration, parsePortNumber, splitList } from './values.ts';
import { hostnameAnnotations, ttlAnnotations } from '../plan/dns.ts';
import {
  dryRunModes,
  type ExposeOptions,
  type NodePortSpec,
  outputFormats,
  type PortSpec,
  type Protocol,
  protocols,
  type RunOptions,
  type ServiceShape,
  type ServiceType,
  serviceTypes,
  trafficPolicies,
} from '../plan/expose-options.ts';
import { dnsSubdomainProblem, labelValueProblem, qualifiedNameProblem } from '../plan/names.ts';
import { ownershipLabels } from '../plan/ownership.ts';
import { templateProblem } from '../plan/name-template.ts';
import { addressAnnotations, providers, sharingAnnotations } from '../plan/load-balancer.ts';
import { isFixed, type PerOrdinal, parsePerOrdinal, variesPerMember } from '../plan/per-ordinal.ts';

/** The largest TTL a DNS record holds. */
const maxTtlSeconds = 2147483647;

/** The expose command's flags (the StatefulSet is its argument), described in `kubectl expose`'s words where it can. */
export const exposeFlags = {
  adopt: {
    type: 'boolean',
    default: false,
    describe: 'Take over Services with the wanted names that expose-sts does not manage yet',
  },
  annotations: {
    type: 'string',
    repeatable: true,
    describe:
      'Annotation key=value for the Services; repeatable. In the value, {pod}, {sts}, {ordinal} and {namespace} are ' +
      "each Service's own, and a list {a,b,c} gives each ordinal its item, in ordinal order (quote it)",
  },
  dryRun: {
    type: 'string',
    default: 'none',
    bare: 'client',
    values: dryRunModes,
    describe:
      'Must be "none", "server", or "client". If client strategy, only print the Services that would be sent, without ' +
      'sending them. If server strategy, submit server-side requests without persisting the Services.',
  },
  externalTrafficPolicy: {
    type: 'string',
    values: trafficPolicies,
    describe: 'Local or Cluster; Local for NodePort and LoadBalancer unless given (no extra hop, client IP kept)',
  },
  labels: {
    type: 'string',
    short: 'l',
    repeatable: true,
    describe: 'Labels for the Services, key=value,key2=value2; repeatable; values vary per ordinal as in --annotations',
  },
  dnsTtl: {
    type: 'string',
    describe: "The TTL of the --hostname records, e.g. 60s or 5m (external-dns's ttl annotation)",
  },
  endpointPort: {
    type: 'string',
    describe:
      'The port the ENDPOINT column, -o endpoints and --publish-configmap give (its name or number); default: the first',
  },
  gateway: {
    type: 'string',
    complete: 'gateways',
    describe:
      'Route each member through this Gateway, NAME[/LISTENER], instead of a load balancer each: a TLSRoute per member ' +
      "for its --hostname (the SNI name clients send) on the Gateway's TLS passthrough listener, or with " +
      '--port-per-member a TCPRoute per member; the Services stay ClusterIP. With --gateway-class, the name of the one to make',
  },
  gatewayClass: {
    type: 'string',
    complete: 'gatewayClasses',
    describe:
      "Make the Gateway, of this GatewayClass, with the listeners the members need (owned by the StatefulSet; named by --gateway, default the StatefulSet's name): one load balancer for all members",
  },
  gatewayNamespace: {
    type: 'string',
    complete: 'namespaces',
    describe: "The namespace of --gateway's Gateway; default: the StatefulSet's",
  },
  hostname: {
    type: 'string',
    describe:
      "A DNS name per member for external-dns (its hostname annotation, under both its prefixes: external-dns.kubernetes.io/ and v0.21's external-dns.alpha.kubernetes.io/), e.g. {pod}.kafka.example.com: " +
      '{pod}, {sts}, {ordinal}, {namespace} or a list, as in --annotations. The tables then show names as endpoints',
  },
  internal: {
    type: 'boolean',
    default: false,
    describe:
      "An internal load balancer, reachable only from the cloud's network (AWS, GKE, AKS: the annotation each takes, " +
      "from the nodes' providerID or --load-balancer-provider)",
  },
  loadBalancerClass: { type: 'string', describe: 'The load balancer implementation to use (spec.loadBalancerClass)' },
  loadBalancerIp: {
    type: 'string',
    repeatable: true,
    describe:
      "The address of each ordinal's load balancer, in ordinal order: repeated, comma-separated, or a range A-B. Asked " +
      'for the way the load balancer takes it (MetalLB, Cilium, kube-vip and AKS by annotation; GKE and others by ' +
      'spec.loadBalancerIP; see --load-balancer-provider)',
  },
  loadBalancerProvider: {
    type: 'string',
    values: providers,
    describe:
      'Which load balancer serves the Services, for --load-balancer-ip; default: found from the cluster (MetalLB or ' +
      "Cilium by their APIs, else the nodes' cloud)",
  },
  loadBalancerSourceRanges: {
    type: 'string',
    repeatable: true,
    describe: 'CIDRs allowed to connect, comma-separated or repeated',
  },
  nameTemplate: {
    type: 'string',
    default: '{pod}',
    describe: 'Service names from {pod}, {sts}, {ordinal} and {namespace}, e.g. {pod}-external, or a list {a,b,c}',
  },
  nodePort: {
    type: 'string',
    repeatable: true,
    describe:
      'Node ports, for NodePort and LoadBalancer: [PORT=]BASE gives ordinal i BASE + i (counted from the first ' +
      "ordinal), [PORT=]N0,N1,… one each in ordinal order; PORT (a Service port's name or number) when it has several",
  },
  portPerMember: {
    type: 'boolean',
    default: false,
    describe:
      'With --gateway or --gateway-class, for protocols without TLS: a TCPRoute per member on a listener port of its own ' +
      "(ordinal i on the Service's port + i, or on the port of --gateway's LISTENER + i)",
  },
  publishConfigmap: {
    type: 'string',
    bare: '{sts}-endpoints',
    describe:
      "A ConfigMap (default NAME: <sts>-endpoints; owned by the StatefulSet) with each member's endpoint under its pod " +
      'name and the joined list under "endpoints", written once the addresses are in: pods mount it to learn their own',
  },
  publishNotReadyAddresses: {
    type: 'boolean',
    default: false,
    describe: 'Route to members that are not Ready yet (spec.publishNotReadyAddresses), e.g. while a cluster forms',
  },
  sharedAddress: {
    type: 'boolean',
    default: false,
    describe:
      'One address for all members, where the load balancer can share one (MetalLB, Cilium): ordinal i answers on ' +
      "each port + i (the first keeps the container's port), with --external-traffic-policy Cluster; " +
      '--load-balancer-ip pins the address',
  },
  output: {
    type: 'string',
    short: 'o',
    values: outputFormats,
    describe:
      "Output format. One of: (json, yaml, name, wide, endpoints). endpoints: the members' host:port, comma-separated " +
      'in ordinal order, the list a client takes (bootstrap.servers, a seed list); nothing else on stdout',
  },
  ownerReference: {
    type: 'boolean',
    default: true,
    describe:
      'Make the StatefulSet own its Services, so deleting it deletes them; --owner-reference=false keeps them (and their addresses)',
  },
  port: {
    type: 'string',
    repeatable: true,
    describe: 'Port to expose, PORT[:TARGET][/PROTOCOL]; repeatable. Default: every container port of the pod template',
  },
  protocol: {
    type: 'string',
    default: 'TCP',
    values: protocols,
    describe: 'The network protocol for --port: TCP, UDP or SCTP',
  },
  targetPort: {
    type: 'string',
    describe: 'Name or number of the container port the Service sends traffic to (with one --port)',
  },
  timeout: { type: 'string', default: '5m', describe: 'How long to wait for load-balancer addresses, e.g. 30s, 5m' },
  type: {
    type: 'string',
    default: 'ClusterIP',
    values: serviceTypes,
    describe: 'Type for the Services: ClusterIP, NodePort or LoadBalancer',
  },
  prune: {
    type: 'boolean',
    default: false,
    describe:
      'With --watch, delete the Services of ordinals a scale-down removed (each only if it is still the one listed: same uid); without it they are reported',
  },
  wait: {
    type: 'boolean',
    describe:
      'Wait for the load-balancer addresses. Default: true for --type LoadBalancer, the only type that has them',
  },
  watch: {
    type: 'boolean',
    short: 'w',
    default: false,
    describe:
      'After the table, follow the StatefulSet until interrupted: expose new members, restore Services deleted or changed by others, report orphans, publish changed endpoints',
  },
} as const satisfies FlagSpecs;

/**
 * Flags that say how to run, not what the Services are: a re-run given none but these keeps the exposed Services as
 * they are, rather than making them ClusterIP Services without the rest (a flag left out is otherwise dropped, as a
 * field left out of a manifest that kubectl apply applies).
 */
const runFlags: readonly (keyof typeof exposeFlags)[] = [
  'dryRun',
  'output',
  'timeout',
  'wait',
  'endpointPort',
  'watch',
  'prune',
];

/** The flags as given, and the StatefulSet named on the command line. */
export type ExposeFlags = Input<typeof exposeFlags>;
export type { ExposeOptions };

/** A part of the options, or why the flags cannot give it. */
type Part<K extends keyof ExposeOptions> = Pick<ExposeOptions, K> | UsageError;

/**
 * Which types of Service each flag that shapes only some of them applies to, and why where the type alone does not
 * say: one table, so every such rule reads the same and a new flag is one row.
 */
const typeRules: {
  flag: keyof typeof exposeFlags;
  types: readonly ServiceType[];
  why?: (type: ServiceType) => string;
  /** Also for the Gateway mode's ClusterIP Services (gatewayOf says what else it takes). */
  gateway?: true;
}[] = [
  { flag: 'externalTrafficPolicy', types: ['NodePort', 'LoadBalancer'] },
  { flag: 'sharedAddress', types: ['LoadBalancer'] },
  { flag: 'loadBalancerClass', types: ['LoadBalancer'] },
  { flag: 'loadBalancerSourceRanges', types: ['LoadBalancer'], gateway: true },
  { flag: 'loadBalancerIp', types: ['LoadBalancer'] },
  { flag: 'internal', types: ['LoadBalancer'] },
  {
    flag: 'hostname',
    types: ['NodePort', 'LoadBalancer'],
    why: () => ', the Services external-dns publishes (or with --gateway, the routes)',
    gateway: true,
  },
  { flag: 'nodePort', types: ['NodePort', 'LoadBalancer'] },
  {
    flag: 'wait',
    types: ['LoadBalancer'],
    why: (type) => `: a ${type} Service has no load-balancer address to wait for`,
    gateway: true,
  },
];

/** Whether the flags ask for the Gateway mode. */
const gatewayMode = (flags: ExposeFlags) => flags.gateway !== undefined || flags.gatewayClass !== undefined;

/** Whether a flag was given a value that asks for something (a list with items, true, any text). */
function asks(value: unknown): boolean {
  if (Array.isArray(value)) return splitList(value).length > 0;
  return value === true || typeof value === 'string';
}

function typeProblem(flags: ExposeFlags, type: ServiceType): UsageError | undefined {
  const rule = typeRules.find(
    (r) => asks(flags[r.flag]) && !r.types.includes(type) && !(r.gateway && gatewayMode(flags)),
  );
  if (!rule) return undefined;
  return new UsageError(
    `--${flagName(rule.flag)} applies only to --type ${rule.types.join(' or ')}${rule.why?.(type) ?? ''}`,
  );
}

function parseNodePort(text: string): NodePortSpec | UsageError {
  const m = /^(?:([a-z0-9][-a-z0-9]*)=)?(\d+(?:,\d+)*)$/.exec(text);
  const numbers = m?.[2].split(',').map((n) => parsePortNumber(n));
  if (!m || !numbers || numbers.some((n) => n === undefined)) {
    return new UsageError(
      `invalid --node-port "${text}": use [PORT=]BASE or [PORT=]N0,N1,… with ports from 1 to 65535, e.g. 30000 or postgres=30010,30011`,
    );
  }
  const ports = numbers as number[];
  return ports.length === 1 ? { port: m[1], base: ports[0] } : { port: m[1], list: ports };
}

function parseTarget(text: string): number | string | UsageError {
  const n = parsePortNumber(text);
  if (n !== undefined) return n;
  if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(text) && /[a-z]/.test(text) && text.length <= 15) return text;
  return new UsageError(
    `invalid target port "${text}": use a port number from 1 to 65535 or a container port name (at most 15 lower-case characters)`,
  );
}

/**
 * `PORT[:TARGET][/PROTOCOL]`, so one repeatable flag can say everything `--target-port` and `--protocol` say for one.
 */
function parsePort(text: string, defaultTarget: string | undefined, defaultProtocol: Protocol): PortSpec | UsageError {
  const m = /^([^:/]+)(?::([^/]+))?(?:\/(.+))?$/.exec(text);
  const port = m ? parsePortNumber(m[1]) : undefined;
  if (!m || port === undefined) {
    return new UsageError(
      `invalid --port "${text}": use PORT[:TARGET][/PROTOCOL] with a port from 1 to 65535, e.g. 5432 or 8080:http/TCP`,
    );
  }
  const protocol = m[3] === undefined ? defaultProtocol : oneOf('protocol', m[3], protocols);
  if (protocol instanceof UsageError) return protocol;
  const targetText = m[2] ?? defaultTarget;
  const targetPort = targetText === undefined ? port : parseTarget(targetText);
  if (targetPort instanceof UsageError) return targetPort;
  return { port, targetPort, protocol };
}

/** A per-ordinal value of a flag (plan/per-ordinal.ts), or what is wrong with it in the flag's words. */
function perOrdinalFlag(flag: string, text: string | undefined): PerOrdinal | UsageError | undefined {
  if (text === undefined) return undefined;
  const parsed = parsePerOrdinal(text);
  return isCommandError(parsed) ? new UsageError(`invalid --${flag} "${text}": ${parsed.message}`) : parsed;
}

/** `key=value` items; a value may vary per ordinal (plan/per-ordinal.ts): a label that does is checked per Service. */
function keyValues(flag: string, items: string[]): Record<string, PerOrdinal> | UsageError {
  const out: Record<string, PerOrdinal> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) return new UsageError(`invalid --${flag} "${item}": use key=value`);
    const key = item.slice(0, eq);
    const value = parsePerOrdinal(item.slice(eq + 1));
    const problem = qualifiedNameProblem(key);
    if (problem) return new UsageError(`invalid --${flag} key "${key}": ${problem}`);
    if (isCommandError(value))
      return new UsageError(`invalid --${flag} value "${item.slice(eq + 1)}" for "${key}": ${value.message}`);
    if (flag === 'labels' && isFixed(value)) {
      const vp = labelValueProblem(value.text);
      if (vp) return new UsageError(`invalid --labels value "${value.text}" for "${key}": ${vp}`);
    }
    out[key] = value;
  }
  return out;
}

function portsOf(flags: ExposeFlags): Part<'ports'> {
  const protocol = oneOf('protocol', flags.protocol, protocols);
  if (protocol instanceof UsageError) return protocol;
  const portTexts = splitList(flags.port);
  if (flags.targetPort !== undefined && portTexts.length !== 1) {
    return new UsageError(
      portTexts.length
        ? '--target-port applies to a single --port: for several, write each as --port PORT:TARGET'
        : '--target-port needs --port (without --port, every container port of the StatefulSet is exposed with its own target)',
    );
  }
  const ports: PortSpec[] = [];
  for (const text of portTexts) {
    const p = parsePort(text, flags.targetPort, protocol);
    if (p instanceof UsageError) return p;
    if (ports.some((q) => q.port === p.port && q.protocol === p.protocol))
      return new UsageError(`--port ${p.port}/${p.protocol} is given twice`);
    ports.push(p);
  }
  return { ports };
}

function trafficOf(flags: ExposeFlags, type: ServiceType): Part<'externalTrafficPolicy'> {
  if (flags.externalTrafficPolicy !== undefined) {
    const policy = oneOf('external-traffic-policy', flags.externalTrafficPolicy, trafficPolicies);
    if (policy instanceof UsageError) return policy;
    if (flags.sharedAddress && policy === 'Local') {
      return new UsageError(
        '--shared-address needs --external-traffic-policy Cluster: one address for several pods must reach each of ' +
          'them from wherever it is announced (and MetalLB shares no address between Local Services of different pods)',
      );
    }
    return { externalTrafficPolicy: policy };
  }
  // Only the pod's node answers: no extra hop, client source IP kept. One shared address is announced from one
  // place and must reach every member: Cluster (and MetalLB shares only so between Services of different pods).
  if (type === 'ClusterIP') return { externalTrafficPolicy: undefined };
  return { externalTrafficPolicy: flags.sharedAddress ? 'Cluster' : 'Local' };
}

type LoadBalancerKeys =
  | 'loadBalancerClass'
  | 'loadBalancerSourceRanges'
  | 'loadBalancerIPs'
  | 'loadBalancerProvider'
  | 'sharedAddress'
  | 'internal';

function loadBalancerOf(flags: ExposeFlags): Part<LoadBalancerKeys> {
  if (flags.loadBalancerClass !== undefined) {
    const problem = qualifiedNameProblem(flags.loadBalancerClass);
    if (problem) return new UsageError(`invalid --load-balancer-class "${flags.loadBalancerClass}": ${problem}`);
  }
  const loadBalancerSourceRanges = splitList(flags.loadBalancerSourceRanges);
  const badRange = loadBalancerSourceRanges.find((r) => !isCidr(r));
  if (badRange !== undefined)
    return new UsageError(
      `invalid --load-balancer-source-ranges "${badRange}": use CIDRs such as 203.0.113.0/24 or 2001:db8::/32`,
    );
  const loadBalancerIPs = addressList(splitList(flags.loadBalancerIp));
  if (isCommandError(loadBalancerIPs)) return new UsageError(`invalid --load-balancer-ip: ${loadBalancerIPs.message}`);
  if (flags.sharedAddress && loadBalancerIPs.length > 1)
    return new UsageError('--shared-address takes one --load-balancer-ip: the address all members share');
  const provider =
    flags.loadBalancerProvider === undefined
      ? undefined
      : oneOf('load-balancer-provider', flags.loadBalancerProvider, providers);
  if (provider instanceof UsageError) return provider;
  return {
    loadBalancerClass: flags.loadBalancerClass,
    loadBalancerSourceRanges,
    loadBalancerIPs,
    loadBalancerProvider: provider,
    sharedAddress: flags.sharedAddress,
    internal: flags.internal,
  };
}

function dnsOf(flags: ExposeFlags): Part<'hostname' | 'dnsTtlSeconds'> {
  const hostname = perOrdinalFlag('hostname', flags.hostname);
  if (hostname instanceof UsageError) return hostname;
  if (flags.dnsTtl === undefined) return { hostname, dnsTtlSeconds: undefined };
  const ms = parseDuration(flags.dnsTtl);
  if (ms === undefined || ms < 1000)
    return new UsageError(
      `invalid --dns-ttl "${flags.dnsTtl}": use a duration of at least a second, such as 60s or 5m`,
    );
  // DNS TTLs are 32-bit signed seconds (RFC 2181): external-dns would write a larger one as is.
  if (ms / 1000 > maxTtlSeconds)
    return new UsageError(`invalid --dns-ttl "${flags.dnsTtl}": a DNS TTL is at most ${maxTtlSeconds}s`);
  if (!hostname) return new UsageError('--dns-ttl needs --hostname: it is the TTL of its records');
  return { hostname, dnsTtlSeconds: Math.round(ms / 1000) };
}

/** `NAME[/LISTENER]`, each a name the API server takes. */
function gatewayRef(text: string): { name: string; listener?: string } | UsageError {
  const [name, listener, more] = text.split('/');
  const problem =
    more === undefined
      ? (dnsSubdomainProblem(name) ?? (listener === undefined ? undefined : dnsSubdomainProblem(listener)))
      : 'has more than one /';
  if (problem)
    return new UsageError(`invalid --gateway "${text}": use NAME or NAME/LISTENER, DNS names (it ${problem})`);
  return { name, listener };
}

/** The Gateway mode's options, or what the flags get wrong about it (each alone, and with the others). */
function gatewayOf(flags: ExposeFlags, type: ServiceType): Part<'gateway'> {
  if (!gatewayMode(flags)) {
    const stray = (['portPerMember', 'gatewayNamespace'] as const).find((k) => asks(flags[k]));
    return stray
      ? new UsageError(`--${flagName(stray)} applies only with --gateway or --gateway-class`)
      : { gateway: undefined };
  }
  if (type !== 'ClusterIP')
    return new UsageError(
      `--gateway routes to each member's ClusterIP Service through one Gateway: --type ${type} would add a load balancer per member; leave --type out`,
    );
  const ref = flags.gateway === undefined ? { name: flags.statefulSet ?? '' } : gatewayRef(flags.gateway);
  if (ref instanceof UsageError) return ref;
  const className = flags.gatewayClass;
  if (className !== undefined) {
    const problem = dnsSubdomainProblem(className);
    if (problem) return new UsageError(`invalid --gateway-class "${className}": it ${problem}`);
    if (ref.listener !== undefined)
      return new UsageError(
        '--gateway-class makes the Gateway and its listeners: give --gateway NAME without /LISTENER',
      );
    if (flags.gatewayNamespace !== undefined)
      return new UsageError(
        "--gateway-class makes the Gateway in the StatefulSet's namespace: leave --gateway-namespace out",
      );
  } else if (splitList(flags.loadBalancerSourceRanges).length) {
    return new UsageError(
      "--load-balancer-source-ranges applies to a Gateway expose-sts makes (--gateway-class): set your Gateway's own",
    );
  }
  if (flags.gatewayNamespace !== undefined) {
    const problem = dnsSubdomainProblem(flags.gatewayNamespace);
    if (problem) return new UsageError(`invalid --gateway-namespace "${flags.gatewayNamespace}": it ${problem}`);
  }
  if (!flags.portPerMember && flags.hostname === undefined)
    return new UsageError(
      "--gateway tells members apart by the name clients send (SNI): give --hostname, e.g. '{pod}.kafka.example.com', or --port-per-member for a port each",
    );
  return {
    gateway: {
      ...ref,
      namespace: flags.gatewayNamespace,
      className,
      portPerMember: flags.portPerMember,
    },
  };
}

function publishOf(flags: ExposeFlags): Part<'publishConfigmap'> {
  const publishConfigmap = perOrdinalFlag('publish-configmap', flags.publishConfigmap);
  if (publishConfigmap instanceof UsageError) return publishConfigmap;
  if (publishConfigmap && variesPerMember(publishConfigmap)) {
    return new UsageError(
      `invalid --publish-configmap "${flags.publishConfigmap}": it names one ConfigMap for all members: use {sts} or {namespace}`,
    );
  }
  return { publishConfigmap };
}

function nodePortsOf(flags: ExposeFlags): Part<'nodePorts'> {
  const nodePorts: NodePortSpec[] = [];
  for (const text of flags.nodePort ?? []) {
    const spec = parseNodePort(text);
    if (spec instanceof UsageError) return spec;
    if (nodePorts.some((s) => s.port === spec.port))
      return new UsageError(`--node-port for ${spec.port ?? 'the port'} is given twice`);
    nodePorts.push(spec);
  }
  return { nodePorts };
}

/** An annotation a flag of its own sets is set one way only; the ownership labels are expose-sts' own. */
function metadataProblem(
  flags: ExposeFlags,
  annotations: Record<string, PerOrdinal>,
  labels: Record<string, PerOrdinal>,
) {
  const setByFlags: [boolean, string, readonly string[]][] = [
    [flags.hostname !== undefined, 'hostname', hostnameAnnotations],
    [flags.dnsTtl !== undefined, 'dns-ttl', ttlAnnotations],
    [splitList(flags.loadBalancerIp).length > 0, 'load-balancer-ip', addressAnnotations],
    [flags.sharedAddress, 'shared-address', sharingAnnotations],
  ];
  for (const [given, flag, keys] of setByFlags) {
    const key = given ? keys.find((k) => k in annotations) : undefined;
    if (key) return new UsageError(`--annotations cannot set ${key} with --${flag}, which sets it: give one of them`);
  }
  const reserved = Object.keys(labels).find((k) => (ownershipLabels as readonly string[]).includes(k));
  if (reserved)
    return new UsageError(`--labels cannot set ${reserved}: expose-sts sets it to mark the Services it owns`);
  return undefined;
}

function metadataOf(flags: ExposeFlags): Part<'annotations' | 'labels' | 'nameTemplate'> {
  const annotations = keyValues('annotations', flags.annotations ?? []);
  if (annotations instanceof UsageError) return annotations;
  const labels = keyValues('labels', splitList(flags.labels));
  if (labels instanceof UsageError) return labels;
  const problem = metadataProblem(flags, annotations, labels);
  if (problem) return problem;
  const templateError = templateProblem(flags.nameTemplate);
  if (templateError) return new UsageError(`invalid --name-template "${flags.nameTemplate}": ${templateError}`);
  return { annotations, labels, nameTemplate: flags.nameTemplate };
}

function runOf(flags: ExposeFlags, type: ServiceType, publishes: boolean): RunOptions | UsageError {
  const timeoutMs = parseDuration(flags.timeout);
  if (timeoutMs === undefined)
    return new UsageError(`invalid --timeout "${flags.timeout}": use a duration such as 30s, 5m or 1h`);
  const dryRun = oneOf('dry-run', flags.dryRun, dryRunModes);
  if (dryRun instanceof UsageError) return dryRun;
  const waits = type === 'LoadBalancer' || gatewayMode(flags);
  if (flags.wait === false && waits && publishes)
    return new UsageError(
      '--publish-configmap writes the addresses once they are in, and --wait=false does not wait for them: drop one of them',
    );
  const output = flags.output ? oneOf('output', flags.output, outputFormats) : '';
  if (output instanceof UsageError) return output;
  const watchProblem = watchProblemOf(flags, dryRun, output);
  if (watchProblem) return watchProblem;
  const given = flags.given;
  return {
    endpointPort: flags.endpointPort,
    wait: dryRun === 'none' && (flags.wait ?? waits),
    timeoutMs,
    dryRun,
    output,
    keep: (given?.every((key) => runFlags.includes(key as keyof typeof exposeFlags)) ?? false) || undefined,
    waitOmitted: (given !== undefined && !given.includes('wait')) || undefined,
    typeOmitted: (given !== undefined && !given.includes('type')) || undefined,
    watch: flags.watch,
    prune: flags.prune,
  };
}

/** What --watch cannot go with: a dry run writes nothing to keep in step, and -o yaml|name are no log of events. */
function watchProblemOf(flags: ExposeFlags, dryRun: string, output: string): UsageError | undefined {
  if (flags.prune && !flags.watch)
    return new UsageError(
      '--prune deletes what a scale-down leaves while --watch follows the StatefulSet: give --watch too, or run kubectl expose-sts prune once',
    );
  if (!flags.watch) return undefined;
  if (dryRun !== 'none')
    return new UsageError('--watch keeps the Services in step, and --dry-run writes nothing: give one of them');
  if (output === 'yaml' || output === 'name')
    return new UsageError(
      `--watch prints a line per change, as the table's rows or as JSON: -o ${output} cannot follow; use -o json`,
    );
  return undefined;
}

/** The first error among the parts, or every part without one (in order, typed as given). */
function allOf<T extends readonly unknown[]>(parts: T): { [K in keyof T]: Exclude<T[K], UsageError> } | UsageError {
  const error = parts.find((p) => p instanceof UsageError);
  return (error as UsageError | undefined) ?? (parts as { [K in keyof T]: Exclude<T[K], UsageError> });
}

/** A list flag given with nothing in it (--load-balancer-ip=, --port ,) is a mistake, not "none". */
function emptyListProblem(flags: ExposeFlags): UsageError | undefined {
  const empty = (['loadBalancerIp', 'loadBalancerSourceRanges', 'port', 'labels'] as const).find(
    (key) => flags[key] !== undefined && splitList(flags[key]).length === 0,
  );
  return empty && new UsageError(`--${flagName(empty)} is given without a value`);
}

/** Flags in, options out: the type first (every other rule may depend on it), then each part of the options. */
export function validateExposeFlags(flags: ExposeFlags): ExposeOptions | UsageError {
  if (!flags.statefulSet)
    return new UsageError('a StatefulSet name is required: kubectl expose-sts STATEFULSET [flags]');
  const type = oneOf('type', flags.type, serviceTypes);
  if (type instanceof UsageError) return type;
  const problem = typeProblem(flags, type) ?? emptyListProblem(flags);
  if (problem) return problem;
  const parts = allOf([
    portsOf(flags),
    trafficOf(flags, type),
    loadBalancerOf(flags),
    dnsOf(flags),
    publishOf(flags),
    nodePortsOf(flags),
    metadataOf(flags),
    runOf(flags, type, flags.publishConfigmap !== undefined),
    gatewayOf(flags, type),
  ] as const);
  if (parts instanceof UsageError) return parts;
  const [ports, traffic, loadBalancer, dns, publish, nodePorts, metadata, run, gateway] = parts;
  const shape: ServiceShape = {
    type,
    ...ports,
    ...traffic,
    ...loadBalancer,
    ...dns,
    ...publish,
    ...nodePorts,
    ...metadata,
    publishNotReadyAddresses: flags.publishNotReadyAddresses,
    adopt: flags.adopt,
    ownerReference: flags.ownerReference,
    ...gateway,
  };
  return { statefulSet: flags.statefulSet, ...shape, ...run };
}
