// The one place the control plane's versions are pinned. build/go.mod must agree with it (build.ts checks, and
// test/unit/cluster-versions.test.ts fails when they drift); changing a version here changes the cache key, so the
// next run rebuilds instead of reusing binaries of the old version.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const versions = {
  kubernetes: 'v1.37.2',
  etcd: 'v3.7.0',
  kwok: 'v0.8.0',
  /** MetalLB's controller, the local cluster's load balancer (test/cluster/metallb.ts). */
  metallb: 'v0.16.2',
  /** What MetalLB is built against: v0.0.27, which it requires, is not served here; see test/cluster/metallb/go.mod. */
  frrK8s: 'v0.0.26',
  /** For the DNS tests only (test/cluster/dns.ts): v0.21.0 is the newest that builds from the module proxy here. */
  externalDns: 'v0.21.0',
  coredns: 'v1.15.0',
  /** Traefik, the Gateway API controller of the Gateway mode's tests (test/cluster/traefik.ts), and what its build
   * writes in place of modules refused here: copies of lego and of upstream go-http-auth, as its go.mod pins them. */
  traefik: 'v3.7.13',
  lego: 'v5.4.1',
  goHttpAuth: 'v0.4.0',
  /** The Gateway API release Traefik is built with, whose experimental-channel CRDs the local cluster installs. */
  gatewayApi: 'v1.6.1',
  /** krew and its manifest validator, for the distribution tests. */
  krew: 'v0.4.3',
  /** Wine's major version and the Debian release it comes from, for the Windows tests (test/wine/wine.ts). */
  wine: '10',
  wineDebian: 'trixie',
} as const;

/** Root of everything this project keeps outside the repository (build outputs, running clusters' records). */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'expose-sts');
}

/**
 * The API server versions the plugin is proven against (`npm run test:compat`): the oldest minor the major managed
 * clouds still support, and the newest, which every other run uses. On 2026-12-05 EKS supports 1.32 in extended
 * support until 2027-03-23 (1.31's ended 2026-11-26), and GKE's extended channel keeps a minor up to 24 months from
 * its Regular-channel release (1.32 too, not 1.31). v1.32.9 is the newest 1.32 patch whose every module the build
 * needs is served by the Go module proxy here (v1.32.13, .12 and .10 each lack one, e.g. k8s.io/endpointslice).
 */
export const supportedKubernetes = { oldest: 'v1.32.9', newest: versions.kubernetes } as const;

/**
 * The Kubernetes version of a run's control plane: EXPOSE_STS_KUBERNETES (test:compat sets it), else the pinned one.
 * Only the server side follows it (kube-apiserver, controller-manager, scheduler): kubectl, etcd and kwok stay pinned,
 * as a user's kubectl is newer than the cluster it reaches.
 */
export function clusterKubernetes(env: NodeJS.ProcessEnv = process.env): string {
  const version = env.EXPOSE_STS_KUBERNETES || versions.kubernetes;
  if (!/^v1\.\d+\.\d+$/.test(version))
    throw new Error(`EXPOSE_STS_KUBERNETES=${version}: give a release such as v1.32.9`);
  return version;
}

export function toolchainDir(env: NodeJS.ProcessEnv = process.env, kubernetes: string = versions.kubernetes): string {
  const key =
    kubernetes === versions.kubernetes
      ? `k8s-${versions.kubernetes}_etcd-${versions.etcd}_kwok-${versions.kwok}`
      : `k8s-${kubernetes}-servers`; // beside the pinned toolchain, whose etcd, kubectl and kwok it uses
  return join(cacheRoot(env), 'toolchain', key);
}

/** MetalLB has a cache directory of its own: its versions change without rebuilding the control plane. */
export function metallbDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'toolchain', `metallb-${versions.metallb}_frr-k8s-${versions.frrK8s}`);
}

/** external-dns and CoreDNS, for the tests that need names: built apart from the control plane. */
export function dnsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'toolchain', `external-dns-${versions.externalDns}_coredns-${versions.coredns}`);
}

/** Traefik and the Gateway API CRDs, for the Gateway mode's tests only: built apart from everything else. */
export function traefikDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'toolchain', `traefik-${versions.traefik}_gateway-api-${versions.gatewayApi}`);
}

export const binaries = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
  'kwok',
] as const;
