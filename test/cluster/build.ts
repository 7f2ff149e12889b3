// Builds the control-plane binaries from Go modules into a cache outside the repository, keyed by the pinned versions,
// so a clean clone builds them once per machine and every later run starts in seconds.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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

export type Log = (line: string) => void;
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
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; stderrLine?: (line: string) => void } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    // Go's own messages go to our stderr: stdout stays clean for `eval "$(npm run -s cluster:up)"`.
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', opts.stderrLine ? 'pipe' : 2],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    if (opts.stderrLine) createInterface({ input: child.stderr! }).on('line', opts.stderrLine);
    child.on('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message} (is Go installed and on PATH?)`)));
    child.on('close', (code, signal) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd} ${args.slice(0, 2).join(' ')} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

/** Where the module cache holds a module, downloaded if missing: some ship files beside their code (CRDs, stages). */
export async function moduleDir(module: string, cwd: string): Promise<string> {
  return (JSON.parse(await run('go', ['mod', 'download', '-json', module], { cwd })) as { Dir: string }).Dir;
}

/** A copy of a module to patch in a build: the module cache's files and folders are read-only, and so are copies. */
export function writableCopy(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  for (const entry of ['', ...readdirSync(to, { recursive: true, encoding: 'utf8' })]) {
    const path = join(to, entry);
    chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
  }
}

export const elapsed = (since: number) => {
  const s = Math.round((Date.now() - since) / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
};

/**
 * `go build` or `go install` (args start with the verb) with its progress shown: a cold build compiles for minutes
 * without a word, which reads as a hang. With -v Go names each package as it compiles it; every 30 s one line says
 * how many so far. Its other lines (downloads, errors) pass through.
 */
export async function goBuild(
  label: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv },
  log: Log,
): Promise<void> {
  const started = Date.now();
  let compiled = 0;
  const timer = setInterval(() => log(`    ${label}: ${compiled} packages compiled in ${elapsed(started)}…`), 30_000);
  try {
    await run('go', [args[0], '-v', ...args.slice(1)], {
      ...opts,
      // A package path alone on its line is -v's report; anything else is Go talking to the user.
      stderrLine: (line) => (/^[^\s:]+$/.test(line) ? compiled++ : process.stderr.write(`${line}\n`)),
    });
  } finally {
    clearInterval(timer);
  }
}

function versionLdflags(kubernetes: string): string {
  const [, major, minor] = kubernetes.match(/^v(\d+)\.(\d+)/)!;
  const flags = ['-s', '-w'];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    flags.push(`-X ${pkg}.gitVersion=${kubernetes}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`);
  }
  return flags.join(' ');
}

