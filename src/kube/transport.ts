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
import type { Duplex, Readable } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { CommandError } from '../errors.ts';
import { serverName, type TlsSettings } from './credentials.ts';
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

type Connected = (err: Error | null, socket?: Duplex) => void;

/**
 * Connections through a SOCKS5 proxy (a cluster's `proxy-url: socks5://…`, which kubectl supports and Node does not):
 * the proxy opens the TCP connection, TLS runs inside it. The host name is resolved by the proxy, as Go's does.
 */
function socksAgent(
  proxy: URL,
  secure: boolean,
  tls: TlsSettings,
  options: { keepAlive: boolean; maxSockets: number },
) {
  const open = (
    target: { host?: string | null; port?: number | string | null; servername?: string },
    cb: Connected,
  ) => {
    const host = String(target.host);
    // Loaded only here: the library and its address parser would cost every other command start-up time (P7).
    import('socks')
      .then(({ SocksClient }) =>
        SocksClient.createConnection({
          proxy: {
            host: proxy.hostname.replace(/^\[|\]$/g, ''),
            port: Number(proxy.port || 1080),
            type: 5,
            userId: proxy.username ? decodeURIComponent(proxy.username) : undefined,
            password: proxy.password ? decodeURIComponent(proxy.password) : undefined,
          },
          command: 'connect',
          destination: { host, port: Number(target.port) },
        }),
      )
      .then(
        ({ socket }) => {
          if (!secure) return cb(null, socket);
          const tlsSocket = tlsConnect({
            ...(tls as ConnectionOptions),
            socket,
            host,
            servername: serverName(tls, host),
          });
          tlsSocket.once('secureConnect', () => cb(null, tlsSocket));
          tlsSocket.once('error', (err) => cb(err));
        },
        (err: Error) =>
          cb(new CommandError(`proxy-url ${proxy.protocol}//${proxy.host}: ${err.message}`, { cause: err })),
      );
  };
  const Base = secure ? HttpsAgent : HttpAgent;
  const agent = new Base({ ...options, ...(secure ? tls : {}) });
  (agent as unknown as { createConnection: typeof open }).createConnection = open;
  return agent;
}

export class HttpTransport implements Transport {
  private agents = new Map<TlsSettings, HttpAgent>();
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

  private agentFor(url: URL, tls: TlsSettings): HttpAgent {
    let agent = this.agents.get(tls);
    if (!agent) {
      const secure = url.protocol === 'https:';
      const proxy = this.proxyFor(url);
      const options = { keepAlive: true, maxSockets: 16 };
      if (proxy && /^socks5h?:$/.test(proxy.protocol)) agent = socksAgent(proxy, secure, tls, options);
      else {
        // Node's agents tunnel through an HTTP(S) proxy given as these variables, and only then.
        const proxyEnv = proxy ? { HTTPS_PROXY: proxy.href, HTTP_PROXY: proxy.href } : undefined;
        agent = secure ? new HttpsAgent({ ...options, ...tls, proxyEnv }) : new HttpAgent({ ...options, proxyEnv });
      }
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
    const answer = new Promise<RawAnswer>((resolve, reject) => {
      r = send(
        req.url,
        { method: req.method, headers, agent: this.agentFor(req.url, tls), signal: req.signal },
        (res) => {
          logged(res.statusCode ?? 0, res.statusMessage ?? '');
          response = res;
          resolve({ stream: res, statusCode: res.statusCode ?? 0, headers: res.headers });
        },
      );
      r.on('error', reject);
      r.end(req.body);
    });
    // The connection goes too: a half-read answer would keep it (and the process) alive.
    return {
      answer,
      cancel: (err) => {
        response?.destroy(err);
        r?.destroy(err);
      },
    };
  }
}
