// Services: one LIST, server-side apply, and one watch to wait for load-balancer addresses.
import { PatchStrategy, setHeaderOptions, Watch, type V1Service, type V1ServicePort } from '@kubernetes/client-node';
import { fieldManager } from '../plan/ownership.ts';
import { CommandError } from '../options/errors.ts';
import { listJson, statusOf, translate, withRetry, type Kube } from './client.ts';

export async function listServices(kube: Kube, labelSelector?: string): Promise<{ items: V1Service[]; resourceVersion: string }> {
  const list = await withRetry(kube, `list services in namespace "${kube.namespace}"`, () =>
    listJson<V1Service>(kube, `/api/v1/namespaces/${encodeURIComponent(kube.namespace)}/services`, { labelSelector }));
  return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
}

/** Server-side apply: idempotent, leaves other managers' fields alone, and takes back fields someone edited. */
export async function applyService(kube: Kube, body: V1Service, dryRun: boolean): Promise<V1Service> {
  const name = body.metadata!.name!;
  return withRetry(kube, `apply service "${name}" in namespace "${kube.namespace}"`, () =>
    kube.core.patchNamespacedService(
      { name, namespace: kube.namespace, body, fieldManager, force: true, dryRun: dryRun ? 'All' : undefined },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    ), { conflicts: true });
}

/**
 * Taking over a Service: apply merges `ports` by port and protocol, so ports another manager set would stay beside
 * ours (and unnamed ones make the Service invalid). Replacing the list first makes the adopted Service exactly ours.
 */
export async function replacePorts(kube: Kube, name: string, ports: V1ServicePort[] | undefined, dryRun: boolean): Promise<void> {
  await withRetry(kube, `replace the ports of service "${name}" in namespace "${kube.namespace}"`, () =>
    kube.core.patchNamespacedService(
      { name, namespace: kube.namespace, body: [{ op: 'replace', path: '/spec/ports', value: ports }], fieldManager, dryRun: dryRun ? 'All' : undefined },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    ));
}

/** Applies with at most `limit` requests in flight: fast for 100 pods, gentle on API priority and fairness. */
export async function applyAll(kube: Kube, bodies: V1Service[], dryRun: boolean, limit = 8): Promise<V1Service[]> {
  const results: V1Service[] = new Array(bodies.length);
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const i = next++;
      results[i] = await applyService(kube, bodies[i], dryRun);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, bodies.length) }, worker));
  return results;
}

/**
 * Deletes a Service only if it is still the one that was listed (same uid): one recreated in between is not removed.
 * Returns what happened; a Service already gone or replaced is not an error.
 */
export async function deleteService(kube: Kube, namespace: string, name: string, uid: string, dryRun: boolean): Promise<'deleted' | 'gone' | 'replaced'> {
  try {
    await withRetry(kube, `delete service "${name}" in namespace "${namespace}"`, () =>
      // With a body, the API server reads DeleteOptions from it and ignores the dryRun query parameter: both go in.
      kube.core.deleteNamespacedService({ name, namespace, body: { preconditions: { uid }, dryRun: dryRun ? ['All'] : undefined } }));
    return 'deleted';
  } catch (err) {
    const code = statusOf((err as Error).cause)?.code;
    if (code === 404) return 'gone';
    if (code === 409) return 'replaced';
    throw err;
  }
}

/**
 * Watches the namespace's Services matching the selector from `resourceVersion` until `done` says so, the timeout
 * passes, or the signal aborts. One watch for all addresses, never a poll; a closed watch resumes from the last
 * version seen, and 410 Gone re-lists.
 */
export async function watchServices(
  kube: Kube,
  labelSelector: string,
  resourceVersion: string,
  onChange: (svc: V1Service, deleted: boolean) => boolean,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<'done' | 'timeout'> {
  const watch = new Watch(kube.kc);
  const path = `/api/v1/namespaces/${encodeURIComponent(kube.namespace)}/services`;
  let rv = resourceVersion;
  return new Promise((resolve, reject) => {
    let controller: AbortController | undefined;
    let finished = false;
    const finish = (result: 'done' | 'timeout' | Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      controller?.abort();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const onAbort = () => finish('timeout');
    signal?.addEventListener('abort', onAbort);

    const start = async (): Promise<void> => {
      if (finished) return;
      controller = await watch.watch(path, { labelSelector, resourceVersion: rv, allowWatchBookmarks: true }, (phase, obj: V1Service) => {
        if (obj?.metadata?.resourceVersion) rv = obj.metadata.resourceVersion;
        if (phase === 'BOOKMARK') return;
        if (phase === 'ERROR') return; // followed by the end of the stream; handled in the done callback
        if (onChange(obj, phase === 'DELETED')) finish('done');
      }, (err: unknown) => {
        if (finished) return;
        if (err && (err as Error).name === 'AbortError') return;
        const code = statusOf(err)?.code ?? (err as { statusCode?: number })?.statusCode;
        if (code === 410) {
          // Too old to resume: list again and go on from there.
          listServices(kube, labelSelector).then(({ items, resourceVersion: fresh }) => {
            rv = fresh;
            if (items.some((s) => onChange(s, false))) finish('done');
            else void start().catch((e: unknown) => finish(translate(e, kube, 'watch services')));
          }, (e: unknown) => finish(e instanceof CommandError ? e : translate(e, kube, 'list services')));
          return;
        }
        if (err && code && code < 500 && code !== 429) return finish(translate(err, kube, `watch services in namespace "${kube.namespace}"`));
        kube.log(4, `watch ended${err ? `: ${(err as Error).message}` : ''}; resuming from resourceVersion ${rv}`);
        setTimeout(() => void start().catch((e: unknown) => finish(translate(e, kube, 'watch services'))), err ? 500 : 0);
      });
    };
    start().catch((e: unknown) => finish(translate(e, kube, `watch services in namespace "${kube.namespace}"`)));
  });
}