/** The builds this process runs now, by folder: a second caller (two Traefik instances started at once) waits on it. */
const building = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` holding the lock of `dir` (a folder in the build cache): one build of it at a time, across processes and
 * within this one; `fn` checks again whether the build is there, as another may have made it meanwhile.
 */
export async function withLock<T>(dir: string, log: Log, fn: () => Promise<T>): Promise<T> {
  for (let ours = building.get(dir); ours; ours = building.get(dir)) await ours.catch(() => undefined);
  const run = lockedRun(dir, log, fn);
  building.set(dir, run);
  try {
    return await run;
  } finally {
    if (building.get(dir) === run) building.delete(dir);
  }
}

async function lockedRun<T>(dir: string, log: Log, fn: () => Promise<T>): Promise<T> {
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
      if (!announced) log(`waiting for process ${holder}, which is building ${dir}…`);
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

/**
 * Returns the toolchain for a Kubernetes version (by default the pinned one), building whatever part of it is missing.
 * Progress goes to stderr.
 */
export async function ensureToolchain(
  log: Log = stderrLog,
  kubernetes: string = versions.kubernetes,
): Promise<Toolchain> {
  if (kubernetes !== versions.kubernetes) return ensureServers(kubernetes, log);
  const t = toolchainPaths();
  if (isBuilt(t)) return t;
  return withLock(t.dir, log, async () => {
    if (isBuilt(t)) return t; // another process finished it while we waited
    checkWrapperModule();
    const started = Date.now();
    log(
      `building the local control plane (Kubernetes ${versions.kubernetes}, etcd ${versions.etcd}, kwok ${versions.kwok}) into ${t.dir}\n` +
        'the first build takes ≈ 16 min on 2 cores (then MetalLB ≈ 4 min) and about 7 GB of Go caches; later runs reuse it',
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
      log('  kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd: go build (≈ 12 min cold)…');
      const out = join(t.dir, `bin.partial-${process.pid}`);
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out);
      await goBuild(
        'control plane',
        [
          'build',
          '-trimpath',
          '-tags',
          'selinux,notest',
          '-ldflags',
          versionLdflags(versions.kubernetes),
          '-o',
          `${out}/`,
          'k8s.io/kubernetes/cmd/kube-apiserver',
          'k8s.io/kubernetes/cmd/kube-controller-manager',
          'k8s.io/kubernetes/cmd/kube-scheduler',
          'k8s.io/kubernetes/cmd/kubectl',
          'go.etcd.io/etcd/server/v3',
        ],
        { cwd: wrapperModuleDir, env: goEnv },
        log,
      );
      renameSync(join(out, 'server'), join(t.bin, 'etcd')); // etcd's main package is the module root, named "server"
      for (const b of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'])
        renameSync(join(out, b), join(t.bin, b));
      rmSync(out, { recursive: true, force: true });
      log(`  done in ${Math.round((Date.now() - step) / 1000)} s`);
    }

    if (!existsSync(join(t.bin, 'kwok'))) {
      const step = Date.now();
      log(`  kwok: go install sigs.k8s.io/kwok/cmd/kwok@${versions.kwok} (≈ 4 min cold)…`);
      const out = join(t.dir, `kwok.partial-${process.pid}`);
      mkdirSync(out, { recursive: true });
      await goBuild(
        'kwok',
        ['install', `sigs.k8s.io/kwok/cmd/kwok@${versions.kwok}`],
        {
          cwd: t.dir,
          env: { ...goEnv, GOBIN: out },
        },
        log,
      );
      renameSync(join(out, 'kwok'), join(t.bin, 'kwok'));
      rmSync(out, { recursive: true, force: true });
      log(`  done in ${Math.round((Date.now() - step) / 1000)} s`);
    }

    // kwok ships its Stage definitions as files in its module, not in the binary: take them from the module cache now
    // so that starting a cluster never needs Go.
    const stageDir = join(await moduleDir(`sigs.k8s.io/kwok@${versions.kwok}`, t.dir), 'kustomize', 'stage');
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

const serverBinaries = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

/**
 * The wrapper module for another Kubernetes release, written into its cache folder: that release's own go.mod says
 * which staging modules it replaces (each is published as k8s.io/NAME v0.MINOR.PATCH) and its Go language version and
 * GODEBUG defaults, kept so the binaries behave as that release's do.
 */
async function writeServerModule(kubernetes: string, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { GoMod } = JSON.parse(
    await run('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${kubernetes}`], { cwd: dir }),
  ) as { GoMod: string };
  const upstream = readFileSync(GoMod, 'utf8');
  const staging = [...upstream.matchAll(/^\s*(k8s\.io\/[\w.-]+) => \.\/staging\/src\/\1$/gm)].map((m) => m[1]);
  if (staging.length < 20) throw new Error(`k8s.io/kubernetes@${kubernetes}'s go.mod lists no staging modules`);
  const tag = kubernetes.replace(/^v1\./, 'v0.');
  writeFileSync(
    join(dir, 'go.mod'),
    [
      'module expose-sts.test/cluster-servers',
      '',
      upstream.match(/^go \S+$/m)?.[0] ?? 'go 1.22',
      ...(upstream.match(/^godebug .*$/gm) ?? []),
      '',
      `require k8s.io/kubernetes ${kubernetes}`,
      '',
      ...staging.map((m) => `replace ${m} => ${m} ${tag}`),
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'tools.go'),
    `//go:build tools\n\npackage tools\n\nimport (\n${serverBinaries.map((b) => `\t_ "k8s.io/kubernetes/cmd/${b}"\n`).join('')})\n`,
  );
  // Hundreds of "go: downloading" lines say nothing a user needs; anything else Go says (an error) passes through.
  await run('go', ['mod', 'tidy'], {
    cwd: dir,
    stderrLine: (line) => line.startsWith('go: downloading') || process.stderr.write(`${line}\n`),
  });
}

/**
 * Another Kubernetes release's API server, controller manager and scheduler (9 min 36 s for v1.32.9 on 2 cores, its
 * modules downloaded and the pinned release's build cache warm), beside the pinned
 * toolchain whose etcd, kubectl and kwok they run with (symlinked into the same bin folder).
 */
async function ensureServers(kubernetes: string, log: Log): Promise<Toolchain> {
  const pinned = await ensureToolchain(log);
  const t = {
    ...toolchainPaths(toolchainDir(process.env, kubernetes)),
    stages: pinned.stages,
    storageClass: pinned.storageClass,
  };
  if (isBuilt(t)) return t;
  return withLock(t.dir, log, async () => {
    if (isBuilt(t)) return t;
    const started = Date.now();
    log(
      `building the Kubernetes ${kubernetes} control plane (API server, controller manager, scheduler) into ${t.dir}`,
    );
    const module = join(t.dir, 'module');
    await writeServerModule(kubernetes, module);
    const out = join(t.dir, `bin.partial-${process.pid}`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    await goBuild(
      `Kubernetes ${kubernetes}`,
      [
        'build',
        '-trimpath',
        '-tags',
        'selinux,notest',
        '-ldflags',
        versionLdflags(kubernetes),
        '-o',
        `${out}/`,
        ...serverBinaries.map((b) => `k8s.io/kubernetes/cmd/${b}`),
      ],
      { cwd: module, env: { CGO_ENABLED: '0', GOFLAGS: `${process.env.GOFLAGS ?? ''} -buildvcs=false`.trim() } },
      log,
    );
    for (const b of ['etcd', 'kubectl', 'kwok']) symlinkSync(join(pinned.bin, b), join(out, b));
    rmSync(t.bin, { recursive: true, force: true });
    renameSync(out, t.bin);
    writeFileSync(
      join(t.dir, 'complete'),
      `${JSON.stringify({ kubernetes, builtAt: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000) })}\n`,
    );
    log(`Kubernetes ${kubernetes} control plane built in ${elapsed(started)}`);
    return t;
  });
}
