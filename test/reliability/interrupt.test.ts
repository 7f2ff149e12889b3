// Interrupted runs: SIGINT or SIGTERM at a seeded moment of `expose` and `prune`. Requests are slowed by the proxy
// (20–80 ms each) so the moments fall across start-up, reads, writes and the wait. The process must exit at once with
// 130 / 143, say what it had done (and what it says must be true), and a re-run must converge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng, type FaultProxy } from './fault-proxy.ts';
import {
  deleteManaged,
  managedServices,
  proxyToCluster,
  runPlugin,
  testbed,
  tokenKubeconfig,
  type Run,
} from './harness.ts';
import { lbArgs, parseTable } from '../e2e/helpers.ts';

const seeds = Array.from({ length: 20 }, (_, i) => i + 1);
const expose = lbArgs('db');
let ns: string;
let direct: string;
let slow: string;
let proxy: FaultProxy;
let foreign: () => Promise<Record<string, string>>;
let foreignBefore: Record<string, string>;
let reference: Record<string, unknown>;
const interrupted = { expose: 0, prune: 0 };
const span = { expose: 0, prune: 0 };

beforeAll(async () => {
  let token: string;
  ({ ns, token, foreign, foreignBefore } = await testbed('interrupt', 5));
  proxy = await proxyToCluster({ seed: 7, rate: 0, latencyMs: [20, 80] });
  direct = tokenKubeconfig('interrupt-direct', token, ns);
  slow = tokenKubeconfig('interrupt-slow', token, ns, proxy.url);
  const clean = await runPlugin(expose, { kubeconfig: direct });
  expect(clean.code, clean.stderr).toBe(0);
  reference = await managedServices(ns);
  // How long undisturbed slow runs take here, so the seeded moments spread over a whole run on any machine: the
  // shortest of three (one slow measurement under load once pushed too many moments past the end of the runs).
  await deleteManaged(ns);
  span.expose = span.prune = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    for (const [command, args] of [
      ['expose', expose],
      ['prune', ['prune', 'db', '--all']],
    ] as const) {
      const started = Date.now();
      const res = await runPlugin([...args], { kubeconfig: slow });
      expect(res.code, res.stderr).toBe(0);
      span[command] = Math.min(span[command], Date.now() - started);
    }
  }
});

afterAll(async () => {
  await proxy.close();
  expect(await foreign()).toEqual(foreignBefore);
});

/**
 * A run that ended before its signal is how long one takes now: later moments fall within that (the runs measured
 * before the first test can be slowed by the other test files starting beside them: once, 12 of 20 moments fell past
 * the end of the prune runs).
 */
const shorten = (command: keyof typeof span, started: number) => {
  span[command] = Math.min(span[command], Date.now() - started);
};

/** The signal for a seed, and when to send it (ms after start). */
const moment = (seed: number, spanMs: number) => {
  const random = prng(seed);
  return { name: (seed % 2 ? 'SIGTERM' : 'SIGINT') as NodeJS.Signals, afterMs: Math.floor(random() * spanMs) };
};

/** An interrupted run ended by its own handler (or, in the first few ms, by the signal itself), promptly. */
function expectInterrupted(res: Run, signal: NodeJS.Signals): boolean {
  if (res.code === 0) return false; // finished before the signal arrived
  // Ended by the signal itself: before Node had installed any handler (nothing was done yet), or after the run, while
  // Node was tearing down at exit (libuv has put the default action back by then; the run is whole).
  if (res.signal) expect(res.signal).toBe(signal);
  else {
    expect(res.code, res.stderr).toBe(signal === 'SIGINT' ? 130 : 143);
    expect(res.stderr).toMatch(/\ninterrupted: .+\n$/);
  }
  expect(res.exitMs).toBeLessThan(1000);
  return true;
}

describe('interrupted runs', () => {
  it.each(seeds)(
    'seed %i: expose interrupted at a random point exits at once, says what it applied, and a re-run converges',
    async (seed) => {
      await deleteManaged(ns);
      const signal = moment(seed, span.expose);
      const started = Date.now();
      const res = await runPlugin(expose, { kubeconfig: slow, signal });
      if (!expectInterrupted(res, signal.name)) shorten('expose', started);
      else {
        interrupted.expose++;
        const now = await managedServices(ns);
        // What it says it applied is there, whole (the same as an undisturbed run's).
        const said = /interrupted: (\d+) of \d+ services were applied \(([^)]*)\)/.exec(res.stderr);
        for (const name of said ? said[2].split(', ').map((s) => s.split(' ')[0].replace('service/', '')) : []) {
          expect(now[name]).toEqual(reference[name]);
        }
        const finished = res.signal && parseTable(res.stdout).length === 5;
        if (finished) expect(now).toEqual(reference);
        else if (/interrupted: (nothing|no service) was changed/.test(res.stderr) || res.signal) {
          expect(now, `killed by ${res.signal}, exit ${res.code}, stderr: ${res.stderr}`).toEqual({});
        }
      }
      const again = await runPlugin(expose, { kubeconfig: direct });
      expect(again.code, again.stderr).toBe(0);
      expect(await managedServices(ns)).toEqual(reference);
    },
  );

  it.each(seeds)(
    'seed %i: prune interrupted at a random point exits at once, printed only what it deleted, and a re-run converges',
    async (seed) => {
      const setup = await runPlugin(expose, { kubeconfig: direct });
      expect(setup.code, setup.stderr).toBe(0);
      const signal = moment(seed + 100, span.prune);
      const started = Date.now();
      const res = await runPlugin(['prune', 'db', '--all'], { kubeconfig: slow, signal });
      if (!expectInterrupted(res, signal.name)) shorten('prune', started);
      else {
        interrupted.prune++;
        const deleted = res.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => /^service\/(\S+) deleted$/.exec(l)![1]);
        const left = Object.keys(await managedServices(ns));
        for (const name of deleted) expect(left).not.toContain(name);
        if (!res.signal && !res.stderr.includes('interrupted: nothing was changed')) {
          expect(res.stderr).toContain(`interrupted: ${deleted.length} of 5 services were deleted`);
          // Without a deletion in flight, exactly the printed ones are gone.
          if (!res.stderr.includes('may have been deleted')) expect(left).toHaveLength(5 - deleted.length);
        }
      }
      const again = await runPlugin(['prune', 'db', '--all'], { kubeconfig: direct });
      expect(again.code, again.stderr).toBe(0);
      expect(await managedServices(ns)).toEqual({});
    },
  );

  it('most of the seeded moments fell inside the runs', () => {
    expect(interrupted.expose).toBeGreaterThanOrEqual(10);
    expect(interrupted.prune).toBeGreaterThanOrEqual(10);
  });
});
