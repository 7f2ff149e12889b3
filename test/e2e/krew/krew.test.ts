// Distribution as users get it: the release archive installed by krew itself (built from Go modules), the plugin run
// from krew's bin with no Node on PATH, completion through kubectl, and a clean uninstall.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { isHost } from '../../../.ci/dist.ts';
import { renderManifest, type PlatformArchive } from '../../../.ci/manifest.ts';
import { ensureKrewTools, type KrewTools } from '../../krew/tools.ts';
import { statefulSet } from '../fixtures.ts';
import { lbArgs, newNamespace, parseTable, readyStatefulSet } from '../helpers.ts';

const cluster = inject('cluster');
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'krew-e2e-'));
const krewRoot = join(work, 'krew-root');
const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
let tools: KrewTools;
const archives = inject('archives');
/** The host's archive from the run's release build (test/dist/archives.ts): what `npm run dist` makes and publishes. */
const archive: PlatformArchive = archives.archives.find(isHost)!;
let ns: string;

/** A shell of a krew user: krew's bin and kubectl on PATH, nothing of this project (not its Node, not bin/). */
function user(cmd: string, args: string[], extraPath: string[] = []) {
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: [join(krewRoot, 'bin'), join(work, 'tools'), ...extraPath, cluster.binDir, '/usr/bin', '/bin'].join(':'),
      HOME: work,
      KREW_ROOT: krewRoot,
      KUBECONFIG: cluster.kubeconfig,
    },
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

beforeAll(async () => {
  [tools, ns] = await Promise.all([ensureKrewTools(), newNamespace('krew')]);
  mkdirSync(join(work, 'tools'));
  symlinkSync(tools.krew, join(work, 'tools', 'kubectl-krew')); // `kubectl krew`, without touching the user's own krew
  await readyStatefulSet(ns, statefulSet('mongo', { replicas: 2 }));
}, 300_000);

/** krew's validator insists that the file is named after the plugin. */
function validate(manifestText: string) {
  const dir = mkdtempSync(join(work, 'validate-'));
  writeFileSync(join(dir, 'expose-sts.yaml'), manifestText);
  return spawnSync(tools.validate, ['-manifest', join(dir, 'expose-sts.yaml'), '-skip-install'], { encoding: 'utf8' });
}

describe('krew', () => {
  it('accepts the committed plugin.yaml and one generated for the archive just built', () => {
    const committed = validate(readFileSync(join(repo, 'plugin.yaml'), 'utf8'));
    expect(committed.status, committed.stderr).toBe(0);
    const generated = validate(renderManifest(version, [archive]));
    expect(generated.status, generated.stderr).toBe(0);
  });

  it('installs the release archive with kubectl krew install --manifest --archive, and the plugin runs from krew’s bin', () => {
    writeFileSync(join(work, 'plugin.yaml'), renderManifest(version, [archive]));
    const res = user('kubectl', [
      'krew',
      'install',
      `--manifest=${join(work, 'plugin.yaml')}`,
      `--archive=${join(archives.dir, archive.file)}`,
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(readdirSync(join(krewRoot, 'bin'))).toEqual(['kubectl-expose_sts']);
    expect(user('kubectl', ['plugin', 'list', '--name-only']).stdout).toContain('kubectl-expose_sts');

    const exposed = user('kubectl', ['expose-sts', ...lbArgs('mongo', '-n', ns)]);
    expect(exposed.code, exposed.stderr).toBe(0);
    expect(parseTable(exposed.stdout).map((r) => [r.SERVICE, /^198\.1[89]\./.test(r.ENDPOINT)])).toEqual([
      ['mongo-0', true],
      ['mongo-1', true],
    ]);
  });

  it('completes subcommands, flags, flag values and StatefulSet names, called as kubectl calls it and through kubectl', () => {
    // krew links only the plugin; the completion script ships in the archive and `completion` says how to install it.
    expect(user('kubectl', ['expose-sts', 'completion']).stdout).toContain('kubectl_complete-expose_sts');
    const store = join(krewRoot, 'store', 'expose-sts', `v${version}`);
    expect(existsSync(join(store, 'kubectl_complete-expose_sts'))).toBe(true);
    copyFileSync(join(store, 'kubectl_complete-expose_sts'), join(krewRoot, 'bin', 'kubectl_complete-expose_sts'));

    const direct = user(join(krewRoot, 'bin', 'kubectl_complete-expose_sts'), ['-n', ns, '']);
    expect(direct.stdout.trim().split('\n')).toEqual([
      'status\tShow what is exposed, where it answers, and what has drifted',
      'prune\tDelete managed Services that no longer match a pod',
      'completion\tHow to install shell completion for this plugin',
      'options\tPrint the list of flags inherited by all commands',
      'mongo\tStatefulSet',
      ':4',
    ]);
    expect(user(join(krewRoot, 'bin', 'kubectl_complete-expose_sts'), ['mongo', '--type', '']).stdout).toBe(
      'ClusterIP\nNodePort\nLoadBalancer\n:4\n',
    );
    expect(user(join(krewRoot, 'bin', 'kubectl_complete-expose_sts'), ['status', '--ex']).stdout).toBe(
      '--exit-code\tExit 1 when anything is not Ready, or a published ConfigMap is stale (for scripts and CI)\n:4\n',
    );
    expect(
      user(join(krewRoot, 'bin', 'kubectl_complete-expose_sts'), ['mongo', '--external-traffic-policy=']).stdout,
    ).toBe('--external-traffic-policy=Local\n--external-traffic-policy=Cluster\n:4\n');

    const viaKubectl = user('kubectl', ['__complete', 'expose-sts', '-n', ns, '']);
    expect(viaKubectl.stdout).toContain('status\t');
    expect(viaKubectl.stdout).toContain('mongo\tStatefulSet');
    expect(viaKubectl.stdout.trim().split('\n').at(-1)).toBe(':4');
  });

  it('uninstalls cleanly', () => {
    // krew refuses to uninstall until its index exists; an empty git repository is enough offline.
    mkdirSync(join(krewRoot, 'index', 'default', 'plugins'), { recursive: true });
    execFileSync('git', ['init', '-q', join(krewRoot, 'index', 'default')]);
    const res = user('kubectl', ['krew', 'uninstall', 'expose-sts']);
    expect(res.code, res.stderr).toBe(0);
    expect(existsSync(join(krewRoot, 'bin', 'kubectl-expose_sts'))).toBe(false);
    expect(existsSync(join(krewRoot, 'store', 'expose-sts'))).toBe(false);
    expect(user('kubectl', ['expose-sts', '--version']).code).not.toBe(0);
  });
});
