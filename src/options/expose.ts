// The expose command's options: raw flags in, a checked ExposeOptions (or a UsageError) out. Pure: no I/O, so every
// rule here is unit-tested. What depends on the StatefulSet itself (its ports) is completed in plan/ports.ts.
import { UsageError } from '../errors.ts';
import { isCidr, labelValueProblem, oneOf, parseDuration, parsePortNumber, qualifiedNameProblem, splitList } from './values.ts';
import { ownershipLabels } from '../plan/ownership.ts';
import { templateProblem } from '../plan/name-template.ts';

export const serviceTypes = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;
export type ServiceType = (typeof serviceTypes)[number];
export const protocols = ['TCP', 'UDP', 'SCTP'] as const;
export type Protocol = (typeof protocols)[number];
export const trafficPolicies = ['Local', 'Cluster'] as const;
export type TrafficPolicy = (typeof trafficPolicies)[number];
export const dryRunModes = ['none', 'client', 'server'] as const;
export type DryRun = (typeof dryRunModes)[number];
export const outputFormats = ['wide', 'json', 'yaml', 'name'] as const;
export type Output = (typeof outputFormats)[number] | '';

/** A port asked for on the command line; targetPort defaults to the port, as in `kubectl expose`. */
export interface PortSpec {
  port: number;
  targetPort: number | string;
  protocol: Protocol;
}

/** Flags as the argument parser hands them over, before any checking. */
export interface ExposeFlags {
  statefulSet?: string;
  type?: string;
  port?: string[];
  targetPort?: string;
  protocol?: string;
  externalTrafficPolicy?: string;
  loadBalancerClass?: string;
  loadBalancerSourceRanges?: string[];
  annotations?: string[];
  labels?: string;
  nameTemplate?: string;
  adopt?: boolean;
  ownerReference?: boolean;
  wait?: boolean;
  timeout?: string;
  dryRun?: string;
  output?: string;
}

export interface ExposeOptions {
  statefulSet: string;
  type: ServiceType;
  /** Empty: every container port of the pod template. */
  ports: PortSpec[];
  externalTrafficPolicy?: TrafficPolicy;
  loadBalancerClass?: string;
  loadBalancerSourceRanges: string[];
  annotations: Record<string, string>;
  labels: Record<string, string>;
  nameTemplate: string;
  adopt: boolean;
  ownerReference: boolean;
  wait: boolean;
  timeoutMs: number;
  dryRun: DryRun;
  output: Output;
}

/** `PORT[:TARGET][/PROTOCOL]`, so one repeatable flag can say everything `--target-port` and `--protocol` say for one. */
function parsePort(text: string, defaultTarget: string | undefined, defaultProtocol: Protocol): PortSpec | UsageError {
  const m = /^([^:/]+)(?::([^/]+))?(?:\/(.+))?$/.exec(text);
  const port = m ? parsePortNumber(m[1]) : undefined;
  if (!m || port === undefined) {
    return new UsageError(`invalid --port "${text}": use PORT[:TARGET][/PROTOCOL] with a port from 1 to 65535, e.g. 5432 or 8080:http/TCP`);
  }
  const protocol = m[3] === undefined ? defaultProtocol : oneOf('protocol', m[3], protocols);
  if (protocol instanceof UsageError) return protocol;
  const targetText = m[2] ?? defaultTarget;
  let targetPort: number | string = port;
  if (targetText !== undefined) {
    const n = parsePortNumber(targetText);
    if (n !== undefined) targetPort = n;
    else if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(targetText) && /[a-z]/.test(targetText) && targetText.length <= 15) targetPort = targetText;
    else return new UsageError(`invalid target port "${targetText}": use a port number from 1 to 65535 or a container port name (at most 15 lower-case characters)`);
  }
  return { port, targetPort, protocol };
}

function keyValues(flag: string, items: string[]): Record<string, string> | UsageError {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) return new UsageError(`invalid --${flag} "${item}": use key=value`);
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    const problem = qualifiedNameProblem(key);
    if (problem) return new UsageError(`invalid --${flag} key "${key}": ${problem}`);
    if (flag === 'labels') {
      const vp = labelValueProblem(value);
      if (vp) return new UsageError(`invalid --labels value "${value}" for "${key}": ${vp}`);
    }
    out[key] = value;
  }
  return out;
}

