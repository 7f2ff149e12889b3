// Windows for the tests: the windows/amd64 release binary run under Wine on this Linux machine, against the local
// control plane on 127.0.0.1.
//
// Node 26 needs Wine 10: Debian 12's Wine 8 stops it at start (V8's SegmentedTable cannot reserve its memory: "Fatal
// process out of memory", exit 3, whatever the settings). Debian 13's Wine 10 runs it but needs Debian 13's libc, so
// it lives in a Debian 13 root of its own, made once with debootstrap and cached outside the repository, keyed by the
// Debian release and Wine's major version, together with a Wine prefix booted in it (C:, the registry, the user's
// folders): measured 1 min 32 s and 1.9 GB, once. Debian's wine64 package alone (no recommends) runs the 64-bit
// binary. Needs root (debootstrap, chroot, mounts).
//
// Each command runs in a mount namespace of its own (nothing stays mounted when it ends) with /proc and /dev (Wine
// cannot load without them), a private /tmp (its wineserver's socket), the test's folder at /work, and the prefix
// as an overlay whose changes go to that folder: each test has its own Windows home, and the cached prefix (770 MB,
// too much to copy per test) stays as built.
//
// Wine's pitfalls met here: Node under Wine crashes when stdout or stderr is a pipe (`open EBADF at new Socket`), so
// the command writes to files; WINEDEBUG=-all keeps Wine's `fixme:` lines out of stderr; a wineserver without a
// private XDG_RUNTIME_DIR prints an error line.
import { spawn, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elapsed, type Log, stderrLog, withLock } from '../cluster/build.ts';
import { cacheRoot, versions } from '../cluster/versions.ts';

export interface WineRoot {
  /** The Debian root Wine runs in. */
  root: string;
  /** A booted prefix to copy for each test (inside the root at /prefix). */
  prefix: string;
}

const mirror = () => process.env.EXPOSE_STS_DEBIAN_MIRROR || 'http://deb.debian.org/debian';
const wineDir = () => join(cacheRoot(), 'toolchain', `wine-${versions.wine}_debian-${versions.wineDebian}`);
/** Where Wine is: Debian's wine64 package puts the loader here (its /usr/bin/wine wants 32-bit Wine too). */
const wine64 = '/usr/lib/wine/wine64';
const wineserver = '/usr/lib/wine/wineserver';

/**
 * Runs a long, quiet step with its output in a log file and one line every 30 s saying what it is doing (its log's
 * last line), so a first build does not read as a hang. On failure the error quotes the log's end.
 */
function step(label: string, cmd: string, args: string[], logFile: string, log: Log): Promise<void> {
  const started = Date.now();
  log(`  ${label}…`);
  return new Promise((resolve, reject) => {
    const out = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = '';
    for (const s of [child.stdout, child.stderr]) {
      s.on('data', (d: Buffer) => {
        out.write(d);
        last = d.toString().trimEnd().split('\n').pop() || last;
      });
    }
    const timer = setInterval(() => log(`    ${label}: ${elapsed(started)}… (${last.slice(0, 100)})`), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      out.end();
      if (code === 0) {
        log(`  ${label}: done in ${elapsed(started)}`);
        resolve();
      } else {
        const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-10).join('\n');
        reject(new Error(`${label} failed (exit ${code}; log ${logFile}):\n${tail}`));
      }
    });
  });
}

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * A shell script run in the root as root, in a mount namespace of its own with /proc, /dev and a private /tmp, and
 * `mounts` (more mount commands, paths on this machine).
 */
function inRoot(root: string, script: string, mounts: string[] = []): [string, string[]] {
  const all = [
    `mount -t proc proc ${q(join(root, 'proc'))}`,
    `mount --rbind /dev ${q(join(root, 'dev'))}`,
    `mount -t tmpfs tmpfs ${q(join(root, 'tmp'))}`,
    ...mounts,
  ];
  return [
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-ec',
      `${all.join(' && ')} && exec chroot ${q(root)} /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root sh -ec ${q(script)}`,
    ],
  ];
}

const wineEnv = (prefix: string) =>
  `export WINEPREFIX=${prefix} WINEDEBUG=-all XDG_RUNTIME_DIR=/tmp/xdg USER=root; mkdir -p -m 700 /tmp/xdg`;

