// The shaping proxy adds what it is asked to: the round-trip time and the bandwidth cap, each within 10 %. Timed
// assertions, so these run with the benchmark (`npm run bench:test`), never in the test suite.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startShapingProxy } from './shaping-proxy.ts';

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

async function server(onConnection: (s: Socket) => void): Promise<number> {
  const s: Server = createServer(onConnection);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  cleanup.push(() => void s.close());
  return (s.address() as AddressInfo).port;
}

async function proxyTo(port: number, rttMs: number, mbit: number) {
  let delivered = 0;
  const proxy = await startShapingProxy({
    upstream: { host: '127.0.0.1', port },
    rttMs,
    bitsPerSecond: mbit * 1e6,
    onDownstreamBytes: (n) => (delivered = n),
  });
  cleanup.push(proxy.close);
  return { port: proxy.port, delivered: () => delivered };
}

const connected = (port: number) =>
  new Promise<Socket>((resolve) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    cleanup.push(() => void s.destroy());
  });

describe('the shaping proxy', () => {
  it('adds the round-trip time to every exchange', async () => {
    const echo = await server((s) => s.pipe(s));
    const proxy = await proxyTo(echo, 40, 50);
    const socket = await connected(proxy.port);
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      socket.write('ping');
      await new Promise((r) => socket.once('data', r));
      times.push(performance.now() - started);
    }
    // The first exchange also waits for the connection's own round trip.
    const steady = times.slice(1).sort((a, b) => a - b);
    const median = steady[Math.floor(steady.length / 2)];
    expect(median).toBeGreaterThan(36);
    expect(median).toBeLessThan(44);
    expect(times[0]).toBeGreaterThan(72);
  });

  it('caps the bandwidth: 10 MB at 50 Mbit/s take 1.6 s, and every byte is counted', async () => {
    const size = 10 * 1024 * 1024;
    const source = await server((s) => s.end(Buffer.alloc(size, 7)));
    const proxy = await proxyTo(source, 40, 50);
    const socket = await connected(proxy.port);
    let received = 0;
    let first = 0;
    await new Promise<void>((resolve) => {
      socket.on('data', (d: Buffer) => {
        if (!received) first = performance.now();
        received += d.length;
      });
      socket.on('end', resolve);
    });
    const seconds = (performance.now() - first) / 1000;
    const expected = (size * 8) / 50e6;
    expect(received).toBe(size);
    expect(proxy.delivered()).toBe(size);
    expect(seconds).toBeGreaterThan(expected * 0.9);
    expect(seconds).toBeLessThan(expected * 1.1);
  });
});
