// How requests authenticate, read from the kubeconfig's cluster and user as kubectl reads them: a CA, client
// certificates, a bearer token (or a token file, read again for every request, as projected tokens rotate), basic
// auth, an exec credential plugin (client.authentication.k8s.io), and impersonation headers. As client-go, a plain
// http:// server gets no credentials at all (only impersonation), and without a CA the operating system's trust store
// is used, not Node's bundled roots. Written here rather
// than taken from client-node because its KubeConfig loads its HTTP client and generated API with it, which cost this
// one-shot command most of its start-up and memory (bench/ANALYSIS.md).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { getCACertificates } from 'node:tls';
import { CommandError } from '../errors.ts';
import type { ClusterEntry, ExecConfig, UserEntry } from './kubeconfig-entries.ts';
import { execApiVersions, interactiveMode } from './validation.ts';

/** The name sent for SNI to `host`: the kubeconfig's tls-server-name, else the host unless it is an address. */
export const serverName = (tls: TlsSettings, host: string): string | undefined =>
  tls.servername ?? (isIP(host) ? undefined : host);

export interface TlsSettings {
  ca?: Buffer | string[];
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
}

export interface Credentials {
  tls: TlsSettings;
  headers: Record<string, string | string[]>;
  /**
   * Set when an exec plugin gave these: runs it again, for a request the API server refused with 401 (client-go
   * re-runs the plugin then, so the request after it succeeds).
   */
  renew?: () => Promise<Credentials>;
}

/** The key of the kubeconfig cluster extension an exec plugin receives as spec.cluster.config. */
const execExtension = 'client.authentication.k8s.io/exec';

const fileOrData = (file: string | undefined, data: string | undefined): Buffer | undefined =>
  file ? readFileSync(file) : data ? Buffer.from(data, 'base64') : undefined;

interface ExecResult {
  token?: string;
  cert?: Buffer;
  key?: Buffer;
  /** Milliseconds since the epoch; undefined: good for the whole run. */
  expires?: number;
}

/** What client-go tells the plugin (KUBERNETES_EXEC_INFO): whether it may ask the user, and the cluster if asked for. */
function execInfo(exec: ExecConfig, cluster: ClusterEntry, interactive: boolean) {
  const caData =
    cluster['certificate-authority-data'] ??
    (cluster['certificate-authority'] ? readFileSync(cluster['certificate-authority']).toString('base64') : undefined);
  const clusterInfo = {
    server: cluster.server,
    'certificate-authority-data': caData,
    'insecure-skip-tls-verify': cluster['insecure-skip-tls-verify'],
    'tls-server-name': cluster['tls-server-name'],
    'proxy-url': cluster['proxy-url'],
    config: cluster.extensions?.find((e) => e.name === execExtension)?.extension,
  };
  return {
    apiVersion: exec.apiVersion ?? '',
    kind: 'ExecCredential',
    spec: { interactive, ...(exec.provideClusterInfo ? { cluster: clusterInfo } : {}) },
  };
}

/** The plugin's stdout; its stderr goes to the user's, and stdin too when it may ask the user. */
function spawnPlugin(exec: ExecConfig & { command: string }, env: NodeJS.ProcessEnv, interactive: boolean) {
  const hint = exec.installHint ? ` (${exec.installHint.trim().replace(/\s*\n\s*/g, ' ')})` : '';
  return new Promise<string>((resolve, reject) => {
    const child = spawn(exec.command, exec.args ?? [], {
      env,
      stdio: [interactive ? 'inherit' : 'ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        new CommandError(
          err.code === 'ENOENT'
            ? `getting credentials: exec: executable ${exec.command} not found${hint}`
            : `getting credentials: exec: ${err.message}`,
        ),
      ),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(
            new CommandError(`getting credentials: exec: executable ${exec.command} failed with exit code ${code}`),
          ),
    );
  });
}

/** The ExecCredential the plugin printed, checked as client-go checks it. */
function execCredential(stdout: string, command: string, apiVersion: string): ExecResult {
  let cred: {
    apiVersion?: string;
    status?: { token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string };
  };
  try {
    cred = JSON.parse(stdout);
  } catch {
    throw new CommandError(`getting credentials: exec plugin ${command} did not print an ExecCredential (JSON)`);
  }
  if (cred.apiVersion !== apiVersion)
    throw new CommandError(
      `getting credentials: exec plugin ${command} answered ${cred.apiVersion ?? 'no apiVersion'}, not ${apiVersion}`,
    );
  const s = cred.status ?? {};
  if (!s.token && !(s.clientCertificateData && s.clientKeyData))
    throw new CommandError(
      `getting credentials: exec plugin ${command} gave neither a token nor a client certificate and key`,
    );
  return {
    token: s.token,
    cert: s.clientCertificateData ? Buffer.from(s.clientCertificateData) : undefined,
    key: s.clientKeyData ? Buffer.from(s.clientKeyData) : undefined,
    expires: s.expirationTimestamp ? Date.parse(s.expirationTimestamp) : undefined,
  };
}

/** Runs the exec plugin as client-go does: its environment, KUBERNETES_EXEC_INFO, stderr passed to the user. */
async function runExec(exec: ExecConfig & { command: string }, cluster: ClusterEntry): Promise<ExecResult> {
  const mode = interactiveMode(exec);
  if (mode === 'Always' && !process.stdin.isTTY)
    throw new CommandError(
      'getting credentials: exec plugin cannot support interactive mode: standard input is not a terminal',
    );
  const interactive = mode !== 'Never' && process.stdin.isTTY === true;
  const env = {
    ...process.env,
    ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])),
    KUBERNETES_EXEC_INFO: JSON.stringify(execInfo(exec, cluster, interactive)),
  };
  return execCredential(await spawnPlugin(exec, env, interactive), exec.command, exec.apiVersion ?? '');
}

