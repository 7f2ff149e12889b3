// What the API server or the network said, turned into one line a user can act on, and whether trying again can help.
import { CommandError, isCommandError } from '../errors.ts';

/**
 * An HTTP error answer of the API server, as it came (the body is usually a metav1.Status). It never leaves the kube
 * layer: `translate` turns it into a CommandError that keeps its status.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
  constructor(status: number, body: string, headers: Record<string, string> = {}) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

interface Status {
  message?: string;
  reason?: string;
}

/** What an error answer said: its status, the Status object in its body, and Retry-After in seconds. */
export function answerOf(err: unknown): { code: number; status: Status; retryAfter?: number } | undefined {
  if (!(err instanceof ApiError)) return undefined;
  let status: Status = {};
  try {
    status = JSON.parse(err.body) as Status;
  } catch {
    status = { message: err.body.slice(0, 200) || undefined };
  }
  const retryAfter = Number(err.headers['retry-after']);
  return {
    code: err.status,
    status,
    retryAfter: err.headers['retry-after'] !== undefined && Number.isFinite(retryAfter) ? retryAfter : undefined,
  };
}

const networkCodes: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'host name lookup failed (no DNS answer; try again, or check the name)',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
  ERR_REQUEST_TIMEOUT: 'no answer within --request-timeout',
};

export function causeCode(err: unknown): { code?: string; message?: string } {
  let e = err as { code?: string; message?: string; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (e.code && e.code !== 'ERR_INVALID_ARG_TYPE') return { code: e.code, message: e.message };
    e = e.cause as typeof e;
  }
  return {};
}

export function isTransient(err: unknown): boolean {
  const s = answerOf(err);
  if (s) return s.code === 429 || s.code === 500 || s.code === 502 || s.code === 503 || s.code === 504;
  const { code } = causeCode(err);
  // An HTTP/2 stream the server refused or reset, or a session it is closing (GOAWAY): the request may go again.
  return (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ERR_HTTP2_STREAM_ERROR' ||
    code === 'ERR_HTTP2_GOAWAY_SESSION' ||
    code === 'ERR_HTTP2_SESSION_ERROR' ||
    code === 'ERR_HTTP2_INVALID_SESSION'
  );
}

/**
 * One line a user can act on. `what` says what was being done, e.g. `get statefulsets.apps "db" in namespace "x"`.
 * Never includes credentials: only the server URL (without userinfo) and what the API server said.
 */
export function translate(err: unknown, kube: { server: string; namespace: string }, what: string): CommandError {
  if (isCommandError(err)) return err;
  const s = answerOf(err);
  const fail = (message: string) => new CommandError(message, { status: s?.code, cause: err });
  if (s) {
    const msg = s.status.message ?? s.status.reason ?? `HTTP ${s.code}`;
    if (s.code === 400 && msg.includes('HTTP request to an HTTPS server'))
      return fail(`the server ${kube.server} speaks HTTPS: use https:// in the server URL`);
    switch (s.code) {
      case 401:
        return fail(
          `you must be logged in to the server (Unauthorized): the credentials for ${kube.server} were refused`,
        );
      case 403:
        return fail(`${msg} (needed to ${what}; ask an administrator for that permission)`);
      case 404:
        return fail(msg.includes('namespace') ? msg : `${msg} in namespace "${kube.namespace}"`);
      default:
        return fail(`${what}: ${msg}`);
    }
  }
  const { code, message } = causeCode(err);
  if (code === 'EPROTO' && /wrong version number|packet length too long/i.test(message ?? '')) {
    return fail(
      `cannot connect to the server ${kube.server}: it does not speak TLS (for a plain HTTP server, such as kubectl proxy, use http://)`,
    );
  }
  if (code && networkCodes[code])
    return fail(
      `cannot connect to the server ${kube.server}: ${networkCodes[code]} (is the cluster running, and is the kubeconfig's server right?)`,
    );
  if (code && /CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_VERIFY|TLS/.test(code)) {
    return fail(
      // Node's advice to run it with --use-system-ca does not apply: the system's store is already used.
      `cannot verify the certificate of ${kube.server}: ${message?.replace(/; if the root CA is installed locally.*$/, '') ?? code} (check the kubeconfig's certificate-authority, or --insecure-skip-tls-verify for a test cluster)`,
    );
  }
  return fail(`${what}: ${(err as Error)?.message ?? String(err)}${code ? ` (${code})` : ''}`);
}
