// The connection to the API server: the kubeconfig resolved like kubectl, credentials, one HTTP/2 session for every
// request where the server offers it (else, or through a proxy, HTTP/1.1 keep-alive connections: transport.ts), and
// retries as the retry policy says (retry.ts). Requests and answers are plain JSON: the objects keep the API's shape
// (timestamps stay strings), and no generated client is loaded (bench/ANALYSIS.md).
import { CommandError, httpStatusOf } from '../errors.ts';
import type { ConnectionOptions } from '../options/connection.ts';
import { credentialsOf, type Credentials } from './credentials.ts';
import { orAbsent } from './absent.ts';
import { ApiError, answerOf, causeCode, translate } from './errors.ts';
import { attempts, retryable, retryDelayMs } from './retry.ts';
import { loadRawConfig } from './kubeconfig.ts';
import { type Answer, HttpTransport, type Transport } from './transport.ts';
import { version } from '../version.ts';
import { fieldManager } from '../plan/ownership.ts';

export interface Kube {
  namespace: string;
  /** The server URL fit to print (no userinfo). */
  server: string;
  log: (level: number, message: string) => void;
  /** The server URL as configured, to which request paths are appended. */
  base: string;
  credentials: () => Promise<Credentials>;
  transport: Transport;
  /** The API server's warnings (the Warning header, e.g. a deprecated field), each printed once as kubectl does. */
  warnings: Set<string>;
}

