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
  /** krew and its manifest validator, for the distribution tests. */
  krew: 'v0.4.3',
} as const;

/** Root of everything this project keeps outside the repository (build outputs, running clusters' records). */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'expose-sts');
}

function toolchainKey(): string {
  return `k8s-${versions.kubernetes}_etcd-${versions.etcd}_kwok-${versions.kwok}`;
}

export function toolchainDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'toolchain', toolchainKey());
}

/** MetalLB has a cache directory of its own: its versions change without rebuilding the control plane. */
export function metallbDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'toolchain', `metallb-${versions.metallb}_frr-k8s-${versions.frrK8s}`);
}

/** external-dns and CoreDNS, for the tests that need names: built apart from the control plane. */
export function dnsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'toolchain', `external-dns-${versions.externalDns}_coredns-${versions.coredns}`);
}

export const binaries = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
  'kwok',
] as const;
