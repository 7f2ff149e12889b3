// MetalLB's controller, the load balancer bare-metal clusters run, built from Go modules and run out of cluster: it
// gives unclassed LoadBalancer Services addresses from IPAddressPools, as it does for users (its speaker, which
// announces the addresses on a network, is not needed here: nothing dials them).
//
// Built in a wrapper module of its own (test/cluster/metallb/; adding it to the control plane's would upgrade grpc
// and protobuf under the Kubernetes binaries), into its own cache directory keyed by its versions.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goBuild, moduleDir, stderrLog, withLock, writableCopy } from './build.ts';
import { metallbDir, versions } from './versions.ts';

const wrapperModule = fileURLToPath(new URL('./metallb', import.meta.url));

export interface MetallbBuild {
  dir: string;
  controller: string;
  /** MetalLB's CustomResourceDefinitions, from its module (config/crd/bases). */
  crds: string;
}

export function metallbPaths(dir = metallbDir()): MetallbBuild {
  return { dir, controller: join(dir, 'bin', 'metallb-controller'), crds: join(dir, 'share', 'crds') };
}

const isBuilt = (m: MetallbBuild) => existsSync(join(m.dir, 'complete')) && existsSync(m.controller);

/** The versions the wrapper module's go.mod requires: they must equal versions.ts (a unit test checks). */
export function requiredMetallb(goMod: string): string | undefined {
  return goMod.match(/^\s*require\s+go\.universe\.tf\/metallb\s+(v\S+)/m)?.[1];
}

/**
 * frr-k8s v0.0.26 with what MetalLB v0.16.2 needs of v0.0.27 to compile: the type AsPathPrependPrefixes and the field
 * Advertise.PrefixesWithAsPathPrepend (as in v0.0.27's api/v1beta1). The controller never uses them at run time;
 * they exist for the speaker's BGP configuration. Written into the copy in the build cache only.
 */
export function patchFrrK8s(typesGo: string): string {
  const anchor = '\tPrefixesWithCommunity []CommunityPrefixes `json:"withCommunity,omitempty"`\n}';
  if (!typesGo.includes(anchor)) {
    throw new Error(
      `frr-k8s ${versions.frrK8s}: api/v1beta1/frrconfiguration_types.go is not as expected; cannot patch`,
    );
  }
  return typesGo.replace(
    anchor,
    `${anchor.slice(0, -1)}\n\t// Added by expose-sts's build (from frr-k8s v0.0.27).\n` +
      '\tPrefixesWithAsPathPrepend []AsPathPrependPrefixes `json:"withAsPathPrepend,omitempty"`\n}',
  );
}

const asPathPrependGo = `// Added by expose-sts's build (from frr-k8s v0.0.27): see test/cluster/metallb.ts.
package v1beta1

type AsPathPrependPrefixes struct {
	Prefixes      []string \`json:"prefixes,omitempty"\`
	AsPathPrepend uint8    \`json:"asPathPrepend,omitempty"\`
}
`;

/** Returns MetalLB's controller and CRDs, building them if missing (≈ 4 min cold on 2 cores). */
export async function ensureMetallb(log = stderrLog): Promise<MetallbBuild> {
  const m = metallbPaths();
  if (isBuilt(m)) return m;
  return withLock(m.dir, log, async () => {
    if (isBuilt(m)) return m;
    const started = Date.now();
    const goMod = readFileSync(join(wrapperModule, 'go.mod'), 'utf8');
    if (requiredMetallb(goMod) !== versions.metallb) {
      throw new Error(
        `test/cluster/metallb/go.mod requires MetalLB ${requiredMetallb(goMod)}, versions.ts pins ${versions.metallb}`,
      );
    }
    log(`  MetalLB ${versions.metallb} controller (frr-k8s ${versions.frrK8s}, patched): go build (≈ 4 min cold)…`);
    const src = join(m.dir, `src.partial-${process.pid}`);
    rmSync(src, { recursive: true, force: true });
    mkdirSync(src, { recursive: true });
    for (const f of ['go.mod', 'go.sum', 'tools.go']) cpSync(join(wrapperModule, f), join(src, f));
    const frr = join(src, 'frr-k8s');
    writableCopy(await moduleDir(`github.com/metallb/frr-k8s@${versions.frrK8s}`, src), frr);
    const api = join(frr, 'api', 'v1beta1');
    const types = join(api, 'frrconfiguration_types.go');
    writeFileSync(types, patchFrrK8s(readFileSync(types, 'utf8')));
    writeFileSync(join(api, 'zz_aspathprepend.go'), asPathPrependGo);

    mkdirSync(join(m.dir, 'bin'), { recursive: true });
    const out = `${m.controller}.partial-${process.pid}`;
    await goBuild(
      'MetalLB',
      ['build', '-trimpath', '-ldflags', '-s -w', '-o', out, 'go.universe.tf/metallb/controller'],
      { cwd: src, env: { CGO_ENABLED: '0', GOFLAGS: `${process.env.GOFLAGS ?? ''} -buildvcs=false`.trim() } },
      log,
    );
    renameSync(out, m.controller);

    // The CRDs ship as files in MetalLB's module: copied now, so starting a cluster never needs Go.
    const bases = join(await moduleDir(`go.universe.tf/metallb@${versions.metallb}`, src), 'config', 'crd', 'bases');
    rmSync(m.crds, { recursive: true, force: true });
    mkdirSync(m.crds, { recursive: true });
    for (const f of readdirSync(bases)) cpSync(join(bases, f), join(m.crds, f));
    rmSync(src, { recursive: true, force: true });
    const seconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(
      join(m.dir, 'complete'),
      `${JSON.stringify({ versions, builtAt: new Date().toISOString(), seconds })}\n`,
    );
    log(`  done in ${seconds} s`);
    return m;
  });
}
