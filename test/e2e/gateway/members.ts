// Stand-ins for a StatefulSet's members in the Gateway mode's tests: a small server per pod, listening on the pod's
// own IP (made this machine's by the pod route, checked before binding), that answers every connection with the
// pod's name, over TLS (its own certificate, for passthrough by SNI) or plain TCP. A client reaching one through the
// Gateway reads whose it is. And the clients: each checks that it dials this machine before it connects.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { assertLocal } from '../../cluster/pod-range.ts';
import { clients, waitFor } from '../helpers.ts';

/** A self-signed certificate for `*.<zone>` (made with openssl, which the test cluster's PKI needs anyway). */
export function wildcardCertificate(zone: string): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'expose-sts-members-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=*.${zone}`,
        '-addext',
        `subjectAltName=DNS:*.${zone}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The pods' IPs by name, once kwok has given each one. */
export async function podIps(namespace: string, app: string, count: number): Promise<Map<string, string>> {
  return waitFor(`${count} pod IPs of ${app}`, async () => {
    const pods = (await clients().core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items;
    const ips = new Map(pods.flatMap((p) => (p.status?.podIP ? [[p.metadata!.name!, p.status.podIP] as const] : [])));
    return ips.size === count && ips;
  });
}

/** A server per pod on its IP and `port`, answering `member <pod>\n`; TLS when given a certificate. */
export async function startMembers(
  ips: Map<string, string>,
  port: number,
  tls?: { key: string; cert: string },
): Promise<{ close: () => Promise<void> }> {
  const servers: Server[] = [];
  for (const [pod, ip] of ips) {
    assertLocal(ip);
    const answer = (socket: import('node:net').Socket) => socket.end(`member ${pod}\n`);
    const server = tls ? createTlsServer(tls, answer) : createServer(answer);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, ip, resolve);
    });
    servers.push(server);
  }
  return { close: async () => void (await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))) };
}

/** What a member answers through host:port: over TLS with `servername` as SNI, else plain TCP; '' when closed. */
export function ask(host: string, port: number, servername?: string, timeoutMs = 5000): Promise<string> {
  assertLocal(host);
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = servername
      ? tlsConnect({ host, port, servername, rejectUnauthorized: false })
      : tcpConnect({ host, port });
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer from ${host}:${port} in ${timeoutMs} ms`)));
    socket.on('data', (d: string) => (text += d));
    socket.on('end', () => resolve(text));
    socket.on('close', () => resolve(text));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? resolve(text) : reject(err)));
  });
}

/**
 * What a member answers, asked again until it is `expected` or `timeoutMs` passed: a route is Accepted when its
 * controller has taken it, which may be a moment before its data path is programmed (Traefik applies changes at most
 * once per its providers' throttle).
 */
export async function answerOf(host: string, port: number, expected: string, servername?: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const said = await ask(host, port, servername).catch((err: Error) => `(${err.message})`);
    if (said === expected || Date.now() > deadline) return said;
    await new Promise((r) => setTimeout(r, 100));
  }
}
