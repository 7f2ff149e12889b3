// A watch opened before the writes it waits for: a missing `watch` permission or a refused connection shows before
// anything is changed, and the events since the LIST are held until the caller asks for them, so no change is missed.
import { createInterface } from 'node:readline';
import { request, sleep, withRetry, type Kube } from './client.ts';
import type { Answer } from './transport.ts';
import { httpStatusOf } from '../errors.ts';
import { ApiError, isTransient, translate } from './errors.ts';

interface Versioned {
  metadata?: { resourceVersion?: string; name?: string; namespace?: string };
}

export interface OpenWatch<T> {
  /**
   * Hands the latest event of each object since the watch opened, then live ones, to onEvent until it returns true or
   * time is up.
   */
  until(onEvent: (obj: T, deleted: boolean) => boolean, timeoutMs: number): Promise<'done' | 'timeout'>;
  /** Ends the watch; an `until` in progress ends as done. */
  close(): void;
}

interface WatchTarget<T> {
  /** What is watched, for messages: `watch services in namespace "x"`. */
  what: string;
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion: string;
  /** A fresh LIST, for when the server no longer holds history from our version (410 Gone). */
  relist: () => Promise<{ items: T[]; resourceVersion: string }>;
  /** What of each object the caller keeps (events are held, and may be many). */
  shown?: (obj: T) => T;
}

export async function openWatch<T extends Versioned>(kube: Kube, target: WatchTarget<T>): Promise<OpenWatch<T>> {
  const controller = new AbortController();
  let rv = target.resourceVersion;
  // Held events are coalesced per object, only the latest kept: a thousand Services each added and then given an
  // address while the writes run would otherwise be two thousand objects in memory (bench/ANALYSIS.md, P5).
  const held = new Map<string, [T, boolean]>();
  let consumer: ((obj: T, deleted: boolean) => void) | undefined;
  let failure: Error | undefined;
  let onFailure: ((err: Error) => void) | undefined;
  let onClose: (() => void) | undefined;
  const deliver = (whole: T, deleted: boolean) => {
    const obj = target.shown ? target.shown(whole) : whole;
    if (consumer) return consumer(obj, deleted);
    const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    held.delete(key); // re-inserted last: the order of the latest events is kept
    held.set(key, [obj, deleted]);
  };

  const relist = async () => {
    kube.log(4, `${target.what}: history from resourceVersion ${rv} is gone; listing again`);
    const fresh = await target.relist();
    rv = fresh.resourceVersion;
    for (const item of fresh.items) deliver(item, false);
  };
  const connect = async (): Promise<Answer> => {
    const open = () =>
      withRetry(kube, target.what, () =>
        request(kube, 'GET', target.path, {
          query: {
            labelSelector: target.labelSelector,
            fieldSelector: target.fieldSelector,
            watch: 'true',
            resourceVersion: rv,
            allowWatchBookmarks: 'true',
          },
          signal: controller.signal,
        }),
      );
    try {
      return await open();
    } catch (err) {
      if (httpStatusOf(err) !== 410) throw err;
      await relist();
      return open();
    }
  };
  const consume = async (res: Answer) => {
    for await (const line of createInterface({ input: res, crlfDelay: Infinity })) {
      if (!line) continue;
      const event = JSON.parse(line) as { type: string; object: T & { code?: number; message?: string } };
      if (event.type === 'ERROR') throw new ApiError(event.object.code ?? 500, JSON.stringify(event.object));
      rv = event.object.metadata?.resourceVersion ?? rv;
      if (event.type !== 'BOOKMARK') deliver(event.object, event.type === 'DELETED');
    }
  };
  const follow = async (first: Answer) => {
    for (let res = first; ; ) {
      try {
        await consume(res);
        kube.log(4, `${target.what}: closed by the server; resuming from resourceVersion ${rv}`);
      } catch (err) {
        if (controller.signal.aborted) return;
        const code = httpStatusOf(err);
        if (code === 410) await relist();
        else if (code !== undefined && !isTransient(err)) throw translate(err, kube, target.what);
        else {
          // A reset connection or an idle body timeout: the history is still there, so resume where we were.
          kube.log(
            4,
            `${target.what}: ${code ? `HTTP ${code}` : (err as Error).message}; resuming from resourceVersion ${rv}`,
          );
          await sleep(500);
        }
      }
      if (controller.signal.aborted) return;
      res = await connect();
    }
  };

  const first = await connect();
  follow(first).catch((err: unknown) => {
    if (controller.signal.aborted) return;
    failure = err instanceof Error ? err : new Error(String(err));
    onFailure?.(failure);
  });

  return {
    until: (onEvent, timeoutMs) =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        const stop = () => {
          clearTimeout(timer);
          consumer = undefined;
          onFailure = undefined;
          onClose = undefined;
          controller.abort();
        };
        onClose = () => {
          stop();
          resolve('done');
        };
        const timer = setTimeout(() => {
          stop();
          resolve('timeout');
        }, timeoutMs);
        onFailure = (err) => {
          stop();
          reject(err);
        };
        consumer = (obj, deleted) => {
          if (onEvent(obj, deleted)) {
            stop();
            resolve('done');
          }
        };
        const pending = [...held.values()];
        held.clear();
        for (const [obj, deleted] of pending) {
          if (!consumer) break;
          consumer(obj, deleted);
        }
      }),
    close: () => {
      onClose?.();
      controller.abort();
    },
  };
}
