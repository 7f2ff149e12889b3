// Everything the e2e and reliability tests use, built before the first test starts (vitest's global setup), with its
// progress on stderr: the control plane (and the run's other Kubernetes release, for test:compat), MetalLB, the DNS
// tools, krew, Traefik, Wine and the release archives. On a machine with empty caches that is most of a first run; a
// test that built on its own would spend its time limit on it, or on waiting for another test's build.
import type { Archives } from '../dist/archives.ts';
import { ensureKrewTools } from '../krew/tools.ts';
import type { WineRoot } from '../wine/wine.ts';
import { elapsed, ensureToolchain, stderrLog } from './build.ts';
import { ensureDnsTools } from './dns.ts';
import { ensureMetallb } from './metallb.ts';
import { ensureTraefik } from './traefik.ts';
import { versions } from './versions.ts';

export async function buildForTests(
  kubernetes: string,
  log = stderrLog,
): Promise<{ archives: Archives; wine: WineRoot }> {
  const started = Date.now();
  let built = false;
  const say = (line: string) => {
    built = true;
    log(line);
  };
  // The Go builds share the CPUs one after the other; Wine's root (mostly downloads) and the archives (mostly
  // compression) go on beside them.
  const goBuilds = async () => {
    await ensureToolchain(say);
    if (kubernetes !== versions.kubernetes) await ensureToolchain(say, kubernetes);
    await ensureMetallb(say);
    await ensureDnsTools(say);
    await ensureKrewTools(say);
    await ensureTraefik(say); // the Gateway mode's tests (test/e2e/gateway/)
  };
  const [, wine, archives] = await Promise.all([
    goBuilds(),
    import('../wine/wine.ts').then((w) => w.ensureWine(say)),
    import('../dist/archives.ts').then((a) => a.ensureArchives(say)),
  ]);
  if (built) log(`everything the tests need is built (${elapsed(started)}); the tests start now`);
  return { archives, wine };
}
