// kubectl's connection flags, which every command takes (`kubectl expose-sts options` lists them), checked into the
// settings the kube layer connects with. The descriptions are kubectl's own words.
import { UsageError } from '../errors.ts';
import type { FlagSpecs, FlagValues } from './flags.ts';
import { parseDuration } from './values.ts';

/** kubectl's --profile values: a Go profile it can write. */
const profiles = ['none', 'cpu', 'heap', 'goroutine', 'threadcreate', 'block', 'mutex', 'trace'] as const;

export const connectionFlags = {
  as: {
    type: 'string',
    describe:
      'Username to impersonate for the operation. User could be a regular user or a service account in a namespace.',
  },
  asGroup: {
    type: 'string',
    repeatable: true,
    describe: 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups.',
  },
  asUid: { type: 'string', describe: 'UID to impersonate for the operation.' },
  asUserExtra: {
    type: 'string',
    repeatable: true,
    describe:
      'User extras to impersonate for the operation, this flag can be repeated to specify multiple values for the same key.',
  },
  cacheDir: {
    type: 'string',
    complete: 'files',
    describe:
      "Default cache directory (accepted as kubectl accepts it, unused: expose-sts caches only V8's compiled code, in $XDG_CACHE_HOME/expose-sts)",
  },
  certificateAuthority: {
    type: 'string',
    complete: 'files',
    describe: 'Path to a cert file for the certificate authority',
  },
  clientCertificate: { type: 'string', complete: 'files', describe: 'Path to a client certificate file for TLS' },
  clientKey: { type: 'string', complete: 'files', describe: 'Path to a client key file for TLS' },
  cluster: { type: 'string', describe: 'The name of the kubeconfig cluster to use' },
  context: { type: 'string', complete: 'contexts', describe: 'The name of the kubeconfig context to use' },
  disableCompression: {
    type: 'boolean',
    default: false,
    describe: 'If true, opt-out of response compression for all requests to the server',
  },
  insecureSkipTlsVerify: {
    type: 'boolean',
    default: false,
    describe:
      "If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure",
  },
  kubeconfig: { type: 'string', complete: 'files', describe: 'Path to the kubeconfig file to use for CLI requests.' },
  kuberc: {
    type: 'string',
    complete: 'files',
    describe:
      "Path to the kuberc file to use for preferences (accepted as kubectl accepts it; kubectl's preferences do not apply to plugins)",
  },
  logFlushFrequency: {
    type: 'string',
    default: '5s',
    describe:
      'Maximum number of seconds between log flushes (accepted as kubectl accepts it; expose-sts writes logs at once)',
  },
  matchServerVersion: {
    type: 'boolean',
    default: false,
    describe:
      'Require server version to match client version (accepted as kubectl accepts it; a plugin has no client version of kubectl to match)',
  },
  namespace: {
    type: 'string',
    short: 'n',
    complete: 'namespaces',
    describe: 'If present, the namespace scope for this CLI request',
  },
  password: { type: 'string', describe: 'Password for basic authentication to the API server' },
  profile: {
    type: 'string',
    default: 'none',
    values: profiles,
    describe: 'Name of profile to capture (accepted as kubectl accepts it; only none: expose-sts is not a Go program)',
  },
  profileOutput: {
    type: 'string',
    default: 'profile.pprof',
    complete: 'files',
    describe: 'Name of the file to write the profile to (accepted as kubectl accepts it)',
  },
  proxyUrl: { type: 'string', describe: 'Proxy URL to use for requests to the API server' },
  requestTimeout: {
    type: 'string',
    default: '0',
    describe:
      'The length of time to wait before giving up on a single server request. Non-zero values should contain a ' +
      "corresponding time unit (e.g. 1s, 2m, 3h). A value of zero means don't timeout requests.",
  },
  server: { type: 'string', short: 's', describe: 'The address and port of the Kubernetes API server' },
  tlsServerName: {
    type: 'string',
    describe:
      'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used',
  },
  token: { type: 'string', describe: 'Bearer token for authentication to the API server' },
  user: { type: 'string', describe: 'The name of the kubeconfig user to use' },
  username: { type: 'string', describe: 'Username for basic authentication to the API server' },
  v: { type: 'number', short: 'v', default: '0', describe: 'number for the log level verbosity' },
  vmodule: {
    type: 'string',
    describe:
      'comma-separated list of pattern=N settings for file-filtered logging (accepted as kubectl accepts it; -v applies everywhere)',
  },
  warningsAsErrors: {
    type: 'boolean',
    default: false,
    describe: 'Treat warnings received from the server as errors and exit with a non-zero exit code',
  },
} as const satisfies FlagSpecs;

