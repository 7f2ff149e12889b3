// Through a SOCKS5 proxy, TLS is checked against the server the kubeconfig names: for a server given as an address
// (which gets no SNI), Node would otherwise check the certificate for "localhost". The API server's certificate
// names localhost too, so this runs against a server of its own whose certificate names only 127.0.0.1; the proxy
// listens on 127.0.0.2, a loopback address of this machine.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTransport } from '../../../src/kube/transport.ts';
import { socks5 } from './socks5.ts';

const dir = mkdtempSync(join(tmpdir(), 'socks-tls-'));
let server: ReturnType<typeof createServer>;
let proxy: Awaited<ReturnType<typeof socks5>>;
let ca: Buffer;

beforeAll(async () => {
  const [cert, key] = [join(dir, 'server.crt'), join(dir, 'server.key')];
  await promisify(execFile)('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
    ...['-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=api', '-addext', 'subjectAltName=IP:127.0.0.1'],
  ]);
  ca = readFileSync(cert);
  server = createServer({ cert: ca, key: readFileSync(key) }, (_, res) => res.end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy = await socks5('127.0.0.2');
});
afterAll(() => {
  server.close();
  proxy.close();
});

describe('a socks5:// proxy-url', () => {
  const send = (servername?: string) => {
    const transport = new HttpTransport({
      proxyUrl: proxy.url,
      requestTimeoutMs: 5000,
      compression: false,
      verbosity: 0,
      log: () => undefined,
    });
    const url = new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}/version`);
    return transport.send({ method: 'GET', url, headers: {} }, { ca, rejectUnauthorized: true, servername });
  };
  it("checks the server's certificate for the server's address, through the proxy", async () => {
    const before = proxy.connections();
    const answer = await send();
    expect(answer.statusCode).toBe(200);
    answer.resume();
    expect(proxy.connections()).toBe(before + 1);
  });
  it('and for the tls-server-name when one is given: a certificate that does not name it is refused', async () => {
    await expect(send('api.example.test')).rejects.toThrow(/api\.example\.test/);
  });
});
