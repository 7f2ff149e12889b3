// The part a cloud provider plays: watches Services of type LoadBalancer and fills status.loadBalancer.ingress.
// Run as its own long-lived process by the cluster (cluster.ts); usage:
//   node test/cluster/lb-simulator.ts --kubeconfig FILE [--lb ip|hostname|none] [--lb-delay 2s]
import { parseArgs } from 'node:util';
import {
  CoreV1Api,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1Service,
} from '@kubernetes/client-node';
import {
  desiredIngress,
  lbModes,
  newPools,
  parseDelay,
  sameIngress,
  type LbMode,
  type LbService,
} from './lb-addresses.ts';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    lb: { type: 'string', default: 'ip' },
    'lb-delay': { type: 'string', default: '0' },
  },
});
const mode = values.lb as LbMode;
if (!lbModes.includes(mode)) throw new Error(`invalid --lb "${values.lb}": use one of ${lbModes.join(', ')}`);
const delayMs = parseDelay(values['lb-delay']!);

const kc = new KubeConfig();
kc.loadFromFile(values.kubeconfig!);
const api = kc.makeApiClient(CoreV1Api);
const pools = newPools();
const timers = new Map<string, NodeJS.Timeout>();
const log = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`);

const view = (svc: V1Service): LbService => ({
  namespace: svc.metadata!.namespace!,
  name: svc.metadata!.name!,
  type: svc.spec?.type,
  loadBalancerClass: svc.spec?.loadBalancerClass,
  ingress: svc.status?.loadBalancer?.ingress ?? [],
});

function reconcile(svc: V1Service): void {
  const s = view(svc);
  const key = `${s.namespace}/${s.name}`;
  const wanted = desiredIngress(s, mode, pools);
  if (wanted === undefined || sameIngress(s.ingress, wanted)) return;
  clearTimeout(timers.get(key));
  // Slow clouds: the address appears only after the delay, and a Service deleted meanwhile gets nothing.
  timers.set(
    key,
    setTimeout(() => {
      timers.delete(key);
      api
        .patchNamespacedServiceStatus(
          {
            name: s.name,
            namespace: s.namespace,
            body: { status: { loadBalancer: { ingress: wanted.length ? wanted : null } } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        )
        .then(() => log(`${key}: ${wanted.length ? JSON.stringify(wanted) : 'released'}`))
        .catch((err: unknown) => log(`${key}: patch failed: ${(err as Error).message}`)); // the next event retries
    }, delayMs),
  );
}

function forget(svc: V1Service): void {
  const s = view(svc);
  const key = `${s.namespace}/${s.name}`;
  clearTimeout(timers.get(key));
  timers.delete(key);
  pools.ip.release(key);
  pools['class-ip'].release(key);
}

const informer = makeInformer(kc, '/api/v1/services', () => api.listServiceForAllNamespaces());
informer.on('add', reconcile);
informer.on('update', reconcile);
informer.on('delete', forget);
informer.on('error', (err: unknown) => {
  log(`watch error: ${(err as Error)?.message ?? err}; restarting`);
  setTimeout(() => void informer.start().catch(() => undefined), 1000);
});
await informer.start();
log(`load-balancer simulator ready (mode ${mode}, delay ${delayMs} ms)`);

// A periodic resync, as cloud controllers do: a watch that ended without an error the informer noticed would
// otherwise leave new Services pending for ever (seen once in a benchmark after 1000 deletes).
setInterval(() => {
  api.listServiceForAllNamespaces().then(
    (list) => list.items.forEach(reconcile),
    (err: unknown) => log(`resync failed: ${(err as Error).message}`),
  );
}, 30_000).unref();

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    void informer.stop().finally(() => process.exit(0));
  });
}