function impersonation(user: UserEntry): Record<string, string | string[]> {
  const h: Record<string, string | string[]> = {};
  if (user.as) h['Impersonate-User'] = user.as;
  if (user['as-uid']) h['Impersonate-Uid'] = user['as-uid'];
  if (user['as-groups']?.length) h['Impersonate-Group'] = user['as-groups']; // one header per group
  for (const [k, v] of Object.entries(user['as-user-extra'] ?? {})) h[`Impersonate-Extra-${encodeURIComponent(k)}`] = v;
  return h;
}

/** The kubeconfig's oidc id-token, where an auth provider is its only credential; others are refused. */
function authProviderToken(user: UserEntry): string | undefined {
  const provider = user['auth-provider'];
  if (!provider || user.token || user.tokenFile) return undefined;
  // kubectl keeps only oidc among auth providers; its refresh is left to exec plugins such as kubelogin.
  const idToken = provider.name === 'oidc' ? provider.config?.['id-token'] : undefined;
  if (idToken) return idToken;
  throw new CommandError(
    provider.name === 'oidc'
      ? 'the oidc auth provider of the kubeconfig has no id-token: log in again, or use an exec credential plugin such as kubelogin'
      : `the ${provider.name ?? 'unnamed'} auth provider of the kubeconfig is not supported (kubectl removed it too): use its exec credential plugin`,
  );
}

/**
 * The exec plugin to run, if any: client-go runs it only when nothing else identifies the user, so a token, basic
 * auth or a client certificate given beside it (in the kubeconfig or by flag) is used instead.
 */
function execOf(user: UserEntry): (ExecConfig & { command: string }) | undefined {
  const hasCert =
    (user['client-certificate'] || user['client-certificate-data']) && (user['client-key'] || user['client-key-data']);
  const exec =
    user.exec?.command && !user.token && !user.tokenFile && !user.username && !hasCert
      ? { ...user.exec, command: user.exec.command }
      : undefined;
  if (exec && !execApiVersions.includes(exec.apiVersion ?? ''))
    throw new CommandError(`exec plugin: invalid apiVersion "${exec.apiVersion}"`);
  return exec;
}

/** The Authorization header the kubeconfig gives without a plugin: a token (or its file), basic auth, an id-token. */
function fixedAuthorization(user: UserEntry, idToken: string | undefined): string | undefined {
  if (user.token) return `Bearer ${user.token}`;
  if (user.tokenFile) return `Bearer ${readFileSync(user.tokenFile, 'utf8').trim()}`;
  if (user.username) return `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
  return idToken && `Bearer ${idToken}`;
}

/**
 * The exec plugin's credentials of the moment: one run serves every request until what it gave expires (a minute
 * early, for clock skew); renewing what is already renewed (several requests refused at once) waits for that one run.
 */
function execCredentials(exec: ExecConfig & { command: string }, cluster: ClusterEntry, tls: TlsSettings) {
  let cached: Promise<ExecResult> | undefined;
  let execTls: TlsSettings | undefined;
  const run = () => {
    cached = runExec(exec, cluster);
    cached.catch(() => (cached = undefined));
  };
  /** `base`: the headers every request has, made anew for each. */
  const current = async (base: () => Record<string, string | string[]>): Promise<Credentials> => {
    const headers = base();
    const previous = cached ? await cached : undefined;
    if (!cached || (previous?.expires !== undefined && previous.expires - 60_000 < Date.now())) run();
    const running = cached as Promise<ExecResult>;
    const got = await running;
    if (got.token) headers.Authorization = `Bearer ${got.token}`;
    const renew = () => {
      if (cached === running) run();
      return current(base);
    };
    if (!(got.cert && got.key)) return { tls, headers, renew };
    // The same settings object while the certificate is the same, so the connection pool stays.
    if (execTls?.cert !== got.cert) execTls = { ...tls, cert: got.cert, key: got.key };
    return { tls: execTls, headers, renew };
  };
  return current;
}

/**
 * What every request needs, checked once (a missing file or an unsupported auth provider fails before any request);
 * the function it returns gives the credentials of the moment.
 */
export function credentialsOf(cluster: ClusterEntry, user: UserEntry): () => Promise<Credentials> {
  const fixed = impersonation(user);
  // Over plain HTTP client-go reads neither TLS settings nor credentials: nothing secret goes out in clear text.
  if (new URL(cluster.server).protocol === 'http:') {
    const plain: TlsSettings = { rejectUnauthorized: true };
    return async () => ({ tls: plain, headers: { ...fixed } });
  }
  const tls: TlsSettings = {
    ca: fileOrData(cluster['certificate-authority'], cluster['certificate-authority-data']) ?? systemRoots(),
    cert: fileOrData(user['client-certificate'], user['client-certificate-data']),
    key: fileOrData(user['client-key'], user['client-key-data']),
    rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
    servername: cluster['tls-server-name'],
  };
  const idToken = authProviderToken(user);
  const exec = execOf(user);
  const fromExec = exec && execCredentials(exec, cluster, tls);
  const base = () => {
    const headers: Record<string, string | string[]> = { ...fixed };
    const authorization = fixedAuthorization(user, idToken);
    if (authorization) headers.Authorization = authorization;
    return headers;
  };
  return async () => (fromExec ? fromExec(base) : { tls, headers: base() });
}

/** The operating system's trust store, as Go's crypto/x509 uses it; Node's own bundle only where there is none. */
function systemRoots(): string[] | undefined {
  const system = getCACertificates('system');
  return system.length ? system : undefined;
}
