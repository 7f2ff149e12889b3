// The connection to the API server: kubeconfig resolved like kubectl, one keep-alive connection for every request,
// impersonation, retries of transient failures, and API errors turned into one actionable line.
import { ApiException, AppsV1Api, CoreV1Api, HttpMethod, KubeConfig, RequestContext, type Cluster } from '@kubernetes/client-node';
import { Agent, fetch, type Dispatcher } from 'undici';
import { CommandError } from '../options/errors.ts';
import type { ConnectionFlags } from '../options/connection.ts';
import { loadRawConfig } from './kubeconfig.ts';
import { requestLog } from './request-log.ts';

export interface Kube {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  namespace: string;
  server: string;
  user: string;
  log: (level: number, message: string) => void;
}

interface Settings {
  groups: string[];
  requestTimeoutMs: number;
  verbosity: number;
  log: (level: number, message: string) => void;
}

/**
 * client-node builds a new undici Agent for every request, so each one pays a TLS handshake; keeping the first lets
 * every request share one keep-alive connection. Also adds what client-node lacks: --as-group and a request timeout.
 * (createDispatcher is private in client-node's typings, hence the patch on the instance rather than a subclass.)
 */
function tune(kc: KubeConfig, settings: Settings): KubeConfig {
  type Internals = {
    createDispatcher(cluster: Cluster | null, agentOptions: object): Dispatcher | undefined;
    createDispatcherOptions(cluster: Cluster | null, agentOptions: object): { type: string; connect?: object };
  };
  const self = kc as unknown as Internals;
  const original = self.createDispatcher.bind(kc);
  let dispatcher: Dispatcher | undefined;
  self.createDispatcher = (cluster, agentOptions) => {
    if (dispatcher) return dispatcher;
    const opts = self.createDispatcherOptions(cluster, agentOptions);
    dispatcher = opts.type === 'agent'
      ? new Agent({ connect: opts.connect, headersTimeout: settings.requestTimeoutMs || undefined, connections: 16 })
      : original(cluster, agentOptions)!; // proxies: client-node knows how
    if (settings.verbosity >= 6) dispatcher = dispatcher.compose(requestLog(settings.verbosity, settings.log));
    return dispatcher;
  };
  const apply = kc.applySecurityAuthentication.bind(kc);
  kc.applySecurityAuthentication = async (context) => {
    await apply(context);
    // Kubernetes reads one group per Impersonate-Group header; the request context holds one value per header.
    if (settings.groups.length) context.setHeaderParam('Impersonate-Group', settings.groups[0]);
  };
  return kc;
}

export function connect(flags: ConnectionFlags, stderr: (line: string) => void): Kube {
  const resolved = loadRawConfig(flags);
  if ((flags.asGroup?.length ?? 0) > 1) throw new CommandError('only one --as-group is supported for now');
  // Level 0 is a warning every user sees; higher levels are -v diagnostics, marked like kubectl's klog lines.
  const log = (level: number, message: string) => {
    if (flags.verbosity >= level) stderr(level === 0 ? message : `I ${message}`);
  };
  const kc = tune(new KubeConfig(), { groups: flags.asGroup ?? [], requestTimeoutMs: flags.requestTimeoutMs, verbosity: flags.verbosity, log });
  try {
    kc.loadFromString(JSON.stringify(resolved.raw));
  } catch (err) {
    throw new CommandError(`invalid kubeconfig: ${(err as Error).message}`);
  }
  log(6, `using context "${resolved.context}", server ${resolved.server}, namespace "${resolved.namespace}"`);
  return { kc, core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), namespace: resolved.namespace, server: resolved.server, user: resolved.user, log };
}

interface Status {
  message?: string;
  reason?: string;
  details?: { name?: string; kind?: string; group?: string; causes?: { message?: string; field?: string }[] };
}

export function statusOf(err: unknown): { code: number; status: Status; retryAfter?: number } | undefined {
  if (!(err instanceof ApiException)) return undefined;
  let status: Status = {};
  try {
    status = typeof err.body === 'string' ? (JSON.parse(err.body) as Status) : ((err.body ?? {}) as Status);
  } catch {
    status = { message: String(err.body).slice(0, 200) };
  }
  const retryAfter = Number(err.headers?.['retry-after']);
  return { code: err.code, status, retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined };
}

const networkCodes: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'host name lookup failed (no DNS answer; try again, or check the name)',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer within --request-timeout',
  UND_ERR_SOCKET: 'connection closed',
};

function causeCode(err: unknown): { code?: string; message?: string } {
  let e = err as { code?: string; message?: string; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (e.code && e.code !== 'ERR_INVALID_ARG_TYPE') return { code: e.code, message: e.message };
    e = e.cause as typeof e;
  }
  return {};
}

