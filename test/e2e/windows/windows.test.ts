// The windows/amd64 release binary, run under Wine 10 (test/wine/wine.ts) against the run's control plane, beside the
// linux/amd64 binary of the same release build: each command's output is what Linux prints for it. The kubeconfig is
// found as on a Windows machine: in %USERPROFILE%\.kube\config, and through a KUBECONFIG list of Windows paths (`;`
// between them, certificate files relative to the kubeconfig's folder).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { unzipTo } from '../../dist/unzip.ts';
import { WindowsHost } from '../../wine/wine.ts';
import { statefulSet } from '../fixtures.ts';
import { clients, kubectl, newNamespace, parseTable, readyStatefulSet, servicesIn, waitFor } from '../helpers.ts';

const cluster = inject('cluster');
const { dir: dist, archives } = inject('archives');
const archive = (os: string) => archives.find((a) => a.os === os && a.arch === 'amd64')!;
const windows = new WindowsHost(inject('wine'));
const exe = 'Z:\\work\\bin\\kubectl-expose_sts.exe';
/** The Linux side: the same release's linux/amd64 binary, with nothing of this process's environment. */
const linux = mkdtempSync(join(tmpdir(), 'expose-sts-linux-'));
let ns: string;

/** The Windows binary with the environment a Windows shell gives it (USERPROFILE, set by Wine) plus `env`. */
const onWindows = (args: string[], env: Record<string, string> = {}) =>
  windows.run(exe, args, { env: { WINEPATH: 'Z:\\work\\bin', ...env } });
