// Traefik v3, a Gateway API controller that serves TLSRoute (TLS passthrough by SNI name) and TCPRoute, built from Go
// modules and run out of cluster against the local API server: the real controller the Gateway mode's tests meet.
// Only the tests of that mode and `cluster:up --gateway` need it (6 to 14 min cold on 2 cores): the e2e tests' setup
// builds it before they start, and `cluster:build -- --gateway` alone.
//
// Built in a wrapper module of its own (test/cluster/traefik/), whose go.mod replaces three modules Traefik's own
// go.mod replaces: they are written here, into the build cache beside a copy of that module (see stubs below).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goBuild, moduleDir, stderrLog, withLock, writableCopy } from './build.ts';
import { traefikDir, versions } from './versions.ts';

const wrapperModule = fileURLToPath(new URL('./traefik', import.meta.url));

export interface TraefikBuild {
  dir: string;
  traefik: string;
  /** The Gateway API's experimental-channel CRDs, from the module Traefik is built with (config/crd/experimental). */
  crds: string;
}

export function traefikPaths(dir = traefikDir()): TraefikBuild {
  return { dir, traefik: join(dir, 'bin', 'traefik'), crds: join(dir, 'share', 'crds') };
}

const isBuilt = (t: TraefikBuild) => existsSync(join(t.dir, 'complete')) && existsSync(t.traefik);

/** The version the wrapper module's go.mod requires: it must equal versions.ts (a unit test checks). */
export function requiredTraefik(goMod: string): string | undefined {
  return goMod.match(/^\s*require\s+github\.com\/traefik\/traefik\/v3\s+(v\S+)/m)?.[1];
}

/**
 * What the build writes in place of the three replaced modules, by folder of the copy:
 * - `ext`: Traefik's `./pkg/config/dynamic/ext`, a folder of its repository that its module zip leaves out; its code
 *   embeds two of its types in structs and uses nothing of them, so empty ones compile to the same behaviour;
 * - `lego/providers/dns`: lego's factory of DNS-01 providers imports seven SDKs the module proxy here refuses; the
 *   tests never ask for an ACME certificate, so the factory says it has none;
 * - `go-http-auth`: Traefik's fork of it is refused whole: upstream v0.4.0 (which has no go.mod) plus the two functions
 *   Traefik calls of its fork, for basic and digest auth middlewares the tests never configure.
 */
export const stubs: Record<string, string> = {
  'ext/go.mod': 'module github.com/traefik/traefik/dynamic/ext\n\ngo 1.22\n',
  'ext/ext.go':
    "// Written by expose-sts's build: see test/cluster/traefik.ts.\npackage ext\n\ntype HTTP struct{}\n\ntype Router struct{}\n",
  'lego/providers/dns/zz_gen_dns_providers.go': `// Written by expose-sts's build in place of lego's generated factory: see test/cluster/traefik.ts.
package dns

import (
	"fmt"

	"github.com/go-acme/lego/v5/challenge"
)

func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {
	return nil, fmt.Errorf("DNS-01 provider %q: not in this build", name)
}
`,
  'go-http-auth/go.mod':
    'module github.com/abbot/go-http-auth\n\ngo 1.22\n\nrequire (\n\tgolang.org/x/crypto v0.56.0\n\tgolang.org/x/net v0.58.0\n)\n',
  'go-http-auth/fork.go': `// Written by expose-sts's build: what Traefik calls of its fork, see test/cluster/traefik.ts.
package auth

import (
	"net/http"
	"strings"
)

func CheckSecret(password, secret string) bool {
	compare := compareFuncs[0].compare
	for _, cmp := range compareFuncs[1:] {
		if strings.HasPrefix(secret, cmp.prefix) {
			compare = cmp.compare
			break
		}
	}
	return compare([]byte(secret), []byte(password)) == nil
}

func (a *DigestAuth) RequireAuthStale(w http.ResponseWriter, r *http.Request) {
	a.RequireAuth(w, r)
}
`,
};

/** Returns Traefik and the Gateway API CRDs, building them if missing (6 to 14 min cold on 2 cores, peak ≈ 3.3 GB). */
export async function ensureTraefik(log = stderrLog): Promise<TraefikBuild> {
  const t = traefikPaths();
  if (isBuilt(t)) return t;
  return withLock(t.dir, log, async () => {
    if (isBuilt(t)) return t;
    const started = Date.now();
    const required = requiredTraefik(readFileSync(join(wrapperModule, 'go.mod'), 'utf8'));
    if (required !== versions.traefik)
      throw new Error(`test/cluster/traefik/go.mod requires Traefik ${required}, versions.ts pins ${versions.traefik}`);
    log(`  Traefik ${versions.traefik} (three modules replaced in the build cache): go build (6 to 14 min cold)…`);
    // One folder for every attempt (the lock makes it ours): Go's build cache keys packages by their folder, so a build
    // that was interrupted resumes from what it compiled.
    const src = join(t.dir, 'src');
    rmSync(src, { recursive: true, force: true });
    mkdirSync(src, { recursive: true });
    for (const f of ['go.mod', 'go.sum', 'tools.go']) cpSync(join(wrapperModule, f), join(src, f));
    writableCopy(await moduleDir(`github.com/go-acme/lego/v5@${versions.lego}`, src), join(src, 'lego'));
    writableCopy(
      await moduleDir(`github.com/abbot/go-http-auth@${versions.goHttpAuth}`, src),
      join(src, 'go-http-auth'),
    );
    rmSync(join(src, 'go-http-auth', 'examples'), { recursive: true, force: true });
    for (const [file, text] of Object.entries(stubs)) {
      mkdirSync(join(src, file, '..'), { recursive: true });
      writeFileSync(join(src, file), text);
    }

    mkdirSync(join(t.dir, 'bin'), { recursive: true });
    const out = `${t.traefik}.partial-${process.pid}`;
    await goBuild(
      'Traefik',
      ['build', '-trimpath', '-ldflags', '-s -w', '-o', out, 'github.com/traefik/traefik/v3/cmd/traefik'],
      { cwd: src, env: { CGO_ENABLED: '0', GOFLAGS: `${process.env.GOFLAGS ?? ''} -buildvcs=false`.trim() } },
      log,
    );
    renameSync(out, t.traefik);

    // The CRDs ship as files in the Gateway API's module: copied now, so starting Traefik never needs Go.
    const crds = join(
      await moduleDir(`sigs.k8s.io/gateway-api@${versions.gatewayApi}`, src),
      'config',
      'crd',
      'experimental',
    );
    rmSync(t.crds, { recursive: true, force: true });
    mkdirSync(t.crds, { recursive: true });
    // Only the CRDs of the gateway.networking.k8s.io group (not its admission policy, not the x-k8s.io kinds).
    const isCrd = (f: string) => f.startsWith('gateway.networking.k8s.io_') && !f.includes('_vap_');
    for (const f of readdirSync(crds).filter(isCrd)) cpSync(join(crds, f), join(t.crds, f));
    rmSync(src, { recursive: true, force: true });
    const seconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(
      join(t.dir, 'complete'),
      `${JSON.stringify({ versions, builtAt: new Date().toISOString(), seconds })}\n`,
    );
    log(`  done in ${seconds} s`);
    return t;
  });
}
