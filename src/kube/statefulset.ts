import type { V1StatefulSet } from '@kubernetes/client-node';
import { CommandError, httpStatusOf } from '../errors.ts';
import { nameOf } from '../plan/meta.ts';
import { appsV1, listJson, namespaced, requestJson, withRetry, type Kube } from './client.ts';

/** The StatefulSet, or an error that says whether the StatefulSet or its namespace is missing. */
export async function getStatefulSet(kube: Kube, name: string): Promise<V1StatefulSet> {
  const what = `get statefulsets.apps "${name}" in namespace "${kube.namespace}"`;
  try {
    return await withRetry(kube, what, () =>
      requestJson<V1StatefulSet>(kube, 'GET', namespaced(kube.namespace, 'statefulsets', name, appsV1)),
    );
  } catch (err) {
    if (httpStatusOf(err) === 404) {
      // Both a missing StatefulSet and a missing namespace answer 404; telling them apart saves the user a guess.
      const nsExists = await requestJson(kube, 'GET', `/api/v1/namespaces/${encodeURIComponent(kube.namespace)}`).then(
        () => true,
        (e: unknown) => httpStatusOf(e) !== 404,
      );
      if (!nsExists)
        throw new CommandError(
          `namespace "${kube.namespace}" not found: check -n/--namespace or the context's namespace`,
        );
      throw new CommandError(
        `statefulset "${name}" not found in namespace "${kube.namespace}" (kubectl get statefulsets -n ${kube.namespace} lists them)`,
      );
    }
    throw err;
  }
}

/** Names for shell completion: of the namespace's StatefulSets, and of the namespaces. */
export async function statefulSetNames(kube: Kube): Promise<string[]> {
  return (
    await listJson<V1StatefulSet>(kube, namespaced(kube.namespace, 'statefulsets', undefined, appsV1), {})
  ).items.map(nameOf);
}

export async function namespaceNames(kube: Kube): Promise<string[]> {
  return (await listJson<{ metadata: { name: string } }>(kube, '/api/v1/namespaces', {})).items.map(
    (n) => n.metadata.name,
  );
}