function onLinux(args: string[]) {
  const res = spawnSync(join(linux, 'kubectl-expose_sts'), args, {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', HOME: linux, KUBECONFIG: cluster.kubeconfig },
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

beforeAll(async () => {
  mkdirSync(join(windows.work, 'bin'));
  await unzipTo(join(dist, archive('windows').file), join(windows.work, 'bin'));
  tar.x({ file: join(dist, archive('linux').file), cwd: linux, sync: true });
  ns = await newNamespace('windows');
  await readyStatefulSet(ns, statefulSet('pg', { replicas: 2 }));
}, 300_000);
afterAll(() => windows.dispose());

describe('windows/amd64 under Wine', () => {
  it('prints the version and the help as Linux does', () => {
    for (const args of [['--version'], ['--help']]) {
      const [win, lin] = [onWindows(args), onLinux(args)];
      expect(win.code, win.stderr).toBe(0);
      expect(win.stdout).toBe(lin.stdout);
      expect(win.stderr).toBe('');
    }
  });

  it('refuses a misspelt flag with an error line and exit 2, as on Linux', () => {
    const args = ['pg', '--tpye', 'LoadBalancer'];
    const [win, lin] = [onWindows(args), onLinux(args)];
    expect(win.code).toBe(2);
    // kubectl's shape: `error: …`, then where to read the usage.
    expect(win.stderr).toMatch(/^error: [^\n]+\nSee 'kubectl expose-sts --help' for usage\.\n$/);
    expect([win.stdout, win.stderr]).toEqual([lin.stdout, lin.stderr]);
  });

  it('exposes the StatefulSet with the kubeconfig in %USERPROFILE%\\.kube\\config, the table Linux prints', async () => {
    mkdirSync(join(windows.userProfile, '.kube'), { recursive: true });
    writeFileSync(join(windows.userProfile, '.kube', 'config'), readFileSync(cluster.kubeconfig));
    const args = ['pg', '-n', ns, '--type', 'LoadBalancer', '--load-balancer-source-ranges', '10.0.0.0/8'];
    const first = onWindows(args);
    expect(first.code, first.stderr).toBe(0);
    expect(parseTable(first.stdout).map((r) => [r.SERVICE, /^198\.1[89]\.\d+\.\d+:5432$/.test(r.ENDPOINT)])).toEqual([
      ['pg-0', true],
      ['pg-1', true],
    ]);
    expect([...(await servicesIn(ns)).keys()].sort()).toEqual(['pg-0', 'pg-1']);
    // Both now find the Services as exposed: the same command prints the same table on either system.
    const [again, lin] = [onWindows(args), onLinux(args)];
    expect(again.code, again.stderr).toBe(0);
    expect([again.stdout, again.stderr]).toEqual([lin.stdout, lin.stderr]);
  });

  it('reads status through KUBECONFIG holding Windows paths, with relative certificate files', () => {
    // The admin kubeconfig with its certificates moved into files beside it, named relative to its folder, as
    // kubectl resolves them; the first file in the list does not exist and is skipped, as kubectl skips it.
    const admin = parse(readFileSync(cluster.kubeconfig, 'utf8'));
    const dir = join(windows.userProfile, 'clusters', 'local');
    mkdirSync(join(dir, 'pki'), { recursive: true });
    const moveOut = (o: Record<string, string>, key: string, file: string) => {
      writeFileSync(join(dir, 'pki', file), Buffer.from(o[`${key}-data`], 'base64'));
      delete o[`${key}-data`];
      o[key] = `pki\\${file}`;
    };
    moveOut(admin.clusters[0].cluster, 'certificate-authority', 'ca.crt');
    moveOut(admin.users[0].user, 'client-certificate', 'admin.crt');
    moveOut(admin.users[0].user, 'client-key', 'admin.key');
    writeFileSync(join(dir, 'config.yaml'), stringify(admin));
    const KUBECONFIG = 'Z:\\work\\missing.yaml;C:\\users\\root\\clusters\\local\\config.yaml';

    const args = ['status', 'pg', '-n', ns];
    const [win, lin] = [onWindows(args, { KUBECONFIG }), onLinux(args)];
    expect(win.code, win.stderr).toBe(0);
    expect(win.stdout).toContain('statefulset pg: 2 Ready');
    expect([win.stdout, win.stderr]).toEqual([lin.stdout, lin.stderr]);
  });

  it('prunes what no longer matches a pod, saying what Linux says', async () => {
    const scaled = kubectl(['scale', 'statefulset', 'pg', '-n', ns, '--replicas=1']);
    expect(scaled.code, scaled.stderr).toBe(0);
    await waitFor('pg-1 gone', async () => {
      const pods = await clients().core.listNamespacedPod({ namespace: ns, labelSelector: 'app=pg' });
      return pods.items.length === 1;
    });
    const dryRun = ['prune', 'pg', '-n', ns, '--dry-run=client'];
    const [win, lin] = [onWindows(dryRun), onLinux(dryRun)];
    expect([win.code, win.stdout, win.stderr]).toEqual([0, 'service/pg-1 deleted (dry run)\n', '']);
    expect([win.stdout, win.stderr]).toEqual([lin.stdout, lin.stderr]);

    const pruned = onWindows(['prune', 'pg', '-n', ns]);
    expect([pruned.code, pruned.stdout, pruned.stderr]).toEqual([0, 'service/pg-1 deleted\n', '']);
    expect([...(await servicesIn(ns)).keys()]).toEqual(['pg-0']);
  });

  it('completes through the archive’s kubectl_complete-expose_sts.cmd as the Linux script does', () => {
    const words = ['status', '--ou'];
    const win = windows.run('C:\\windows\\system32\\cmd.exe', ['/c', 'kubectl_complete-expose_sts.cmd', ...words], {
      env: { WINEPATH: 'Z:\\work\\bin' },
    });
    const lin = spawnSync('sh', [join(linux, 'kubectl_complete-expose_sts'), ...words], {
      encoding: 'utf8',
      env: { PATH: `${linux}:/usr/bin:/bin`, HOME: linux },
    });
    expect(win.code, win.stderr).toBe(0);
    expect(win.stdout).toContain('--output');
    expect(win.stdout).toBe(lin.stdout);
    // `completion --script` prints that same file, for users who install the plugin without the archive's extras.
    const script = onWindows(['completion', '--script']);
    expect(script.stdout).toBe(readFileSync(join(windows.work, 'bin', 'kubectl_complete-expose_sts.cmd'), 'utf8'));
  });
});
