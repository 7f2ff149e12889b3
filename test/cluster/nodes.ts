// Simulated nodes (kwok animates any Node carrying its annotation) and the default StorageClass, so StatefulSets
// with volumeClaimTemplates schedule as they would on a real cluster.
import { readFileSync } from 'node:fs';
import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  StorageV1Api,
  loadYaml,
  type V1StorageClass,
} from '@kubernetes/client-node';
import type { ClusterInfo } from './cluster.ts';
import { podRange } from './pod-range.ts';
import { waitFor } from './process.ts';

const nodeName = (i: number) => `kwok-node-${i}`;
/** Documentation ranges (RFC 5737): never routable, so nothing can ever dial a simulated address by mistake. */
const internalIP = (i: number) => `192.0.2.${10 + i}`;
const externalIP = (i: number) => `198.51.100.${10 + i}`;

export async function createNodes(
  info: ClusterInfo,
  count: number,
  storageClassFile: string,
  crashed: () => string | undefined,
): Promise<string[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await kc
    .makeApiClient(StorageV1Api)
    .createStorageClass({ body: loadYaml<V1StorageClass>(readFileSync(storageClassFile, 'utf8')) });

  // Addresses sent with the create are dropped, and kwok fills addresses only when InternalIP or Hostname is
  // missing, so all three go in together through the status subresource.
  const setAddresses = (name: string, i: number) =>
    core.patchNodeStatus(
      {
        name,
        body: {
          status: {
            addresses: [
              { type: 'InternalIP', address: internalIP(i) },
              { type: 'ExternalIP', address: externalIP(i) },
              { type: 'Hostname', address: name },
            ],
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  const names = Array.from({ length: count }, (_, i) => nodeName(i));
  await Promise.all(
    names.map(async (name, i) => {
      await core.createNode({
        body: {
          metadata: {
            name,
            annotations: { 'kwok.x-k8s.io/node': 'fake' },
            labels: { 'kubernetes.io/hostname': name, type: 'kwok' },
          },
          spec: { podCIDR: podRange.node(i), podCIDRs: [podRange.node(i)] },
        },
      });
      await setAddresses(name, i);
    }),
  );

  let ready = 0;
  await waitFor(
    () => `nodes to be Ready (${ready}/${names.length}) with their addresses, and the default ServiceAccount`,
    async () => {
      const nodes = (await core.listNode()).items.filter((n) => names.includes(n.metadata!.name!));
      ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      // Once seen: a shared cluster came up with no addresses at all (kwok's first status update landing after ours?),
      // which fails every NodePort test later; set them again until they hold.
      const lost = nodes.filter(
        (n) =>
          !n.status?.addresses?.some(
            (a) => a.type === 'ExternalIP' && a.address === externalIP(names.indexOf(n.metadata!.name!)),
          ),
      );
      await Promise.all(lost.map((n) => setAddresses(n.metadata!.name!, names.indexOf(n.metadata!.name!))));
      if (lost.length) return false;
      // Pods are rejected until the namespace's default ServiceAccount exists, so wait for it too.
      const sa = await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }).then(
        () => true,
        () => false,
      );
      return ready === names.length && sa;
    },
    60_000,
    crashed,
  );
  return names;
}
