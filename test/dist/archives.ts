// The release archives the tests check and run (darwin signatures, Windows under Wine, krew's install), built once
// per source: into the cache, under a key of everything that goes into their bytes, so the test projects that need
// them share one build (about 2 minutes for all five) and a run with unchanged source builds nothing.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildParts } from '../../.ci/build.ts';
import { buildDist } from '../../.ci/dist.ts';
import type { PlatformArchive } from '../../.ci/manifest.ts';
import { stderrLog, withLock } from '../cluster/build.ts';
import { cacheRoot } from '../cluster/versions.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** What, besides the bundled parts, decides an archive's bytes: how it is packed and signed, and its other files. */
const packing = [
  '.ci/build.ts',
  '.ci/dist.ts',
  '.ci/codesign.ts',
  '.ci/platforms.ts',
  'LICENSE',
  'package.json',
  'package-lock.json',
];

export interface Archives {
  dir: string;
  archives: PlatformArchive[];
}

/** How many sources' archives the cache keeps: the one under test and the latest others. */
const keptSources = 3;

/** The cached sources' folders but the `keep` most recently built. */
function olderThanNewest(root: string, keep: number): string[] {
  if (!existsSync(root)) return [];
  const dirs = readdirSync(root).map((d) => join(root, d));
  return dirs.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs).slice(keep);
}

export async function ensureArchives(log = stderrLog): Promise<Archives> {
  const root = join(cacheRoot(), 'dist');
  return withLock(root, log, async () => {
    const parts = await buildParts();
    const hash = createHash('sha256');
    for (const f of [parts.main, parts.cli, parts.kube, ...packing.map((p) => join(repo, p))]) {
      hash.update(readFileSync(f));
    }
    const key = hash.digest('hex').slice(0, 16);
    const dir = join(root, key);
    const record = join(dir, 'archives.json');
    if (existsSync(record)) return { dir, archives: JSON.parse(readFileSync(record, 'utf8')) as PlatformArchive[] };
    // A few sources' archives at a time (220 MB each): another checkout's test run on this machine (a CI clone beside
    // a working tree) may still be reading its own, and removing them failed its dist, krew and Windows tests.
    for (const old of olderThanNewest(root, keptSources - 1)) rmSync(old, { recursive: true, force: true });
    log(`building the release archives for the tests into ${dir}…`);
    const archives = await buildDist(undefined, dir, parts);
    writeFileSync(record, JSON.stringify(archives, null, 2));
    return { dir, archives };
  });
}
