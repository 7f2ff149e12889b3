// HTTP/2, as kubectl speaks it to the API server: every request of a command is a stream of one TLS connection (an
// HTTP/1.1 server still works: the reliability suite's fault proxy is one).
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { runPlugin } from '../../reliability/harness.ts';
import { statefulSet } from '../fixtures.ts';
import { lbArgs, newNamespace, parseTable, readyStatefulSet } from '../helpers.ts';
import { writeKubeconfig } from './differential.ts';

const cluster = inject('cluster');
const dir = mkdtempSync(join(tmpdir(), 'one-connection-'));
let ns: string;
let server: Server;
let connections = 0;

beforeAll(async () => {
  ns = await newNamespace('h2');
  await readyStatefulSet(ns, statefulSet('kafka', { replicas: 3 }));
  // A TCP forwarder in front of the API server that counts the connections made through it.
  const upstream = new URL(cluster.server);
  server = createServer((client) => {
    connections++;
    const up = connect(Number(upstream.port), upstream.hostname);
    client.pipe(up).pipe(client);
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(() => server.close());

it('expose (GET, LISTs, writes, a watch) and status (four LISTs at once) each make one connection', async () => {
  const admin = parse(readFileSync(cluster.kubeconfig, 'utf8'));
  const kubeconfig = writeKubeconfig(join(dir, 'config'), {
    cluster: {
      server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
      'certificate-authority': cluster.caFile,
    },
    user: admin.users[0].user,
    context: { namespace: ns },
  });
  connections = 0;
  const exposed = await runPlugin(lbArgs('kafka'), { kubeconfig });
  expect(exposed.code, exposed.stderr).toBe(0);
  expect(parseTable(exposed.stdout)).toHaveLength(3);
  expect(connections).toBe(1);
  connections = 0;
  const status = await runPlugin(['status', '-v', '6'], { kubeconfig });
  expect(status.code, status.stderr).toBe(0);
  // Four LISTs at once: the ConfigMaps too, for one no Service publishes to any more (the issue names it).
  expect(status.stderr.match(/^I GET .* 200 OK in \d+ milliseconds$/gm)).toHaveLength(4);
  expect(connections).toBe(1);
});
