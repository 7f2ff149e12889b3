// A TCP proxy that makes the local API server look remote: every byte is held for half the round-trip time in each
// direction, and each direction is one link of capped bandwidth shared by all connections (a laptop's uplink and
// downlink to a cloud API server). TLS passes through untouched, so the API server's own certificate is what clients
// verify. It counts the bytes it delivers to clients, which is what a command received.
//
// Run as a child of the benchmark (whose measurements block its own event loop):
//   node bench/shaping-proxy.ts --upstream 127.0.0.1:6443 --rtt-ms 40 --mbit 50 --counter FILE
// prints the port it listens on, and keeps FILE holding the total of bytes sent to clients.
import { writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

export interface ShapingOptions {
  upstream: { host: string; port: number };
  /** Round-trip time added: half of it each way. */
  rttMs: number;
  /** Bits per second of each direction's link; 0 for no cap. */
  bitsPerSecond: number;
  /** Called with the running total of bytes delivered to clients. */
  onDownstreamBytes?: (total: number) => void;
}

/**
 * One direction of the link: chunks are transmitted one after another at the link's rate (a chunk waits for the
 * ones before it, on any connection), then arrive after the one-way delay. Order per connection is kept because
 * arrival times only grow.
 */
class Link {
  private busyUntil = 0;
  private oneWayMs: number;
  private bitsPerSecond: number;
  constructor(oneWayMs: number, bitsPerSecond: number) {
    this.oneWayMs = oneWayMs;
    this.bitsPerSecond = bitsPerSecond;
  }

  /** When a chunk handed over now has fully arrived at the other end (ms, performance.now clock). */
  arrival(bytes: number): number {
    const now = performance.now();
    const transmit = this.bitsPerSecond ? (bytes * 8 * 1000) / this.bitsPerSecond : 0;
    this.busyUntil = Math.max(now, this.busyUntil) + transmit;
    return this.busyUntil + this.oneWayMs;
  }
}

/** Forwards `from` to `to` through the link, in order, each chunk no earlier than its arrival time. */
function pipeThrough(from: Socket, to: Socket, link: Link, counted?: (n: number) => void): void {
  const queue: { at: number; chunk: Buffer }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length && queue[0].at <= now + 0.5) {
      const { chunk } = queue.shift() as { chunk: Buffer };
      counted?.(chunk.length);
      if (!to.destroyed) to.write(chunk);
    }
    if (queue.length) timer = setTimeout(flush, Math.max(0, queue[0].at - performance.now()));
    else if (ended) to.end();
  };
  from.on('data', (chunk: Buffer) => {
    // Chunks are split so that a large read does not arrive all at once after its last byte.
    for (let i = 0; i < chunk.length; i += 16 * 1024) {
      const part = chunk.subarray(i, i + 16 * 1024);
      queue.push({ at: link.arrival(part.length), chunk: part });
    }
    timer ??= setTimeout(flush, Math.max(0, queue[0].at - performance.now()));
  });
  from.on('end', () => {
    ended = true;
    if (!queue.length && !timer) to.end();
  });
  from.on('error', () => to.destroy());
  from.on('close', () => {
    if (!ended) to.destroy(); // reset, not ended: nothing more will come
  });
}

export async function startShapingProxy(opts: ShapingOptions): Promise<{ port: number; close: () => Promise<void> }> {
  const up = new Link(opts.rttMs / 2, opts.bitsPerSecond);
  const down = new Link(opts.rttMs / 2, opts.bitsPerSecond);
  let delivered = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    // The connection itself takes a round trip before the client may send (TCP's handshake).
    client.pause();
    const upstream = connect(opts.upstream.port, opts.upstream.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.setNoDelay(true);
    }
    setTimeout(() => client.resume(), opts.rttMs);
    pipeThrough(client, upstream, up);
    pipeThrough(upstream, client, down, (n) => {
      delivered += n;
      opts.onDownstreamBytes?.(delivered);
    });
    // An end is passed on once the bytes before it have arrived (pipeThrough); an error at once.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      upstream: { type: 'string' },
      'rtt-ms': { type: 'string', default: '40' },
      mbit: { type: 'string', default: '50' },
      counter: { type: 'string' },
    },
  });
  const [host, port] = String(values.upstream).split(':');
  const counter = values.counter;
  if (counter) writeFileSync(counter, '0');
  const proxy = await startShapingProxy({
    upstream: { host, port: Number(port) },
    rttMs: Number(values['rtt-ms']),
    bitsPerSecond: Number(values.mbit) * 1e6,
    onDownstreamBytes: counter ? (total) => writeFileSync(counter, String(total)) : undefined,
  });
  process.stdout.write(`${proxy.port}\n`);
}
