// What MetalLB's controller needs in the cluster before it starts: its CRDs, its namespace, a stand-in for its own
// Pod (it reads that at start and exits without it; kwok runs it), and the address pools it hands out from.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  loadYaml,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import type { ClusterInfo } from './cluster.ts';
import { waitFor } from './process.ts';
import { versions } from './versions.ts';

export const metallbNamespace = 'metallb-system';
export const metallbPod = 'metallb-controller';

/**
 * `default` serves every unclassed LoadBalancer Service: 1016 addresses (a /22 without the .0 and .255 that some
 * clients mishandle), enough for the benchmarks' 1000 pods. `tiny` is only for Services that name it (autoAssign
 * false): two addresses, so tests can exhaust it.
 */
export const metallbPools = {
  default: { addresses: ['198.18.0.0/22'], avoidBuggyIPs: true },
  tiny: { addresses: ['198.19.255.1-198.19.255.2'], autoAssign: false },
} as const;

export async function prepareMetallb(
  info: ClusterInfo,
  crdsDir: string,
  crashed: () => string | undefined,
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfig);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);

  const crds = readdirSync(crdsDir).map((f) =>
    loadYaml<V1CustomResourceDefinition>(readFileSync(join(crdsDir, f), 'utf8')),
  );
  await Promise.all(crds.map((body) => ext.createCustomResourceDefinition({ body })));
  await core.createNamespace({ body: { metadata: { name: metallbNamespace } } });
  await waitFor(
    `MetalLB's CRDs established and ServiceAccount default in ${metallbNamespace}`,
    async () => {
      const pools = await ext.readCustomResourceDefinition({ name: 'ipaddresspools.metallb.io' });
      const established = pools.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      return (
        !!established && !!(await core.readNamespacedServiceAccount({ name: 'default', namespace: metallbNamespace }))
      );
    },
    30_000,
    crashed,
  );
  await core.createNamespacedPod({
    namespace: metallbNamespace,
    body: {
      metadata: { name: metallbPod, labels: { app: 'metallb', component: 'controller' } },
      spec: {
        nodeName: info.nodes[0],
        containers: [{ name: 'controller', image: `quay.io/metallb/controller:${versions.metallb}` }],
      },
    },
  });
  for (const [name, spec] of Object.entries(metallbPools)) {
    await custom.createNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: metallbNamespace,
      plural: 'ipaddresspools',
      body: { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name }, spec },
    });
  }
}

/** Waits until MetalLB hands out addresses: a probe Service gets one, and is deleted. */
export async function waitForMetallb(info: ClusterInfo, crashed: () => string | undefined): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const name = 'metallb-ready-probe';
  await core.createNamespacedService({
    namespace: metallbNamespace,
    body: { metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: 1 }] } },
  });
  await waitFor(
    'MetalLB to assign its first address',
    async () =>
      !!(await core.readNamespacedService({ name, namespace: metallbNamespace })).status?.loadBalancer?.ingress?.length,
    60_000,
    crashed,
  );
  await core.deleteNamespacedService({ name, namespace: metallbNamespace });
}
