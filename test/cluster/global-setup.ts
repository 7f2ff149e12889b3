// Vitest global setup for e2e tests: one control plane for the whole run, handed to tests through inject('cluster').
// A cluster already started by `npm run cluster:up` is reused when its load balancers are what the tests expect
// (MetalLB, the simulator's classes without delay); otherwise the run starts a private one and stops it at the end.
import type { TestProject } from 'vitest/node';
import { isHealthy, readRecord, startCluster, stopCluster, type ClusterInfo } from './cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = readRecord(process.env.EXPOSE_STS_CLUSTER || 'shared');
  if (shared && shared.lb === 'metallb' && shared.lbDelay === '0' && (await isHealthy(shared))) {
    project.provide('cluster', shared);
    return async () => undefined;
  }
  const info = await startCluster({ lb: 'metallb' });
  project.provide('cluster', info);
  return () => stopCluster(info);
}
