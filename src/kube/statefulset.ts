import type { V1StatefulSet } from '@kubernetes/client-node';
import { CommandError } from '../options/errors.ts';
import { statusOf, withRetry, type Kube } from './client.ts';

/** The StatefulSet, or an error that says whether the StatefulSet or its namespace is missing. */
export async function getStatefulSet(kube: Kube, name: string): Promise<V1StatefulSet> {
  const what = `get statefulsets.apps "${name}" in namespace "${kube.namespace}"`;
  try {
    return await withRetry(kube, what, () => kube.apps.readNamespacedStatefulSet({ name, namespace: kube.namespace }));
  } catch (err) {
    if (statusOf((err as Error).cause)?.code === 404) {
      // Both a missing StatefulSet and a missing namespace answer 404; telling them apart saves the user a guess.
      const nsExists = await kube.core.readNamespace({ name: kube.namespace }).then(() => true, (e: unknown) => statusOf(e)?.code !== 404);
      if (!nsExists) throw new CommandError(`namespace "${kube.namespace}" not found: check -n/--namespace or the context's namespace`);
      throw new CommandError(`statefulset "${name}" not found in namespace "${kube.namespace}" (kubectl get statefulsets -n ${kube.namespace} lists them)`);
    }
    throw err;
  }
}
