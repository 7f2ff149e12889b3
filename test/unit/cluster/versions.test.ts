import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goModVersions, wrapperModuleDir } from '../../cluster/build.ts';
import { patchFrrK8s, requiredMetallb } from '../../cluster/metallb.ts';
import { requiredTraefik, stubs } from '../../cluster/traefik.ts';
import {
  cacheRoot,
  clusterKubernetes,
  metallbDir,
  supportedKubernetes,
  toolchainDir,
  traefikDir,
  versions,
} from '../../cluster/versions.ts';

describe('control-plane versions', () => {
  it('are the same in versions.ts and the Go wrapper module that builds them', () => {
    const goMod = readFileSync(join(wrapperModuleDir, 'go.mod'), 'utf8');
    expect(goModVersions(goMod)).toEqual({ kubernetes: versions.kubernetes, etcd: versions.etcd });
  });
  it('replace every staging module of k8s.io/kubernetes with the matching published tag', () => {
    const goMod = readFileSync(join(wrapperModuleDir, 'go.mod'), 'utf8');
    const staging = versions.kubernetes.replace(/^v1\./, 'v0.');
    const replaced = [...goMod.matchAll(/^replace (k8s\.io\/\S+) => (k8s\.io\/\S+) (v\S+)$/gm)];
    expect(replaced.length).toBeGreaterThan(20);
    for (const [, from, to, version] of replaced) {
      expect(to).toBe(from);
      expect(version).toBe(staging);
    }
  });
  it('key the cache outside the repository, so a version change rebuilds', () => {
    const dir = toolchainDir({ XDG_CACHE_HOME: '/c' });
    expect(dir).toBe(`/c/expose-sts/toolchain/k8s-${versions.kubernetes}_etcd-${versions.etcd}_kwok-${versions.kwok}`);
    expect(cacheRoot({ XDG_CACHE_HOME: '/c' })).toBe('/c/expose-sts');
  });
  it('run the API server at EXPOSE_STS_KUBERNETES when set, another release in a cache folder of its own', () => {
    expect(clusterKubernetes({})).toBe(versions.kubernetes);
    expect(clusterKubernetes({ EXPOSE_STS_KUBERNETES: supportedKubernetes.oldest })).toBe(supportedKubernetes.oldest);
    expect(() => clusterKubernetes({ EXPOSE_STS_KUBERNETES: '1.32' })).toThrow(/give a release such as v1\.32\.9/);
    expect(toolchainDir({ XDG_CACHE_HOME: '/c' }, 'v1.32.9')).toBe('/c/expose-sts/toolchain/k8s-v1.32.9-servers');
    expect(toolchainDir({ XDG_CACHE_HOME: '/c' }, versions.kubernetes)).toBe(toolchainDir({ XDG_CACHE_HOME: '/c' }));
  });
  it('support the newest minor and one the clouds still support, older than it', () => {
    expect(supportedKubernetes.newest).toBe(versions.kubernetes);
    const minor = (v: string) => Number(v.split('.')[1]);
    expect(minor(supportedKubernetes.oldest)).toBeLessThan(minor(supportedKubernetes.newest));
  });
  it('reads requirements from a go.mod in either form', () => {
    expect(goModVersions('require k8s.io/kubernetes v1.2.3\n')).toEqual({ kubernetes: 'v1.2.3', etcd: undefined });
    expect(goModVersions('require (\n\tgo.etcd.io/etcd/server/v3 v3.9.9\n)\n')).toEqual({
      kubernetes: undefined,
      etcd: 'v3.9.9',
    });
  });
});

describe('MetalLB', () => {
  const goMod = readFileSync(join(wrapperModuleDir, '..', 'metallb', 'go.mod'), 'utf8');
  it('is the version versions.ts pins, in a wrapper module and a cache directory of its own', () => {
    expect(requiredMetallb(goMod)).toBe(versions.metallb);
    expect(goMod).toMatch(/^replace github\.com\/metallb\/frr-k8s => \.\/frr-k8s$/m); // the patched copy, made at build time
    expect(metallbDir({ XDG_CACHE_HOME: '/c' })).toBe(
      `/c/expose-sts/toolchain/metallb-${versions.metallb}_frr-k8s-${versions.frrK8s}`,
    );
  });
  it('gets the one field it needs added to frr-k8s, and refuses a file it does not recognise', () => {
    const types =
      'type Advertise struct {\n\tPrefixesWithCommunity []CommunityPrefixes `json:"withCommunity,omitempty"`\n}\n';
    expect(patchFrrK8s(types)).toContain(
      '\tPrefixesWithAsPathPrepend []AsPathPrependPrefixes `json:"withAsPathPrepend,omitempty"`\n}\n',
    );
    expect(() => patchFrrK8s('type Advertise struct {}\n')).toThrow(/not as expected/);
  });
});

describe('Traefik', () => {
  const goMod = readFileSync(join(wrapperModuleDir, '..', 'traefik', 'go.mod'), 'utf8');
  const required = (mod: string) => goMod.match(new RegExp(`^\\s+${mod.replace(/[./]/g, '\\$&')} (v\\S+)`, 'm'))?.[1];
  it('is the version versions.ts pins, in a wrapper module and a cache directory of its own', () => {
    expect(requiredTraefik(goMod)).toBe(versions.traefik);
    expect(traefikDir({ XDG_CACHE_HOME: '/c' })).toBe(
      `/c/expose-sts/toolchain/traefik-${versions.traefik}_gateway-api-${versions.gatewayApi}`,
    );
  });
  it('replaces exactly the modules the build writes, with the versions its copies are of', () => {
    const local = [...goMod.matchAll(/^\t(\S+) => \.\/(\S+)$/gm)].map((m) => m[2]).sort();
    const written = [...new Set(Object.keys(stubs).map((f) => f.split('/')[0]))].sort();
    expect(local).toEqual(written);
    expect(required('github.com/go-acme/lego/v5')).toBe(versions.lego);
    expect(required('sigs.k8s.io/gateway-api')).toBe(versions.gatewayApi);
    // go-http-auth's go.mod, as the build writes it, requires what the wrapper module resolved.
    for (const mod of ['golang.org/x/crypto', 'golang.org/x/net'])
      expect(stubs['go-http-auth/go.mod']).toContain(`${mod} ${required(mod)}`);
  });
});
