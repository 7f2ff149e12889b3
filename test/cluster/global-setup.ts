// Vitest global setup for e2e tests: everything the tests need built before any test's clock starts, then one control
// plane for the whole run, handed to tests through inject('cluster'), with the release archives and Wine.
// A cluster already started by `npm run cluster:up` is reused when it runs the run's Kubernetes version and its load
// balancers are what the tests expect (MetalLB, the simulator's classes without delay); otherwise the run starts a
// private one and stops it at the end.
import type { TestProject } from 'vitest/node';
import type { WineRoot } from '../wine/wine.ts';
import { isHealthy, readRecord, startCluster, stopCluster, type ClusterInfo } from './cluster.ts';
import { buildForTests } from './prepare.ts';
import { clusterKubernetes, versions } from './versions.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterInfo;
    wine: WineRoot;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kubernetes = clusterKubernetes();
  const { archives, wine } = await buildForTests(kubernetes);
  project.provide('archives', archives);
  project.provide('wine', wine);
  const shared = readRecord(process.env.EXPOSE_STS_CLUSTER || 'shared');
  if (
    shared &&
    (shared.kubernetes ?? versions.kubernetes) === kubernetes &&
    shared.lb === 'metallb' &&
    shared.lbDelay === '0' &&
    (await isHealthy(shared))
  ) {
    project.provide('cluster', shared);
    return async () => undefined;
  }
  const info = await startCluster({ lb: 'metallb', kubernetes });
  project.provide('cluster', info);
  return () => stopCluster(info);
}
