// npm run test:compat [-- oldest|newest|vX.Y.Z …]: the e2e and reliability suites against each supported API server
// version in turn (default: the oldest and the newest, test/cluster/versions.ts), each on a control plane of its own.
// Left out: the suites that prove the release archives on other platforms (test/e2e/krew, test/e2e/windows). They
// test how the binary is packed and started; the API requests they make are the ones test/e2e/expose and
// test/e2e/status-prune already make, and under Wine they cost about a minute a run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { supportedKubernetes } from '../test/cluster/versions.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const named: Record<string, string> = supportedKubernetes;
const asked = process.argv.slice(2);
const releases = (asked.length ? asked : Object.keys(named)).map((a) => named[a] ?? a);

const build = spawnSync(process.execPath, ['.ci/build.ts'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
for (const kubernetes of releases) {
  process.stderr.write(`\n== e2e and reliability against Kubernetes ${kubernetes}\n`);
  const args = ['run', '--config', 'test/vitest.config.ts', '--project', 'e2e'];
  args.push('--exclude', 'test/e2e/krew/**', '--exclude', 'test/e2e/windows/**');
  const run = spawnSync('vitest', args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, EXPOSE_STS_KUBERNETES: kubernetes },
  });
  if (run.status !== 0) {
    process.stderr.write(`error: the suites failed against Kubernetes ${kubernetes}\n`);
    process.exit(run.status ?? 1);
  }
}
