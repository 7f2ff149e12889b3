// HTTP/2 to the API server, as kubectl speaks it: one TLS connection per command carries every request as a stream,
// where HTTP/1.1 opens one connection (one TLS handshake, ≈ 4 kB received) per request in flight. A server that does
// not offer h2 in ALPN (an HTTP/1.1 proxy in front of the API server, the reliability suite's fault proxy) is
// remembered, and its requests go over HTTP/1.1 instead.
import type { ClientHttp2Session, IncomingHttpHeaders as Http2Headers } from 'node:http2';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { serverName, type TlsSettings } from './credentials.ts';

/** A session, or `undefined` for a server that speaks only HTTP/1.1 (remembered as such). */
type Session = ClientHttp2Session | undefined;

/** An answer as either protocol gives it: status, headers, and the body as sent (perhaps compressed). */
export interface RawAnswer {
  stream: Readable;
  statusCode: number;
  headers: IncomingHttpHeaders;
}

/** A request on its way: its answer, and how to end it (the timeout) with an error. */
export interface Opened {
  answer: Promise<RawAnswer>;
  cancel: (err: Error) => void;
}

export class Http2Sessions {
  private sessions = new Map<TlsSettings, Promise<Session>>();
  private active = new Map<ClientHttp2Session, number>();

  /**
   * The session for this origin and TLS settings: opened on first use, again after the server closed it; `undefined`
   * (kept, so it is asked once) where the server offers only HTTP/1.1.
   */
  session(url: URL, tls: TlsSettings): Promise<Session> {
    let session = this.sessions.get(tls);
    if (!session) {
      const opening = this.open(url, tls, () => {
        if (this.sessions.get(tls) === opening) this.sessions.delete(tls);
      });
      session = opening;
      this.sessions.set(tls, opening);
      opening.catch(() => this.sessions.delete(tls));
    }
    return session;
  }

  private open(url: URL, tls: TlsSettings, forget: () => void): Promise<Session> {
    const http2 = process.getBuiltinModule('node:http2');
    return new Promise((resolve, reject) => {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const socket = tlsConnect({
        ...(tls as ConnectionOptions),
        host,
        port: Number(url.port || 443),
        servername: serverName(tls, host),
        ALPNProtocols: ['h2', 'http/1.1'],
      });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        if (socket.alpnProtocol !== 'h2') {
          socket.destroy();
          return resolve(undefined);
        }
        // Flow-control windows as Go's HTTP/2 client (kubectl's) opens them: HTTP/2's default 64 KiB would allow one
        // window of data per round trip, ≈ 13 Mbit/s at 40 ms, and made a 1000-pod status -A slower on a remote
        // cluster than over HTTP/1.1 (bench/ANALYSIS.md, P4).
        const session = http2.connect(url.origin, {
          createConnection: () => socket,
          settings: { initialWindowSize: 4 * 2 ** 20 },
        });
        session.once('connect', () => session.setLocalWindowSize(2 ** 30 - 1));
        session.on('goaway', forget);
        session.on('close', forget);
        session.on('error', forget);
        session.unref(); // idle, it keeps nothing alive; each stream refs it while it runs
        resolve(session);
      });
    });
  }

  /** One request as a stream of the session; its answer resolves once the headers are in. */
  request(
    session: ClientHttp2Session,
    req: { method: string; url: URL; headers: Record<string, string | string[]>; body?: string; signal?: AbortSignal },
  ): Opened {
    const headers: Record<string, string | string[]> = {
      ':method': req.method,
      ':path': req.url.pathname + req.url.search,
    };
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
    this.track(session, +1);
    const stream = session.request(headers, { signal: req.signal, endStream: req.body === undefined });
    stream.once('close', () => this.track(session, -1));
    if (req.body !== undefined) stream.end(req.body);
    const answer = new Promise<RawAnswer>((resolve, reject) => {
      stream.once('error', reject);
      stream.once('response', (h: Http2Headers) => {
        stream.off('error', reject);
        const plain: IncomingHttpHeaders = {};
        for (const [k, v] of Object.entries(h)) if (!k.startsWith(':')) plain[k] = v as string;
        resolve({ stream, statusCode: Number(h[':status']), headers: plain });
      });
    });
    return { answer, cancel: (err) => stream.destroy(err) };
  }

  private track(session: ClientHttp2Session, delta: number): void {
    const n = (this.active.get(session) ?? 0) + delta;
    this.active.set(session, n);
    if (session.destroyed) return;
    if (n > 0) session.ref();
    else session.unref();
  }
}
