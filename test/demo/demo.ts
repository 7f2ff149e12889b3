// npm run demo: the tool for real on a local cluster it starts itself. Builds the single binary, starts (or reuses)
// the shared local cluster, creates a database-shaped StatefulSet in namespace `demo`, and exposes it through the
// pinned kubectl: `kubectl expose-sts mydb --type LoadBalancer`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureCluster, pluginBinDir } from '../cluster/cluster.ts';

const manifest = fileURLToPath(new URL('./mydb.yaml', import.meta.url));
const build = spawnSync(process.execPath, [fileURLToPath(new URL('../../.ci/build.ts', import.meta.url))], {
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);
const { info } = await ensureCluster({ name: process.env.EXPOSE_STS_CLUSTER || 'shared', persistent: true });
// The plugin must run without the project's Node: only kubectl, the plugin and system tools on PATH.
const env = { ...process.env, KUBECONFIG: info.kubeconfig, PATH: `${info.binDir}:${pluginBinDir}:/usr/bin:/bin` };

function kubectl(args: string[]): void {
  process.stderr.write(`\n$ kubectl ${args.join(' ')}\n`);
  const res = spawnSync('kubectl', args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

spawnSync('kubectl', ['create', 'namespace', 'demo'], { env, stdio: 'ignore' }); // already there on a re-run
kubectl(['apply', '-n', 'demo', '-f', manifest]);
kubectl(['rollout', 'status', '-n', 'demo', 'statefulset/mydb', '--timeout=120s']);
kubectl([
  'expose-sts',
  'mydb',
  '-n',
  'demo',
  '--type',
  'LoadBalancer',
  '--load-balancer-source-ranges',
  '198.51.100.0/24',
]);
kubectl(['get', 'services', '-n', 'demo', '-l', 'app.kubernetes.io/managed-by=kubectl-expose-sts']);

process.stderr.write(`
The cluster keeps running. To use it and the plugin from your shell:
  eval "$(npm run -s cluster:up)"
  kubectl expose-sts mydb -n demo --type NodePort -o wide
  kubectl expose-sts mydb -n demo --type LoadBalancer --prune --watch   # then, in another shell:
  kubectl scale statefulset mydb -n demo --replicas 5
Stop it with: npm run cluster:down
`);