export type ConnectionFlags = FlagValues<typeof connectionFlags>;

/** Flags kubectl takes that change nothing here: accepted, so that a kubectl command line works as it is. */
const onlyAccepted = [
  'cacheDir',
  'kuberc',
  'logFlushFrequency',
  'matchServerVersion',
  'profile',
  'profileOutput',
  'vmodule',
] as const;
type OnlyAccepted = (typeof onlyAccepted)[number];

/**
 * What the kube layer connects with: the kubeconfig is read with these applied, as kubectl applies its flags. The
 * flags as given (each described where it is defined, above), but for the three read into another shape.
 */
export type ConnectionOptions = Partial<
  Omit<ConnectionFlags, OnlyAccepted | 'asUserExtra' | 'requestTimeout' | 'v'>
> & {
  /** --as-user-extra key=value, repeated: every value of a key. */
  asUserExtra?: Record<string, string[]>;
  /** From --request-timeout, checked; 0 for none. */
  requestTimeoutMs: number;
  /** kubectl's -v: 0 quiet; 4 shows retries; 6 and up shows each request (never its credentials). */
  verbosity: number;
};

/** Milliseconds for --request-timeout (kubectl: "0" means no timeout; a bare number is seconds). */
export function requestTimeoutMs(text: string): number | UsageError {
  if (text === '0') return 0;
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseDuration(text);
  return ms === undefined
    ? new UsageError(`invalid --request-timeout "${text}": use a duration such as 30s or 1m, or 0 for none`)
    : ms;
}

export function validateConnectionFlags(f: ConnectionFlags): ConnectionOptions | UsageError {
  const timeout = requestTimeoutMs(f.requestTimeout);
  if (timeout instanceof UsageError) return timeout;
  // Read as text: a number parser would turn `-v loud` into NaN before it could be quoted back.
  if (!/^\d+$/.test(f.v))
    return new UsageError(`invalid argument "${f.v}" for "-v": use a whole number such as 4 or 6`);
  if (f.asGroup?.length && !f.as) return new UsageError('--as-group needs --as');
  if (f.asUid && !f.as) return new UsageError('--as-uid needs --as');
  const asUserExtra: Record<string, string[]> = {};
  for (const item of f.asUserExtra ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) return new UsageError(`invalid --as-user-extra "${item}": use key=value`);
    (asUserExtra[item.slice(0, eq)] ??= []).push(item.slice(eq + 1));
  }
  if (f.asUserExtra?.length && !f.as) return new UsageError('--as-user-extra needs --as');
  if (f.profile !== 'none' && !(profiles as readonly string[]).includes(f.profile))
    return new UsageError(`invalid argument "${f.profile}" for "--profile": must be one of ${profiles.join('|')}`);
  if (parseDuration(f.logFlushFrequency) === undefined)
    return new UsageError(`invalid --log-flush-frequency "${f.logFlushFrequency}": use a duration such as 5s`);
  if (f.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(f.namespace)) {
    return new UsageError(`invalid namespace "${f.namespace}": a namespace name is lower-case letters, digits and '-'`);
  }
  const { requestTimeout: _timeout, v, asUserExtra: _extras, ...given } = f;
  const used = Object.fromEntries(
    Object.entries(given).filter(([key]) => !(onlyAccepted as readonly string[]).includes(key)),
  ) as Omit<typeof given, OnlyAccepted>;
  return {
    ...used,
    asUserExtra: f.asUserExtra?.length ? asUserExtra : undefined,
    requestTimeoutMs: timeout,
    verbosity: Number(v),
  };
}
