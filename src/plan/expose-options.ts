// What a run of expose asks for: the plan's input. options/expose.ts fills it from the flags and checks what it can
// without the cluster; the plan (service.ts, ports.ts) completes it against the StatefulSet. It lives here, beside
// the code that reads it, so imports point one way: options/ → plan/.
import type { GatewayOptions } from './gateway.ts';
import type { Provider } from './load-balancer.ts';
import type { PerOrdinal } from './per-ordinal.ts';

export const serviceTypes = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;
export type ServiceType = (typeof serviceTypes)[number];
export const protocols = ['TCP', 'UDP', 'SCTP'] as const;
export type Protocol = (typeof protocols)[number];
export const trafficPolicies = ['Local', 'Cluster'] as const;
type TrafficPolicy = (typeof trafficPolicies)[number];
export const dryRunModes = ['none', 'client', 'server'] as const;
export type DryRun = (typeof dryRunModes)[number];
export const outputFormats = ['wide', 'json', 'yaml', 'name', 'endpoints'] as const;
/** '': the table. */
export type OutputFormat = (typeof outputFormats)[number] | '';

/** A port asked for on the command line; targetPort defaults to the port, as in `kubectl expose`. */
export interface PortSpec {
  port: number;
  targetPort: number | string;
  protocol: Protocol;
}

/** --node-port: for the Service port named (or the only one), a base counted up per ordinal, or one per ordinal. */
export interface NodePortSpec {
  /** A Service port's name or number; undefined: the Service's only port. */
  port?: string;
  base?: number;
  list?: number[];
}

/** What the Services are: every field a flag that shapes them sets. */
export interface ServiceShape {
  type: ServiceType;
  /** Empty: every container port of the pod template. */
  ports: PortSpec[];
  externalTrafficPolicy?: TrafficPolicy;
  loadBalancerClass?: string;
  loadBalancerSourceRanges: string[];
  /** One per ordinal, in ordinal order; empty: whatever the load balancer hands out. */
  loadBalancerIPs: string[];
  /** Undefined: found from the cluster when it matters. */
  loadBalancerProvider?: Provider;
  /** Empty: the API server allocates node ports. */
  nodePorts: NodePortSpec[];
  /** All ordinals behind one address, each on its own ports. */
  sharedAddress: boolean;
  /** A cloud's internal load balancer. */
  internal: boolean;
  /** Each member's DNS name, for external-dns; the tables show it as the endpoint. */
  hostname?: PerOrdinal;
  dnsTtlSeconds?: number;
  /** The ConfigMap to write the endpoints into; undefined: none. */
  publishConfigmap?: PerOrdinal;
  publishNotReadyAddresses: boolean;
  annotations: Record<string, PerOrdinal>;
  labels: Record<string, PerOrdinal>;
  nameTemplate: string;
  adopt: boolean;
  ownerReference: boolean;
  /** The Gateway mode: a route per member through one Gateway, to ClusterIP Services. Undefined: none. */
  gateway?: GatewayOptions;
}

/** How the run goes: flags that leave the Services as they are. */
export interface RunOptions {
  /** The Service port endpoints show (its name or number); undefined: the first. */
  endpointPort?: string;
  wait: boolean;
  timeoutMs: number;
  dryRun: DryRun;
  output: OutputFormat;
  /** No flag that shapes the Services was given: exposed ones are kept as they are. Undefined: not so. */
  keep?: true;
  /** --wait was left out: its default follows the type, which kept Services decide. */
  waitOmitted?: true;
  /** --type was left out (ClusterIP, unless the Services are kept): a run must not change an exposed type so. */
  typeOmitted?: true;
  /** --watch: after the first run, follow the StatefulSet and converge again on every change, until interrupted. */
  watch: boolean;
  /** --prune (with watch): delete the Services of ordinals a scale-down removed; otherwise they are reported. */
  prune: boolean;
}

export interface ExposeOptions extends ServiceShape, RunOptions {
  statefulSet: string;
}
