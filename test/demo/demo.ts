// npm run demo: the tool for real on a local cluster it starts itself. Starts (or reuses) the shared local cluster,
// creates a database-shaped StatefulSet in namespace `demo`, and shows it through the pinned kubectl.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureCluster } from '../cluster/cluster.ts';

const manifest = fileURLToPath(new URL('./mydb.yaml', import.meta.url));
const { info } = await ensureCluster({ name: process.env.EXPOSE_STS_CLUSTER || 'shared', persistent: true });
const env = { ...process.env, KUBECONFIG: info.kubeconfig, PATH: `${info.binDir}:${process.env.PATH}` };

function kubectl(args: string[], { show = true } = {}): void {
  if (show) process.stderr.write(`\n$ kubectl ${args.join(' ')}\n`);
  const res = spawnSync('kubectl', args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

spawnSync('kubectl', ['create', 'namespace', 'demo'], { env, stdio: 'ignore' }); // already there on a re-run
kubectl(['apply', '-n', 'demo', '-f', manifest]);
kubectl(['rollout', 'status', '-n', 'demo', 'statefulset/mydb', '--timeout=120s']);
kubectl(['get', '-n', 'demo', 'statefulset,pods,pvc', '-o', 'wide']);

process.stderr.write(`
The cluster keeps running. To use it from your shell:
  eval "$(npm run -s cluster:up)"
  kubectl get pods -n demo
Stop it with: npm run cluster:down
`);
