// Where the kube layer's requests go. HttpTransport is HTTP to the API server with Node's own client: keep-alive
// connections shared by every request, a proxy from the cluster's proxy-url or the environment as kubectl takes it,
// --request-timeout, and the -v request log. The flow tests (test/flow/) put a scripted transport in its place.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { CommandError } from '../errors.ts';
import type { TlsSettings } from './credentials.ts';
import { requestHeaderLines, responseLine } from './request-log.ts';

export interface TransportSettings {
  proxyUrl?: string;
  requestTimeoutMs: number;
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

/** What the kube layer reads of an answer: its status and headers, and its body as a stream. */
export interface Answer extends Readable {
  statusCode?: number;
  headers: IncomingHttpHeaders;
}

export interface Transport {
  /** Resolves with the answer once its headers are in, whatever its status: the caller reads the body. */
  send(req: Outgoing, tls: TlsSettings): Promise<Answer>;
}

/** Like Go's ProxyFromEnvironment, which kubectl uses: loopback addresses never go through a proxy. */
function proxyEnv(url: URL, proxyUrl: string | undefined): NodeJS.ProcessEnv | undefined {
  if (proxyUrl) {
    if (!/^https?:$/.test(new URL(proxyUrl).protocol))
      throw new CommandError(`proxy-url ${proxyUrl}: only http and https proxies are supported`);
    return { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || (isIP(host) && /^(127\.|::1$)/.test(host))) return undefined;
  const env = process.env;
  const any = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  return any ? env : undefined;
}

export class HttpTransport implements Transport {
  private agents = new Map<TlsSettings, HttpAgent>();
  private settings: TransportSettings;
  constructor(settings: TransportSettings) {
    this.settings = settings;
  }

  private agentFor(url: URL, tls: TlsSettings): HttpAgent {
    let agent = this.agents.get(tls);
    if (!agent) {
      const options = { keepAlive: true, maxSockets: 16, proxyEnv: proxyEnv(url, this.settings.proxyUrl) };
      agent = url.protocol === 'http:' ? new HttpAgent(options) : new HttpsAgent({ ...options, ...tls });
      this.agents.set(tls, agent);
    }
    return agent;
  }

  send(req: Outgoing, tls: TlsSettings): Promise<Answer> {
    const { log, verbosity, requestTimeoutMs } = this.settings;
    const line = `${req.method} ${req.url.href}`;
    if (verbosity >= 8) log(8, `${line}\nRequest Headers:\n${requestHeaderLines(req.headers).join('\n')}`);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const send = req.url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const headers = {
        ...req.headers,
        ...(req.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(req.body)) }),
      };
      const r = send(
        req.url,
        { method: req.method, headers, agent: this.agentFor(req.url, tls), signal: req.signal },
        (res) => {
          clearTimeout(timer);
          log(6, responseLine(line, res.statusCode ?? 0, res.statusMessage ?? '', elapsed()));
          resolve(res);
        },
      );
      // kubectl's --request-timeout bounds the wait for an answer; a watch's body then streams as long as it lasts.
      const timer = requestTimeoutMs
        ? setTimeout(
            () => r.destroy(Object.assign(new Error('request timeout'), { code: 'ERR_REQUEST_TIMEOUT' })),
            requestTimeoutMs,
          )
        : undefined;
      r.on('error', (err) => {
        clearTimeout(timer);
        if (err.name !== 'AbortError') log(6, `${line} failed after ${elapsed()} milliseconds: ${err.message}`);
        reject(err);
      });
      r.end(req.body);
    });
  }
}