export function validateExposeFlags(flags: ExposeFlags): ExposeOptions | UsageError {
  if (!flags.statefulSet) return new UsageError('a StatefulSet name is required: kubectl expose-sts STATEFULSET [flags]');

  const type = oneOf('type', flags.type ?? 'ClusterIP', serviceTypes);
  if (type instanceof UsageError) return type;

  const protocol = oneOf('protocol', flags.protocol ?? 'TCP', protocols);
  if (protocol instanceof UsageError) return protocol;
  const portTexts = splitList(flags.port);
  if (flags.targetPort !== undefined && portTexts.length !== 1) {
    return new UsageError(portTexts.length ? '--target-port applies to a single --port: for several, write each as --port PORT:TARGET'
      : '--target-port needs --port (without --port, every container port of the StatefulSet is exposed with its own target)');
  }
  const ports: PortSpec[] = [];
  for (const text of portTexts) {
    const p = parsePort(text, flags.targetPort, protocol);
    if (p instanceof UsageError) return p;
    if (ports.some((q) => q.port === p.port && q.protocol === p.protocol)) return new UsageError(`--port ${p.port}/${p.protocol} is given twice`);
    ports.push(p);
  }

  let externalTrafficPolicy: TrafficPolicy | undefined;
  if (flags.externalTrafficPolicy !== undefined) {
    const policy = oneOf('external-traffic-policy', flags.externalTrafficPolicy, trafficPolicies);
    if (policy instanceof UsageError) return policy;
    if (type === 'ClusterIP') return new UsageError('--external-traffic-policy applies only to --type NodePort or LoadBalancer');
    externalTrafficPolicy = policy;
  } else if (type !== 'ClusterIP') {
    externalTrafficPolicy = 'Local'; // only the pod's node answers: no extra hop, client source IP kept
  }

  if (flags.loadBalancerClass !== undefined) {
    if (type !== 'LoadBalancer') return new UsageError('--load-balancer-class applies only to --type LoadBalancer');
    const problem = qualifiedNameProblem(flags.loadBalancerClass);
    if (problem) return new UsageError(`invalid --load-balancer-class "${flags.loadBalancerClass}": ${problem}`);
  }
  const loadBalancerSourceRanges = splitList(flags.loadBalancerSourceRanges);
  if (loadBalancerSourceRanges.length && type !== 'LoadBalancer') return new UsageError('--load-balancer-source-ranges applies only to --type LoadBalancer');
  const badRange = loadBalancerSourceRanges.find((r) => !isCidr(r));
  if (badRange !== undefined) return new UsageError(`invalid --load-balancer-source-ranges "${badRange}": use CIDRs such as 203.0.113.0/24 or 2001:db8::/32`);

  const annotations = keyValues('annotations', flags.annotations ?? []);
  if (annotations instanceof UsageError) return annotations;
  const labels = keyValues('labels', splitList(flags.labels ? [flags.labels] : []));
  if (labels instanceof UsageError) return labels;
  const reserved = Object.keys(labels).find((k) => (ownershipLabels as readonly string[]).includes(k));
  if (reserved) return new UsageError(`--labels cannot set ${reserved}: expose-sts sets it to mark the Services it owns`);

  const nameTemplate = flags.nameTemplate ?? '{pod}';
  const templateError = templateProblem(nameTemplate);
  if (templateError) return new UsageError(`invalid --name-template "${nameTemplate}": ${templateError}`);

  const timeoutMs = parseDuration(flags.timeout ?? '5m');
  if (timeoutMs === undefined) return new UsageError(`invalid --timeout "${flags.timeout}": use a duration such as 30s, 5m or 1h`);

  const dryRun = flags.dryRun === undefined || flags.dryRun === '' ? 'none' : oneOf('dry-run', flags.dryRun, dryRunModes);
  if (dryRun instanceof UsageError) return dryRun;
  const output = flags.output ? oneOf('output', flags.output, outputFormats) : '';
  if (output instanceof UsageError) return output;

  return {
    statefulSet: flags.statefulSet,
    type,
    ports,
    externalTrafficPolicy,
    loadBalancerClass: flags.loadBalancerClass,
    loadBalancerSourceRanges,
    annotations,
    labels,
    nameTemplate,
    adopt: flags.adopt ?? false,
    ownerReference: flags.ownerReference ?? true,
    wait: dryRun === 'none' && (flags.wait ?? type === 'LoadBalancer'),
    timeoutMs,
    dryRun,
    output,
  };
}
