// A route to the bench's control plane through the shaping proxy (shaping-proxy.ts), in a child process (the
// measurements block the bench's event loop), and a kubeconfig that goes through it: the remote profile of
// npm run bench, bench:watch and bench:gateway.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import type { ClusterInfo } from '../test/cluster/cluster.ts';

/** Where a profile's commands connect: a kubeconfig, and the file counting the bytes the proxy delivered. */
export interface Route {
  kubeconfig: string;
  counter: string;
  proxy: ChildProcess;
}

const proxyScript = fileURLToPath(new URL('./shaping-proxy.ts', import.meta.url));

/** The remote profile of every bench: 40 ms round trip, 50 Mbit/s each way, as from a laptop to a cloud. */
export const remote = { rttMs: 40, mbit: 50 };

/** `rttMs` and `mbit` 0: a counting proxy that adds nothing. `env` runs kubectl for the warm-up. */
export async function startProxy(
  cluster: ClusterInfo,
  at: { work: string; name: string; env: NodeJS.ProcessEnv },
  rttMs: number,
  mbit: number,
): Promise<Route> {
  const counter = join(at.work, `${at.name}.bytes`);
  const upstream = new URL(cluster.server);
  const args = [
    '--upstream',
    `${upstream.hostname}:${upstream.port}`,
    '--rtt-ms',
    String(rttMs),
    '--mbit',
    String(mbit),
  ];
  const proxy = spawn(process.execPath, [proxyScript, ...args, '--counter', counter], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    proxy.stdout?.once('data', (d: Buffer) => resolve(String(d).trim()));
    proxy.once('exit', (code) => reject(new Error(`shaping proxy exited (${code})`)));
  });
  const config = parse(readFileSync(cluster.kubeconfig, 'utf8'));
  config.clusters[0].cluster.server = `https://127.0.0.1:${port}`;
  const kubeconfig = join(at.work, `${at.name}.kubeconfig`);
  writeFileSync(kubeconfig, stringify(config));
  // kubectl caches discovery per server address: fill that cache before anything is timed.
  const warm = spawnSync('kubectl', ['get', 'namespaces'], { env: { ...at.env, KUBECONFIG: kubeconfig } });
  if (warm.status !== 0) throw new Error(`${at.name}: warm-up failed: ${warm.stderr}`);
  return { kubeconfig, counter, proxy };
}
