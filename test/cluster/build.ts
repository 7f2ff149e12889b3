// Builds the control-plane binaries from Go modules into a cache outside the repository, keyed by the pinned versions,
// so a clean clone builds them once per machine and every later run starts in seconds.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binaries, toolchainDir, versions } from './versions.ts';
import { isAlive, sleep } from './process.ts';

export const wrapperModuleDir = fileURLToPath(new URL('./build', import.meta.url));

export interface Toolchain {
  dir: string;
  bin: string;
  /** kwok's own Stage definitions (node, pod and volume lifecycles), joined into one config file. */
  stages: string;
  /** kwok's default StorageClass, so volumeClaimTemplates get Bound PVCs. */
  storageClass: string;
}

type Log = (line: string) => void;
export const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);

export function toolchainPaths(dir = toolchainDir()): Toolchain {
  return {
    dir,
    bin: join(dir, 'bin'),
    stages: join(dir, 'share', 'kwok-stages.yaml'),
    storageClass: join(dir, 'share', 'storage-class.yaml'),
  };
}

export function isBuilt(t: Toolchain): boolean {
  return existsSync(join(t.dir, 'complete')) && binaries.every((b) => existsSync(join(t.bin, b)));
}

/** The versions build/go.mod requires; they must equal versions.ts or the cache key would lie about what it holds. */
export function goModVersions(goMod: string): { kubernetes?: string; etcd?: string } {
  const required = (mod: string) =>
    goMod.match(new RegExp(`^\\s*(?:require\\s+)?${mod.replace(/[./]/g, '\\$&')}\\s+(v\\S+)`, 'm'))?.[1];
  return { kubernetes: required('k8s.io/kubernetes'), etcd: required('go.etcd.io/etcd/server/v3') };
}

function checkWrapperModule(): void {
  const found = goModVersions(readFileSync(join(wrapperModuleDir, 'go.mod'), 'utf8'));
  if (found.kubernetes !== versions.kubernetes || found.etcd !== versions.etcd) {
    throw new Error(
      `test/cluster/build/go.mod requires kubernetes ${found.kubernetes} and etcd ${found.etcd}, but versions.ts pins ` +
        `${versions.kubernetes} and ${versions.etcd}: update go.mod (see test/cluster/README.md)`,
    );
  }
}

export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    // Go's own messages go to our stderr: stdout stays clean for `eval "$(npm run -s cluster:up)"`.
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 2],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    child.on('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message} (is Go installed and on PATH?)`)));
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd} ${args.slice(0, 2).join(' ')} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

function versionLdflags(): string {
  const [, major, minor] = versions.kubernetes.match(/^v(\d+)\.(\d+)/)!;
  const flags = ['-s', '-w'];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    flags.push(
      `-X ${pkg}.gitVersion=${versions.kubernetes}`,
      `-X ${pkg}.gitMajor=${major}`,
      `-X ${pkg}.gitMinor=${minor}`,
    );
  }
  return flags.join(' ');
}

