// The local cluster's pod addresses (kwok hands them out from the nodes' podCIDRs) and the local route that makes the
// whole range this machine's own, for the tests whose traffic reaches pods (through a Gateway controller and the real
// per-pod Services). Without that route an address of the range leaves through the default route: no test may ever
// connect to one, so each checks `assertLocal` first.
//
// The route is machine-wide and several test processes may need it at once: each holds a claim (a file named by its
// pid) while it does, and the last to release removes the route, if it was not there before the first claim.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './process.ts';
import { cacheRoot } from './versions.ts';

/** kwok's pod range (its --cidr), of which node i gets the /24 podRange.node(i). */
export const podRange = {
  cidr: '10.244.0.0/16',
  node: (i: number) => `10.244.${i}.0/24`,
} as const;

const claimsDir = () => join(cacheRoot(), 'pod-route');
const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });

/** Whether the kernel delivers packets for `address` to this machine (`ip route get` says "local"). */
function isLocal(address: string): boolean {
  return /^local\s/.test(ip('route', 'get', address).trim());
}

/** Throws unless `address` is this machine's: called before any connection to a pod's address. */
export function assertLocal(address: string): void {
  if (!isLocal(address))
    throw new Error(
      `${address} is not an address of this machine: no test connects to it (is the pod route in place?)`,
    );
}

/**
 * Makes the pod range this machine's own (root only: `ip route add local … dev lo`) while `holder` (a pid: this
 * process, or a persistent cluster's own) is alive or until releasePodRoute(holder).
 */
export function claimPodRoute(holder: number = process.pid): number {
  const dir = claimsDir();
  mkdirSync(dir, { recursive: true });
  const probe = podRange.cidr.replace(/0\/\d+$/, '1');
  if (!isLocal(probe)) {
    ip('route', 'add', 'local', podRange.cidr, 'dev', 'lo');
    writeFileSync(join(dir, 'added'), '');
  }
  writeFileSync(join(dir, String(holder)), '');
  assertLocal(probe);
  return holder;
}

/** Ends a claim; the last one removes the route, if a claim added it. */
export function releasePodRoute(holder: number): void {
  const dir = claimsDir();
  rmSync(join(dir, String(holder)), { force: true });
  if (!existsSync(dir)) return;
  const holders = readdirSync(dir).filter((f) => /^\d+$/.test(f) && isAlive(Number(f)));
  if (holders.length || !existsSync(join(dir, 'added'))) return;
  rmSync(join(dir, 'added'), { force: true });
  try {
    ip('route', 'del', 'local', podRange.cidr, 'dev', 'lo');
  } catch {
    // already gone
  }
}