/** The texts of a Warning header: `299 - "text"`, comma-separated (RFC 7234, as the API server writes it). */
export function warningTexts(header: string | string[] | undefined): string[] {
  const all = Array.isArray(header) ? header.join(', ') : (header ?? '');
  return [...all.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
}

/**
 * The connection the kubeconfig and the flags describe, as kubectl resolves it. `transport` replaces HTTP to the API
 * server (the flow tests script one).
 */
export function connect(flags: ConnectionOptions, stderr: (line: string) => void, transport?: Transport): Kube {
  const resolved = loadRawConfig(flags);
  // Level 0 is a warning every user sees; higher levels are -v diagnostics, marked like kubectl's klog lines.
  const log = (level: number, message: string) => {
    if (flags.verbosity >= level) stderr(level === 0 ? message : `I ${message}`);
  };
  log(
    6,
    resolved.inCluster
      ? `using the in-cluster configuration: server ${resolved.server}, namespace "${resolved.namespace}"`
      : `using context "${resolved.context}", server ${resolved.server}, namespace "${resolved.namespace}"`,
  );
  return {
    namespace: resolved.namespace,
    server: resolved.server,
    log,
    base: resolved.cluster.server.replace(/\/+$/, ''),
    credentials: credentialsOf(resolved.cluster, resolved.userEntry),
    warnings: new Set(),
    transport:
      transport ??
      new HttpTransport({
        proxyUrl: resolved.cluster['proxy-url'],
        requestTimeoutMs: flags.requestTimeoutMs,
        compression: !(flags.disableCompression || resolved.cluster['disable-compression']),
        verbosity: flags.verbosity,
        log,
      }),
  };
}

/** Named in the API server's audit log and metrics as kubectl names itself there. */
const userAgent = `kubectl-expose_sts/${version} (${process.platform}/${process.arch})`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries what the retry policy (retry.ts) calls retryable, waiting as it says, and says each retry at -v 4. */
export async function withRetry<T>(
  kube: Kube,
  what: string,
  fn: () => Promise<T>,
  opts: { attempts?: number; conflicts?: boolean } = {},
): Promise<T> {
  const tries = opts.attempts ?? attempts;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      // A conflict (409) is worth another try only where repeating the request re-reads the state: server-side apply.
      if (!retryable(err, opts.conflicts)) throw translate(err, kube, what);
      if (attempt >= tries) {
        const last = translate(err, kube, what);
        throw new CommandError(`${last.message} (gave up after ${tries} attempts; try again later)`, {
          status: last.status,
          cause: err,
        });
      }
      const delay = retryDelayMs(attempt, err);
      const s = answerOf(err);
      kube.log(
        4,
        `${what}: ${s ? `HTTP ${s.code}` : causeCode(err).code}; retry ${attempt}/${tries - 1} in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
}

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  /** Sent as JSON, which every patch type the API server takes (apply, JSON patch) accepts. */
  body?: unknown;
  contentType?: string;
  /** What to ask the server for, when not a plain JSON object (a server-side Table). */
  accept?: string;
  signal?: AbortSignal;
}

async function text(res: Answer): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One request with the kubeconfig's credentials; an error answer throws ApiError. The body is the caller's to read. */
export async function request(kube: Kube, method: string, path: string, opts: RequestOptions = {}): Promise<Answer> {
  // Appended, not resolved: a server URL may carry a path prefix (a proxy such as Rancher's) that requests keep.
  const url = new URL(kube.base + path);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
  const send = async ({ tls, headers }: Credentials) => {
    headers.Accept = opts.accept ?? 'application/json';
    headers['User-Agent'] = userAgent;
    if (opts.body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
    return kube.transport.send(
      {
        method,
        url,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
      },
      tls,
    );
  };
  const credentials = await kube.credentials();
  let res = await send(credentials);
  if (res.statusCode === 401 && credentials.renew) {
    // What an exec plugin gave was refused (revoked, or expired early): as client-go, run it again; the request is
    // sent once more with what it gives now.
    res.resume();
    kube.log(4, `${method} ${url.pathname}: 401 with the exec plugin's credentials; running it again`);
    res = await send(await credentials.renew());
  }
  for (const warning of warningTexts(res.headers.warning)) {
    if (kube.warnings.has(warning)) continue;
    kube.warnings.add(warning);
    kube.log(0, `Warning: ${warning}`);
  }
  const status = res.statusCode ?? 0;
  if (status >= 400) {
    const flat = Object.fromEntries(
      Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
    );
    throw new ApiError(status, await text(res), flat);
  }
  return res;
}

export async function requestJson<T>(kube: Kube, method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  return JSON.parse(await text(await request(kube, method, path, opts))) as T;
}

export interface ListOf<T> {
  items: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** kubectl's --chunk-size default: a LIST is read in pages of this many objects. */
export const chunkSize = 500;

/**
 * Every page of a LIST in turn, each handed to `onPage` before the next is asked for; the pages are one consistent
 * snapshot. `query` may set its own `limit`.
 */
export async function eachPage<P extends { metadata?: { continue?: string } }>(
  kube: Kube,
  path: string,
  query: Record<string, string | undefined>,
  onPage: (page: P) => void,
  accept?: string,
): Promise<void> {
  let next: string | undefined;
  do {
    const page = await requestJson<P>(kube, 'GET', path, {
      accept,
      query: { limit: String(chunkSize), ...query, continue: next },
    });
    onPage(page);
    next = page.metadata?.continue || undefined;
  } while (next);
}

/**
 * A LIST in pages, as kubectl reads one: each page is decoded and reduced by `keep` before the next arrives, so a
 * thousand pods are never all in memory whole (bench/ANALYSIS.md, P5).
 */
export async function listJson<T, K = T>(
  kube: Kube,
  path: string,
  query: Record<string, string | undefined>,
  keep?: (item: T) => K,
): Promise<ListOf<K>> {
  const items: K[] = [];
  let resourceVersion: string | undefined;
  await eachPage<ListOf<T>>(kube, path, query, (page) => {
    for (const item of page.items) items.push(keep ? keep(item) : (item as unknown as K));
    resourceVersion ??= page.metadata?.resourceVersion;
  });
  return { items, metadata: { resourceVersion } };
}

/** The API group of StatefulSets; core resources are under /api/v1. */
export const appsV1 = '/apis/apps/v1';

/** The path of a namespaced resource, e.g. namespaced('data', 'services', 'db-0'). */
export function namespaced(namespace: string, resource: string, name?: string, group = '/api/v1'): string {
  return `${group}/namespaces/${encodeURIComponent(namespace)}/${resource}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

/**
 * Server-side apply of an object at `path` (its resource URL, with its name), as every write of expose-sts is:
 * idempotent, leaving other managers' fields alone, taking back fields someone edited. `what` names it in messages.
 */
export function applyObject<T>(kube: Kube, path: string, body: T, what: string, dryRun = false): Promise<T> {
  return withRetry(
    kube,
    `apply ${what}`,
    () =>
      requestJson<T>(kube, 'PATCH', path, {
        query: { fieldManager, force: 'true', dryRun: dryRun ? 'All' : undefined },
        body,
        contentType: 'application/apply-patch+yaml', // JSON is YAML
      }),
    { conflicts: true },
  );
}

/**
 * Deletes an object only if it is still the one that was listed (same uid): one recreated in between is not removed.
 * Returns what happened; an object already gone or replaced is not an error.
 */
export async function deleteListed(
  kube: Kube,
  resource: string,
  namespace: string,
  name: string,
  uid: string,
  dryRun: boolean,
  group?: string,
): Promise<'deleted' | 'gone' | 'replaced'> {
  const deleted = withRetry(kube, `delete ${resource} "${name}" in namespace "${namespace}"`, () =>
    // With a body, the API server reads DeleteOptions from it and ignores the dryRun query parameter.
    requestJson(kube, 'DELETE', namespaced(namespace, resource, name, group), {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid }, dryRun: dryRun ? ['All'] : undefined },
    }),
  ).then(() => 'deleted' as const);
  // A conflict here is the uid precondition failing: another object of that name now.
  return orAbsent(deleted, [404], () => 'gone' as const).catch((err: unknown) => {
    if (httpStatusOf(err) === 409) return 'replaced' as const;
    throw err;
  });
}
