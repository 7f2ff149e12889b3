// Every command's flags as data: yargs is configured from it, and shell completion reads the same list, so a flag and
// its accepted values are written once.
import type { Argv } from 'yargs';
import { dryRunModes, outputFormats, protocols, serviceTypes, trafficPolicies } from '../options/expose.ts';
import { statusOutputs } from '../options/scope.ts';

export interface FlagSpec {
  name: string;
  alias?: string;
  type: 'string' | 'boolean' | 'number';
  describe: string;
  default?: string | boolean | number;
  /** Accepted values, offered by completion. */
  values?: readonly string[];
  /** Completion looks these up in the cluster or the kubeconfig. */
  dynamic?: 'namespaces' | 'contexts' | 'files';
}

export const connectionFlagSpecs: FlagSpec[] = [
  { name: 'namespace', alias: 'n', type: 'string', describe: 'If present, the namespace scope for this CLI request', dynamic: 'namespaces' },
  { name: 'kubeconfig', type: 'string', describe: 'Path to the kubeconfig file to use for CLI requests', dynamic: 'files' },
  { name: 'context', type: 'string', describe: 'The name of the kubeconfig context to use', dynamic: 'contexts' },
  { name: 'cluster', type: 'string', describe: 'The name of the kubeconfig cluster to use' },
  { name: 'user', type: 'string', describe: 'The name of the kubeconfig user to use' },
  { name: 'server', alias: 's', type: 'string', describe: 'The address and port of the Kubernetes API server' },
  { name: 'token', type: 'string', describe: 'Bearer token for authentication to the API server' },
  { name: 'certificate-authority', type: 'string', describe: 'Path to a cert file for the certificate authority', dynamic: 'files' },
  { name: 'client-certificate', type: 'string', describe: 'Path to a client certificate file for TLS', dynamic: 'files' },
  { name: 'client-key', type: 'string', describe: 'Path to a client key file for TLS', dynamic: 'files' },
  { name: 'insecure-skip-tls-verify', type: 'boolean', describe: "If true, the server's certificate will not be checked for validity" },
  { name: 'as', type: 'string', describe: 'Username to impersonate for the operation' },
  { name: 'as-group', type: 'string', describe: 'Group to impersonate for the operation' },
  { name: 'request-timeout', type: 'string', describe: 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m); 0 means no timeout' },
  { name: 'v', alias: 'verbosity', type: 'string', default: '0', describe: 'Number for the log level verbosity' },
];

export const exposeFlagSpecs: FlagSpec[] = [
  { name: 'type', type: 'string', describe: `Type for the Services: ${serviceTypes.join(', ')}`, default: 'ClusterIP', values: serviceTypes },
  { name: 'port', type: 'string', describe: 'Port to expose, PORT[:TARGET][/PROTOCOL]; repeatable. Default: every container port of the pod template' },
  { name: 'target-port', type: 'string', describe: 'Name or number of the container port the Service sends traffic to (with one --port)' },
  { name: 'protocol', type: 'string', describe: 'Network protocol for --port: TCP, UDP or SCTP', default: 'TCP', values: protocols },
  { name: 'external-traffic-policy', type: 'string', describe: `${trafficPolicies.join(' or ')}; default Local for NodePort and LoadBalancer (no extra hop, client IP kept)`, values: trafficPolicies },
  { name: 'load-balancer-class', type: 'string', describe: 'The load balancer implementation to use (spec.loadBalancerClass)' },
  { name: 'load-balancer-source-ranges', type: 'string', describe: 'CIDRs allowed to connect, comma-separated or repeated' },
  { name: 'annotations', type: 'string', describe: 'Annotation key=value for the Services; repeatable' },
  { name: 'labels', alias: 'l', type: 'string', describe: 'Labels for the Services, key=value,key2=value2' },
  { name: 'name-template', type: 'string', describe: 'Service names from {pod}, {sts} and {ordinal}', default: '{pod}' },
  { name: 'adopt', type: 'boolean', describe: 'Take over Services with the wanted names that expose-sts does not manage yet' },
  { name: 'owner-reference', type: 'boolean', default: true, describe: 'Make the StatefulSet own its Services, so deleting it deletes them; --owner-reference=false keeps them (and their addresses)' },
  { name: 'wait', type: 'boolean', describe: 'Wait for load-balancer addresses (default: true for LoadBalancer)' },
  { name: 'timeout', type: 'string', default: '5m', describe: 'How long to wait for addresses, e.g. 30s, 5m' },
  { name: 'dry-run', type: 'string', describe: 'none, client (print only) or server (the API server checks, nothing is stored)', values: dryRunModes },
  { name: 'output', alias: 'o', type: 'string', describe: 'Output format: json, yaml, name or wide', values: outputFormats },
];

const allNamespaces: FlagSpec = { name: 'all-namespaces', alias: 'A', type: 'boolean', describe: 'Look in every namespace' };

export const statusFlagSpecs: FlagSpec[] = [
  allNamespaces,
  { name: 'output', alias: 'o', type: 'string', describe: 'Output format: wide, json or yaml', values: statusOutputs },
  { name: 'exit-code', type: 'boolean', describe: 'Exit 1 when anything is not Ready (for scripts and CI)' },
];

export const pruneFlagSpecs: FlagSpec[] = [
  allNamespaces,
  { name: 'all', type: 'boolean', describe: 'Delete every managed Service of the named StatefulSet (un-expose it)' },
  { name: 'dry-run', type: 'string', describe: 'none, client (print only) or server (the API server checks, nothing is deleted)', values: dryRunModes },
];

export function withFlags<T>(y: Argv<T>, specs: FlagSpec[], group?: string): Argv<T> {
  let out = y;
  for (const f of specs) {
    out = out.option(f.name, { alias: f.alias, type: f.type, describe: f.describe, default: f.default }) as Argv<T>;
  }
  return group ? out.group(specs.map((f) => f.name), group) : out;
}

export const completionFlagSpecs: FlagSpec[] = [
  { name: 'script', type: 'boolean', describe: 'Print the kubectl_complete-expose_sts script instead of the instructions' },
];
