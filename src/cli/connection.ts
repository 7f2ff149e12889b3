// The kubectl connection flags every command takes, and their reading into ConnectionFlags.
import type { Argv } from 'yargs';
import { UsageError } from '../options/errors.ts';
import { requestTimeoutMs, type ConnectionFlags } from '../options/connection.ts';

export function withConnectionFlags<T>(y: Argv<T>) {
  return y
    .option('namespace', { alias: 'n', type: 'string', describe: 'If present, the namespace scope for this CLI request' })
    .option('kubeconfig', { type: 'string', describe: 'Path to the kubeconfig file to use for CLI requests' })
    .option('context', { type: 'string', describe: 'The name of the kubeconfig context to use' })
    .option('cluster', { type: 'string', describe: 'The name of the kubeconfig cluster to use' })
    .option('user', { type: 'string', describe: 'The name of the kubeconfig user to use' })
    .option('server', { alias: 's', type: 'string', describe: 'The address and port of the Kubernetes API server' })
    .option('token', { type: 'string', describe: 'Bearer token for authentication to the API server' })
    .option('certificate-authority', { type: 'string', describe: 'Path to a cert file for the certificate authority' })
    .option('client-certificate', { type: 'string', describe: 'Path to a client certificate file for TLS' })
    .option('client-key', { type: 'string', describe: 'Path to a client key file for TLS' })
    .option('insecure-skip-tls-verify', { type: 'boolean', describe: "If true, the server's certificate will not be checked for validity" })
    .option('as', { type: 'string', describe: 'Username to impersonate for the operation' })
    .option('as-group', { type: 'string', describe: 'Group to impersonate for the operation' })
    .option('request-timeout', { type: 'string', describe: 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m); 0 means no timeout' })
    .option('v', { alias: 'verbosity', type: 'number', default: 0, describe: 'Number for the log level verbosity' })
    .group(['namespace', 'kubeconfig', 'context', 'cluster', 'user', 'server', 'token', 'certificate-authority', 'client-certificate',
      'client-key', 'insecure-skip-tls-verify', 'as', 'as-group', 'request-timeout', 'v'], 'Connection options (as kubectl):');
}

const str = (v: unknown) => (Array.isArray(v) ? String(v[v.length - 1]) : v === undefined ? undefined : String(v));
const list = (v: unknown) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map(String));

export function connectionFlags(argv: Record<string, unknown>): ConnectionFlags | UsageError {
  const timeout = requestTimeoutMs(str(argv.requestTimeout));
  if (timeout instanceof UsageError) return timeout;
  const verbosity = Number(Array.isArray(argv.v) ? argv.v[argv.v.length - 1] : argv.v ?? 0);
  if (!Number.isInteger(verbosity) || verbosity < 0) return new UsageError(`invalid argument "${String(argv.v)}" for "-v": use a whole number such as 4 or 6`);
  const namespace = str(argv.namespace);
  if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
    return new UsageError(`invalid namespace "${namespace}": a namespace name is lower-case letters, digits and '-'`);
  }
  return {
    kubeconfig: str(argv.kubeconfig),
    context: str(argv.context),
    cluster: str(argv.cluster),
    user: str(argv.user),
    namespace,
    allNamespaces: argv.allNamespaces === true,
    as: str(argv.as),
    asGroup: list(argv.asGroup),
    requestTimeout: str(argv.requestTimeout),
    requestTimeoutMs: timeout,
    server: str(argv.server),
    token: str(argv.token),
    insecureSkipTlsVerify: argv.insecureSkipTlsVerify === true,
    certificateAuthority: str(argv.certificateAuthority),
    clientCertificate: str(argv.clientCertificate),
    clientKey: str(argv.clientKey),
    verbosity,
  };
}
