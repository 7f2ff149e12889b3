import type { V1LabelSelector, V1Node, V1Pod } from '@kubernetes/client-node';
import { nameOf } from '../plan/meta.ts';
import { listJson, namespaced, withRetry, type Kube } from './client.ts';
import { httpStatusOf } from '../errors.ts';

function selectorString(selector: V1LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/**
 * What the plan reads of a pod (name, node, Ready condition), without the rest: a thousand whole pods are ≈ 20 MB
 * that a command would hold to its end (bench/ANALYSIS.md, P5).
 */
export function slimPod(pod: V1Pod): V1Pod {
  return {
    metadata: { name: pod.metadata?.name, namespace: pod.metadata?.namespace },
    spec: pod.spec?.nodeName ? { nodeName: pod.spec.nodeName, containers: [] } : undefined,
    status: { conditions: pod.status?.conditions?.filter((c) => c.type === 'Ready') },
  };
}

/** The StatefulSet's pods by name, in one LIST. */
export async function listPods(kube: Kube, selector: V1LabelSelector | undefined): Promise<Map<string, V1Pod>> {
  const labelSelector = selectorString(selector);
  const list = await withRetry(kube, `list pods in namespace "${kube.namespace}"`, () =>
    listJson<V1Pod>(kube, namespaced(kube.namespace, 'pods'), { labelSelector }, slimPod),
  );
  return new Map(list.items.map((p) => [nameOf(p), p]));
}

/**
 * Nodes by name, for NodePort endpoints and -o wide. Nodes are cluster-scoped and many users may not list them:
 * then the endpoint shows <none>, with a warning, rather than failing the command.
 */
export async function listNodes(kube: Kube): Promise<Map<string, V1Node>> {
  try {
    const list = await withRetry(kube, 'list nodes', () => listJson<V1Node>(kube, '/api/v1/nodes', {}));
    return new Map(list.items.map((n) => [nameOf(n), n]));
  } catch (err) {
    if (httpStatusOf(err) === 403) {
      kube.log(0, 'warning: cannot list nodes, so NodePort endpoints show no node address');
      return new Map();
    }
    throw err;
  }
}
