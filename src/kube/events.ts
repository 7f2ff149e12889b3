// The Warning Events of the namespace's Services, read while expose waits for addresses: what the load balancer says
// about those that get none. Advisory: when they cannot be read (no permission, a failure), expose goes on without.
import type { CoreV1Event } from '@kubernetes/client-node';
import { httpStatusOf } from '../errors.ts';
import { type Kube, listJson, namespaced, withRetry } from './client.ts';
import { type OpenWatch, openWatch } from './watch.ts';

const fieldSelector = 'involvedObject.kind=Service,type=Warning';

async function listWarnings(
  kube: Kube,
  allNamespaces = false,
): Promise<{ items: CoreV1Event[]; resourceVersion: string }> {
  const where = allNamespaces ? 'in all namespaces' : `in namespace "${kube.namespace}"`;
  const list = await withRetry(kube, `list events ${where}`, () =>
    listJson<CoreV1Event>(kube, allNamespaces ? '/api/v1/events' : namespaced(kube.namespace, 'events'), {
      fieldSelector,
    }),
  );
  return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
}

/**
 * The Warnings so far (of the namespace, or of all), and with `follow` a watch for the next ones of the namespace;
 * undefined when they cannot be read.
 */
export async function readWarnings(
  kube: Kube,
  follow: boolean,
  allNamespaces = false,
): Promise<{ items: CoreV1Event[]; watch?: OpenWatch<CoreV1Event> } | undefined> {
  try {
    const { items, resourceVersion } = await listWarnings(kube, allNamespaces);
    if (!follow) return { items };
    const watch = await openWatch<CoreV1Event>(kube, {
      what: `watch events in namespace "${kube.namespace}"`,
      path: namespaced(kube.namespace, 'events'),
      fieldSelector,
      resourceVersion,
      relist: () => listWarnings(kube),
    });
    return { items, watch };
  } catch (err) {
    kube.log(httpStatusOf(err) === 403 ? 6 : 4, `no Warning Events: ${(err as Error).message}`);
    return undefined;
  }
}
