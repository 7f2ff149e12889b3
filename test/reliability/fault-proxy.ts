// A TLS proxy between the plugin and the real kube-apiserver that fails a seeded fraction of requests the ways an API
// server or a load balancer in front of it does: 429 with Retry-After, 500, 503, a connection reset before the request
// reaches the server, and a reset after the server has carried it out (the answer is lost, the write is not). It can
// also delay requests (to interrupt runs mid-flight) and answer chosen requests itself (a 409 Conflict).
// The plugin authenticates with a bearer token, which the proxy passes on; it listens on 127.0.0.1 only.
import { readFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = '429' | '500' | '503' | 'reset' | 'reset-after-write';
export const allFaults: Fault[] = ['429', '500', '503', 'reset', 'reset-after-write'];

export interface ProxyOptions {
  upstream: string;
  caFile: string;
  /** The apiserver's own serving certificate: valid for 127.0.0.1 and signed by the test CA the plugin trusts. */
  certFile: string;
  keyFile: string;
  seed: number;
  /** Fraction of requests that fail, 0–1. */
  rate: number;
  faults?: Fault[];
  /** Each request waits a seeded time in this range (ms) before it is forwarded. */
  latencyMs?: [number, number];
  /** Answers a request itself when this returns a response (status and Status message). */
  answer?: (req: IncomingMessage) => { code: number; reason: string; message: string } | undefined;
}

export interface FaultProxy {
  url: string;
  requests: number;
  injected: Record<Fault, number>;
  /** Injected faults by what the request was. */
  hit: { read: number; write: number; watch: number };
  /** Changes the failure rate from now on (e.g. 0 for a re-run that must converge). */
  setRate(rate: number): void;
  close(): Promise<void>;
}

/** A small, well-mixed PRNG (mulberry32): the same seed gives the same sequence of faults. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const statusFaults: Record<'429' | '500' | '503', { reason: string; message: string }> = {
  '429': { reason: 'TooManyRequests', message: 'Too many requests, please try again later.' },
  '500': { reason: 'InternalError', message: 'Internal error occurred: injected by the fault proxy' },
  '503': { reason: 'ServiceUnavailable', message: 'the server is currently unable to handle the request' },
};

function sendStatus(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json', ...(code === 429 ? { 'Retry-After': '1' } : {}) });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

export async function startFaultProxy(opts: ProxyOptions): Promise<FaultProxy> {
  const random = prng(opts.seed);
  const faults = opts.faults ?? allFaults;
  const upstream = new URL(opts.upstream);
  const ca = readFileSync(opts.caFile);
  const agent = new Agent({ keepAlive: true, ca });
  let rate = opts.rate;

  const proxy: FaultProxy = {
    url: '',
    requests: 0,
    injected: Object.fromEntries(allFaults.map((f) => [f, 0])) as Record<Fault, number>,
    hit: { read: 0, write: 0, watch: 0 },
    setRate: (r) => void (rate = r),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };

  const forward = (req: IncomingMessage, res: ServerResponse, fault: Fault | undefined) => {
    const up = request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        agent,
        headers: { ...req.headers, host: upstream.host },
      },
      (ures) => {
        if (fault === 'reset-after-write') {
          ures.destroy();
          req.socket.destroy();
          return;
        }
        res.writeHead(ures.statusCode ?? 502, ures.headers);
        res.flushHeaders(); // a watch's headers come before its first event, as the apiserver sends them
        ures.pipe(res);
      },
    );
    up.on('error', () => req.socket.destroy());
    res.on('close', () => {
      if (!res.writableFinished) up.destroy(); // the plugin went away (an aborted watch): stop the upstream too
    });
    req.pipe(up);
  };

  const server: Server = createServer(
    { cert: readFileSync(opts.certFile), key: readFileSync(opts.keyFile) },
    (req, res) => {
      proxy.requests++;
      // Three draws for every request, whatever is used, so one seed always gives the same sequence.
      const [pick, kind, wait] = [random(), random(), random()];
      const fault = pick < rate ? faults[Math.floor(kind * faults.length)] : undefined;
      const delay = opts.latencyMs ? opts.latencyMs[0] + wait * (opts.latencyMs[1] - opts.latencyMs[0]) : 0;
      setTimeout(() => {
        const own = opts.answer?.(req);
        if (own) return sendStatus(res, own.code, own.reason, own.message);
        if (fault) {
          proxy.injected[fault]++;
          proxy.hit[req.method !== 'GET' ? 'write' : req.url?.includes('watch=true') ? 'watch' : 'read']++;
        }
        if (fault === '429' || fault === '500' || fault === '503') {
          const { reason, message } = statusFaults[fault];
          return sendStatus(res, Number(fault), reason, message);
        }
        if (fault === 'reset') return req.socket.destroy();
        forward(req, res, fault);
      }, delay);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