export function isTransient(err: unknown): boolean {
  const s = statusOf(err);
  if (s) return s.code === 429 || s.code === 500 || s.code === 502 || s.code === 503 || s.code === 504;
  const { code } = causeCode(err);
  return code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE';
}

/**
 * One line a user can act on. `what` says what was being done, e.g. `get statefulsets.apps "db" in namespace "x"`.
 * Never includes credentials: only the server URL (without userinfo) and what the API server said.
 */
export function translate(err: unknown, kube: Pick<Kube, 'server' | 'namespace' | 'user'>, what: string): CommandError {
  if (err instanceof CommandError) return err;
  const fail = (message: string) => new CommandError(message, 1, { cause: err }); // the cause keeps the status code for callers
  const s = statusOf(err);
  if (s) {
    const msg = s.status.message ?? s.status.reason ?? `HTTP ${s.code}`;
    switch (s.code) {
      case 401:
        return fail(`you must be logged in to the server (Unauthorized): the credentials for ${kube.server} were refused`);
      case 403:
        return fail(`${msg} (needed to ${what}; ask an administrator for that permission)`);
      case 404:
        return fail(msg.includes('namespace') ? msg : `${msg} in namespace "${kube.namespace}"`);
      default:
        return fail(`${what}: ${msg}`);
    }
  }
  const { code, message } = causeCode(err);
  if ((err as Error)?.cause instanceof Error && ((err as Error).cause as Error).message === 'bad port') {
    return fail(`cannot connect to the server ${kube.server}: its port is one that HTTP clients refuse to use (fix the server URL)`);
  }
  if (code && networkCodes[code]) return fail(`cannot connect to the server ${kube.server}: ${networkCodes[code]} (is the cluster running, and is the kubeconfig's server right?)`);
  if (code && /CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_VERIFY|TLS/.test(code)) {
    return fail(`cannot verify the certificate of ${kube.server}: ${message ?? code} (check the kubeconfig's certificate-authority, or --insecure-skip-tls-verify for a test cluster)`);
  }
  return fail(`${what}: ${(err as Error)?.message ?? String(err)}${code ? ` (${code})` : ''}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries transient failures (429 with Retry-After, 5xx, reset connections) with capped exponential backoff. */
export async function withRetry<T>(kube: Kube, what: string, fn: () => Promise<T>, opts: { attempts?: number; conflicts?: boolean } = {}): Promise<T> {
  const attempts = opts.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      // A conflict (409) is worth another try only where repeating the request re-reads the state: server-side apply.
      const retryable = isTransient(err) || (opts.conflicts === true && statusOf(err)?.code === 409);
      if (!retryable) throw translate(err, kube, what);
      if (attempt >= attempts) {
        const last = translate(err, kube, what);
        throw new CommandError(`${last.message} (gave up after ${attempts} attempts; try again later)`, 1, { cause: err });
      }
      const s = statusOf(err);
      const delay = s?.retryAfter !== undefined ? Math.min(s.retryAfter * 1000, 10_000) : Math.min(100 * 2 ** attempt, 2000);
      kube.log(4, `${what}: ${s ? `HTTP ${s.code}` : causeCode(err).code}; retry ${attempt}/${attempts - 1} in ${delay} ms`);
      await sleep(delay);
    }
  }
}

export interface ListOf<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

/** A request with the kubeconfig's credentials over the shared connection; errors are client-node's ApiException. */
export async function send(kube: Kube, path: string, query: Record<string, string | undefined>, signal?: AbortSignal): Promise<Response> {
  const url = new URL(path, kube.kc.getCurrentCluster()!.server);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  const ctx = new RequestContext(url.toString(), HttpMethod.GET);
  ctx.setHeaderParam('Accept', 'application/json');
  await kube.kc.applySecurityAuthentication(ctx);
  const res = await fetch(ctx.getUrl(), { headers: ctx.getHeaders(), dispatcher: ctx.getDispatcher() as Dispatcher | undefined, signal });
  if (res.status >= 400) throw new ApiException(res.status, `HTTP ${res.status}`, await res.text(), Object.fromEntries(res.headers));
  return res as unknown as Response;
}

/**
 * A LIST as plain JSON. client-node's typed calls walk every field of every item through its ObjectSerializer, which
 * for a thousand Services and pods costs more than the request (bench/RESULTS.md, P4); the items' JSON already has
 * the shape of the V1 types (timestamps stay strings, which nothing here reads). Auth and the shared connection are
 * client-node's, as for every other request; errors are the same ApiException, so retries and messages apply.
 */
export async function listJson<T>(kube: Kube, path: string, query: Record<string, string | undefined>): Promise<ListOf<T>> {
  return JSON.parse(await (await send(kube, path, query)).text()) as ListOf<T>;
}