/** Wine 10 in a Debian root with a booted prefix, built once (needs root, debootstrap and the Debian mirror). */
export async function ensureWine(log: Log = stderrLog): Promise<WineRoot> {
  const dir = wineDir();
  const built: WineRoot = { root: join(dir, 'root'), prefix: join(dir, 'root', 'prefix') };
  if (existsSync(join(dir, 'complete'))) return built;
  return withLock(dir, log, async () => {
    if (existsSync(join(dir, 'complete'))) return built;
    if (process.getuid?.() !== 0) {
      throw new Error('the Windows tests need root to build their Debian root for Wine (debootstrap, chroot, mount)');
    }
    const started = Date.now();
    log(
      `building Wine ${versions.wine} in a Debian ${versions.wineDebian} root for the Windows tests into ${dir}\n` +
        'the first build takes about 1.5 minutes and 1.9 GB; later runs reuse it',
    );
    mkdirSync(dir, { recursive: true });
    const logFile = join(dir, 'build.log');
    if (spawnSync('sh', ['-c', 'command -v debootstrap']).status !== 0) {
      await step(
        'debootstrap (apt-get install)',
        'sh',
        ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap'],
        logFile,
        log,
      );
    }
    const partial = join(dir, `root.partial-${process.pid}`);
    rmSync(partial, { recursive: true, force: true });
    await step(
      `Debian ${versions.wineDebian} root (debootstrap --variant=minbase, ≈ 40 s)`,
      'debootstrap',
      ['--variant=minbase', versions.wineDebian, partial, mirror()],
      logFile,
      log,
    );
    await step(
      `Wine ${versions.wine} (apt-get install wine64 in that root, ≈ 45 s)`,
      ...inRoot(
        partial,
        'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends wine64 && apt-get clean',
      ),
      logFile,
      log,
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's field syntax, not a template
    const installed = spawnSync('chroot', [partial, 'dpkg-query', '-W', '-f', '${Version}', 'wine64'], {
      encoding: 'utf8',
    }).stdout;
    if (!installed.startsWith(`${versions.wine}.`)) {
      throw new Error(`Debian ${versions.wineDebian} installed wine64 ${installed}, not Wine ${versions.wine}`);
    }
    await step(
      'a Wine prefix (wineboot --init, ≈ 10 s)',
      ...inRoot(partial, `${wineEnv('/prefix')}; ${wine64} wineboot --init; ${wineserver} -w`),
      logFile,
      log,
    );
    for (const mountPoint of ['work', 'wineprefix']) mkdirSync(join(partial, mountPoint));
    rmSync(built.root, { recursive: true, force: true });
    renameSync(partial, built.root);
    writeFileSync(
      join(dir, 'complete'),
      `${JSON.stringify({ debian: versions.wineDebian, wine64: installed, seconds: Math.round((Date.now() - started) / 1000) })}\n`,
    );
    log(`Wine built in ${elapsed(started)}`);
    return built;
  });
}

export interface WindowsResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A Windows machine for one test: a folder (`/work` inside the root, `Z:\work` to Windows) holding its own copy of
 * the prefix, where the test puts the programs and files it runs.
 */
export class WindowsHost {
  readonly work: string;
  private readonly changes: string;
  private readonly wine: WineRoot;
  constructor(wine: WineRoot) {
    this.wine = wine;
    this.work = mkdtempSync(join(tmpdir(), 'expose-sts-windows-'));
    this.changes = mkdtempSync(join(tmpdir(), 'expose-sts-wineprefix-'));
    for (const d of ['upper', 'work']) mkdirSync(join(this.changes, d));
  }

  /**
   * The Windows user's profile folder (USERPROFILE, C:\users\root) as a path on this machine, to put files in
   * before a run (they land in the overlay's upper layer).
   */
  get userProfile(): string {
    return join(this.changes, 'upper', 'drive_c', 'users', 'root');
  }

  /**
   * Runs a Windows program (a path as Windows sees it, e.g. `Z:\work\bin\x.exe`) with the environment given and
   * nothing else of this process's, in `cwd` (a path inside the root; Windows sees it under Z:).
   */
  run(program: string, args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): WindowsResult {
    const env = Object.entries(opts.env ?? {})
      .map(([k, v]) => `export ${k}=${q(v)}`)
      .join('; ');
    // -p0: the wineserver ends with its last client, so `wineserver -w` returns at once and nothing outlives the
    // namespace.
    const script = [
      wineEnv('/wineprefix'),
      env || ':',
      `${wineserver} -p0`,
      `cd ${q(opts.cwd ?? '/work')}`,
      `set +e; ${wine64} ${[program, ...args].map(q).join(' ')} >/work/.stdout 2>/work/.stderr; code=$?`,
      `${wineserver} -w; exit $code`,
    ].join('\n');
    const { root, prefix } = this.wine;
    const [cmd, cmdArgs] = inRoot(root, script, [
      `mount --bind ${q(this.work)} ${q(join(root, 'work'))}`,
      `mount -t overlay overlay -o ${q(`lowerdir=${prefix},upperdir=${this.changes}/upper,workdir=${this.changes}/work`)} ${q(join(root, 'wineprefix'))}`,
    ]);
    const res = spawnSync(cmd, cmdArgs, { encoding: 'utf8', timeout: 120_000 });
    const read = (f: string) => (existsSync(join(this.work, f)) ? readFileSync(join(this.work, f), 'utf8') : '');
    if (res.error) throw res.error;
    if (res.stderr.trim()) throw new Error(`running Wine failed: ${res.stderr.trim()}`);
    return { code: res.status, stdout: read('.stdout'), stderr: read('.stderr') };
  }

  dispose(): void {
    for (const d of [this.work, this.changes]) rmSync(d, { recursive: true, force: true });
  }
}
