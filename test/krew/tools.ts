// krew and validate-krew-manifest, built from Go modules at the pinned version into the cache (about 45 s once).
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { goBuild, stderrLog, withLock } from '../cluster/build.ts';
import { cacheRoot, versions } from '../cluster/versions.ts';

export interface KrewTools {
  krew: string;
  validate: string;
}

export async function ensureKrewTools(log = stderrLog): Promise<KrewTools> {
  const dir = join(cacheRoot(), `krew-${versions.krew}`);
  const tools = { krew: join(dir, 'bin', 'krew'), validate: join(dir, 'bin', 'validate-krew-manifest') };
  if (existsSync(tools.krew) && existsSync(tools.validate)) return tools;
  return withLock(dir, log, async () => {
    if (existsSync(tools.krew) && existsSync(tools.validate)) return tools;
    log(`building krew ${versions.krew} and validate-krew-manifest from Go modules (about 45 s, once)…`);
    const out = join(dir, `bin.partial-${process.pid}`);
    mkdirSync(out, { recursive: true });
    await goBuild(
      'krew',
      [
        'install',
        `sigs.k8s.io/krew/cmd/krew@${versions.krew}`,
        `sigs.k8s.io/krew/cmd/validate-krew-manifest@${versions.krew}`,
      ],
      { cwd: dir, env: { GOBIN: out, CGO_ENABLED: '0' } },
      log,
    );
    rmSync(join(dir, 'bin'), { recursive: true, force: true });
    renameSync(out, join(dir, 'bin'));
    return tools;
  });
}
