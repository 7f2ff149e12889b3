// Where the kube layer's requests go. HttpTransport is HTTP to the API server with Node's own client: keep-alive
// connections shared by every request (HTTP/2 where the server offers it, http2.ts), a proxy chosen by Go's rules (proxy.ts; HTTP CONNECT or SOCKS5),
// gzip-compressed answers as kubectl asks for them, --request-timeout over the whole request, and the -v request log.
// The flow tests (test/flow/) put a scripted transport in its place.
import {
  Agent as HttpAgent,
  type ClientRequest,
  request as httpRequest,
  type IncomingHttpHeaders,
  STATUS_CODES,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { checkServerIdentity as checkIdentity, type PeerCertificate } from 'node:tls';
import { CommandError } from '../errors.ts';
import type { TlsSettings } from './credentials.ts';
import { Http2Sessions, type Opened, type RawAnswer } from './http2.ts';
import { proxyFor } from './proxy.ts';
import { requestHeaderLines, responseLine } from './request-log.ts';

export interface TransportSettings {
  proxyUrl?: string;
  requestTimeoutMs: number;
  /** Ask for gzip-compressed answers (kubectl does, unless --disable-compression). */
  compression: boolean;
  verbosity: number;
  log: (level: number, message: string) => void;
}

export interface Outgoing {
  method: string;
  url: URL;
  headers: Record<string, string | string[]>;
  body?: string;
  signal?: AbortSignal;
}

/** What the kube layer reads of an answer: its status and headers, and its body (decompressed) as a stream. */
export interface Answer extends Readable {
  statusCode?: number;
  headers: IncomingHttpHeaders;
}

export interface Transport {
  /** Resolves with the answer once its headers are in, whatever its status: the caller reads the body. */
  send(req: Outgoing, tls: TlsSettings): Promise<Answer>;
}

/** Whether requests go through a SOCKS5 proxy (socks-proxy-agent's), not an HTTP(S) one (Node's own). */
const isSocks = (proxy: URL | undefined): proxy is URL => proxy !== undefined && /^socks5h?:$/.test(proxy.protocol);

/**
 * Connections through a SOCKS5 proxy (a cluster's `proxy-url: socks5://…`, which kubectl supports and Node does not),
 * by socks-proxy-agent: the proxy opens the TCP connection, TLS runs inside it with the cluster's settings. Go's
 * SOCKS5 dialer hands the proxy the host name to resolve, for socks5:// as for socks5h://; socks-proxy-agent resolves
 * it here for socks5://, so it is given socks5h://. Loaded only here: the library and its address parser would cost
 * every other command start-up time (bench P7).
 */
async function socksAgent(
  proxy: URL,
  server: URL,
  tls: TlsSettings,
  options: { keepAlive: boolean; maxSockets: number },
) {
  const { SocksProxyAgent } = await import('socks-proxy-agent');
  const remote = new URL(proxy.href.replace(/^socks5:/, 'socks5h:'));
  if (server.protocol !== 'https:') return new SocksProxyAgent(remote, options);
  // The certificate names the server (or tls-server-name): for a server given as an address, which is sent no SNI,
  // Node would otherwise check it against the socket's own peer, the proxy.
  const host = server.hostname.replace(/^\[|\]$/g, '');
  const checkServerIdentity = (_: string, cert: PeerCertificate) => checkIdentity(tls.servername ?? host, cert);
  // Node's Agent merges its own options into each connection's, which socks-proxy-agent hands to tls.connect.
  const withTls = { ...options, ...tls, checkServerIdentity } as ConstructorParameters<typeof SocksProxyAgent>[1];
  return new SocksProxyAgent(remote, withTls);
}

export class HttpTransport implements Transport {
  private agents = new Map<TlsSettings, Promise<HttpAgent>>();
  private h2 = new Http2Sessions();
  private settings: TransportSettings;
  constructor(settings: TransportSettings) {
    this.settings = settings;
  }

  private proxies = new Map<string, URL | undefined>();

  /** The proxy for the server, by Go's rules: worked out once, not for every request. */
  private proxyFor(url: URL): URL | undefined {
    const key = `${url.protocol}//${url.host}`;
    if (!this.proxies.has(key)) this.proxies.set(key, proxyFor(url, this.settings.proxyUrl, process.env));
    return this.proxies.get(key);
  }

  private agentFor(url: URL, tls: TlsSettings): Promise<HttpAgent> {
    let agent = this.agents.get(tls);
    if (!agent) {
      const secure = url.protocol === 'https:';
      const proxy = this.proxyFor(url);
      const options = { keepAlive: true, maxSockets: 16 };
      // Node's agents tunnel through an HTTP(S) proxy given as these variables, and only then.
      const proxyEnv = proxy ? { HTTPS_PROXY: proxy.href, HTTP_PROXY: proxy.href } : undefined;
      agent = isSocks(proxy)
        ? socksAgent(proxy, url, tls, options)
        : Promise.resolve(
            secure ? new HttpsAgent({ ...options, ...tls, proxyEnv }) : new HttpAgent({ ...options, proxyEnv }),
          );
      this.agents.set(tls, agent);
    }
    return agent;
  }

  async send(req: Outgoing, tls: TlsSettings): Promise<Answer> {
    const { log, verbosity, requestTimeoutMs, compression } = this.settings;
    const line = `${req.method} ${req.url.href}`;
    const headers: Record<string, string | string[]> = {
      ...req.headers,
      ...(compression ? { 'Accept-Encoding': 'gzip' } : {}),
      ...(req.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(req.body)) }),
    };
    if (verbosity >= 8) log(8, `${line}\nRequest Headers:\n${requestHeaderLines(headers).join('\n')}`);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    // HTTP/2 where the server offers it, straight to it (through a proxy, HTTP/1.1 as before).
    const direct = req.url.protocol === 'https:' && !this.proxyFor(req.url);
    const session = direct ? await this.h2.session(req.url, tls) : undefined;
    const opened = session
      ? this.h2.request(session, { ...req, headers })
      : this.http1(req, headers, tls, (status, message) => log(6, responseLine(line, status, message, elapsed())));
    // kubectl's --request-timeout is Go's http.Client.Timeout: it covers the answer's body too. (A watch cut by it
    // resumes where it was, as client-go's watches do.)
    const timer = requestTimeoutMs
      ? setTimeout(
          () => opened.cancel(Object.assign(new Error('request timeout'), { code: 'ERR_REQUEST_TIMEOUT' })),
          requestTimeoutMs,
        )
      : undefined;
    let res: RawAnswer;
    try {
      res = await opened.answer;
    } catch (err) {
      clearTimeout(timer);
      if ((err as Error).name !== 'AbortError')
        log(6, `${line} failed after ${elapsed()} milliseconds: ${(err as Error).message}`);
      throw err;
    }
    if (session) log(6, responseLine(line, res.statusCode, STATUS_CODES[res.statusCode] ?? '', elapsed()));
    const gzipped = /^\s*gzip\s*$/i.test(String(res.headers['content-encoding'] ?? ''));
    // zlib is loaded with the first compressed answer (the API server compresses only large ones).
    const body: Readable = gzipped ? res.stream.pipe(process.getBuiltinModule('node:zlib').createGunzip()) : res.stream;
    if (gzipped) {
      res.stream.on('error', (err) => body.destroy(err));
      body.once('close', () => res.stream.destroy());
    }
    // A timeout from here on destroys the answer's stream, whose error reaches the decompressed body too.
    body.once('close', () => clearTimeout(timer));
    return Object.assign(body, { statusCode: res.statusCode, headers: res.headers }) as Answer;
  }

  /** One request over HTTP/1.1, on the agent's keep-alive connections. */
  private http1(
    req: Outgoing,
    headers: Record<string, string | string[]>,
    tls: TlsSettings,
    logged: (status: number, message: string) => void,
  ): Opened {
    const send = req.url.protocol === 'http:' ? httpRequest : httpsRequest;
    let r: ClientRequest | undefined;
    let response: Readable | undefined;
    let cancelled: Error | undefined;
    const answer = this.agentFor(req.url, tls).then(
      (agent) =>
        new Promise<RawAnswer>((resolve, reject) => {
          if (cancelled) return reject(cancelled);
          r = send(req.url, { method: req.method, headers, agent, signal: req.signal }, (res) => {
            logged(res.statusCode ?? 0, res.statusMessage ?? '');
            response = res;
            resolve({ stream: res, statusCode: res.statusCode ?? 0, headers: res.headers });
          });
          r.on('error', (err) => reject(response ? err : this.throughProxy(req.url, err)));
          r.end(req.body);
        }),
    );
    // The connection goes too: a half-read answer would keep it (and the process) alive.
    return {
      answer,
      cancel: (err) => {
        cancelled = err;
        response?.destroy(err);
        r?.destroy(err);
      },
    };
  }

  /** A connection a SOCKS proxy could not make names the proxy, which is what to check. */
  private throughProxy(url: URL, err: Error): Error {
    const proxy = this.proxyFor(url);
    if (!isSocks(proxy) || (err as { code?: string }).code === 'ERR_REQUEST_TIMEOUT') return err;
    return new CommandError(`proxy-url ${proxy.protocol}//${proxy.host}: ${err.message}`, { cause: err });
  }
}