export async function withLock<T>(dir: string, log: Log, fn: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  mkdirSync(join(dir, '..'), { recursive: true });
  for (let announced = false; ; ) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSafe(join(lock, 'pid')));
      if (!holder || !isAlive(holder)) {
        rmSync(lock, { recursive: true, force: true }); // a build that crashed must not block the next one
        continue;
      }
      if (!announced) log(`waiting for another build of the control plane (pid ${holder})…`);
      announced = true;
      await sleep(2000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

const kwokStageFiles = [
  'node/fast/node-initialize.yaml',
  'node/heartbeat/node-heartbeat.yaml',
  'pod/fast/pod-ready.yaml',
  'pod/fast/pod-complete.yaml',
  'pod/fast/pod-delete.yaml',
  'volume/fast/pvc-provision.yaml',
  'volume/fast/pv-bind.yaml',
  'volume/fast/pv-delete.yaml',
  'volume/fast/pvc-delete.yaml',
];

/** Returns the toolchain, building whatever part of it is missing. Progress goes to stderr. */
export async function ensureToolchain(log: Log = stderrLog): Promise<Toolchain> {
  const t = toolchainPaths();
  if (isBuilt(t)) return t;
  return withLock(t.dir, log, async () => {
    if (isBuilt(t)) return t; // another process finished it while we waited
    checkWrapperModule();
    const started = Date.now();
    log(
      `building the local control plane (Kubernetes ${versions.kubernetes}, etcd ${versions.etcd}, kwok ${versions.kwok}) into ${t.dir}\n` +
        'the first build takes about 10 minutes on 2 cores (with MetalLB) and about 7 GB of Go caches; later runs reuse it',
    );
    mkdirSync(t.bin, { recursive: true });
    mkdirSync(join(t.dir, 'share'), { recursive: true });
    const goEnv = { CGO_ENABLED: '0', GOFLAGS: `${process.env.GOFLAGS ?? ''} -buildvcs=false`.trim() };

    if (
      !['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'etcd'].every((b) =>
        existsSync(join(t.bin, b)),
      )
    ) {
      const step = Date.now();
      log('  kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd: go build (≈ 9 min cold)…');
      const out = join(t.dir, `bin.partial-${process.pid}`);
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out);
      await run(
        'go',
        [
          'build',
          '-trimpath',
          '-tags',
          'selinux,notest',
          '-ldflags',
          versionLdflags(),
          '-o',
          `${out}/`,
          'k8s.io/kubernetes/cmd/kube-apiserver',
          'k8s.io/kubernetes/cmd/kube-controller-manager',
          'k8s.io/kubernetes/cmd/kube-scheduler',
          'k8s.io/kubernetes/cmd/kubectl',
          'go.etcd.io/etcd/server/v3',
        ],
        { cwd: wrapperModuleDir, env: goEnv },
      );
      renameSync(join(out, 'server'), join(t.bin, 'etcd')); // etcd's main package is the module root, named "server"
      for (const b of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'])
        renameSync(join(out, b), join(t.bin, b));
      rmSync(out, { recursive: true, force: true });
      log(`  done in ${Math.round((Date.now() - step) / 1000)} s`);
    }

    if (!existsSync(join(t.bin, 'kwok'))) {
      const step = Date.now();
      log(`  kwok: go install sigs.k8s.io/kwok/cmd/kwok@${versions.kwok} (≈ 2 min cold)…`);
      const out = join(t.dir, `kwok.partial-${process.pid}`);
      mkdirSync(out, { recursive: true });
      await run('go', ['install', `sigs.k8s.io/kwok/cmd/kwok@${versions.kwok}`], {
        cwd: t.dir,
        env: { ...goEnv, GOBIN: out },
      });
      renameSync(join(out, 'kwok'), join(t.bin, 'kwok'));
      rmSync(out, { recursive: true, force: true });
      log(`  done in ${Math.round((Date.now() - step) / 1000)} s`);
    }

    // kwok ships its Stage definitions as files in its module, not in the binary: take them from the module cache now
    // so that starting a cluster never needs Go.
    const info = JSON.parse(
      await run('go', ['mod', 'download', '-json', `sigs.k8s.io/kwok@${versions.kwok}`], { cwd: t.dir }),
    ) as { Dir: string };
    const stageDir = join(info.Dir, 'kustomize', 'stage');
    writeFileSync(
      t.stages,
      `${kwokStageFiles.map((f) => readFileSync(join(stageDir, f), 'utf8').trim()).join('\n---\n')}\n`,
    );
    writeFileSync(t.storageClass, readFileSync(join(stageDir, 'volume/fast/storage-class.yaml')));

    writeFileSync(
      join(t.dir, 'complete'),
      `${JSON.stringify({ versions, builtAt: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000) })}\n`,
    );
    log(`control plane built in ${Math.round((Date.now() - started) / 1000)} s`);
    return t;
  });
}
