// A watch that runs until it is told to stop: it resumes where it was when the server closes it or the connection
// drops (waiting as the retry policy says, retry.ts), and lists again when the server no longer holds its history
// (410 Gone), so it can follow objects for days. Opened before the writes a command waits for: a missing `watch`
// permission or a refused connection shows before anything is changed, and the events since the LIST are held until
// the caller follows them, so no change is missed. Short commands stop it once their condition holds (`until`).
import { createInterface } from 'node:readline';
import { httpStatusOf } from '../errors.ts';
import { request, withRetry, type Kube } from './client.ts';
import { ApiError, translate } from './errors.ts';
import { retryable, retryDelayMs } from './retry.ts';
import type { Answer } from './transport.ts';

export interface Versioned {
  metadata?: { resourceVersion?: string; name?: string; namespace?: string; managedFields?: unknown };
}

/**
 * An object as kept after a write or a watch event: without managedFields, which output never prints (as kubectl)
 * and which are half of a Service's size; a thousand are kept until the table (bench/ANALYSIS.md, P5).
 */
export function withoutManagedFields<T extends Versioned>(obj: T): T {
  if (obj.metadata) delete obj.metadata.managedFields;
  return obj;
}

type OnEvent<T> = (obj: T, deleted: boolean) => void;

export interface OpenWatch<T> {
  /**
   * Hands onEvent the latest event of each object since the watch opened, then live ones, until the watch is closed
   * (it resolves) or fails for good (it rejects: a refusal that no retry mends). One follower at a time.
   */
  follow(onEvent: OnEvent<T>): Promise<void>;
  /**
   * For a command that runs for seconds: follows until `done` holds for an event (then stops the watch) or time is up
   * (stops it too). 'done' also when the watch was closed meanwhile.
   */
  until(done: (obj: T, deleted: boolean) => boolean, timeoutMs: number): Promise<'done' | 'timeout'>;
  /** Stops the watch: a follow in progress resolves. */
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

class Watch<T extends Versioned> implements OpenWatch<T> {
  private readonly controller = new AbortController();
  private rv: string;
  /**
   * Held events are coalesced per object, only the latest kept: a thousand Services each added and then given an
   * address while the writes run would otherwise be two thousand objects in memory (bench/ANALYSIS.md, P5).
   */
  private readonly held = new Map<string, [T, boolean]>();
  private follower?: { onEvent: OnEvent<T>; resolve: () => void; reject: (err: Error) => void };
  private failure?: Error;
  private readonly kube: Kube;
  private readonly target: WatchTarget<T>;

  constructor(kube: Kube, target: WatchTarget<T>) {
    this.kube = kube;
    this.target = target;
    this.rv = target.resourceVersion;
  }

  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  follow(onEvent: OnEvent<T>): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      if (this.stopped) return resolve();
      this.follower = { onEvent, resolve, reject };
      const pending = [...this.held.values()];
      this.held.clear();
      for (const [obj, deleted] of pending) if (!this.stopped) onEvent(obj, deleted);
    });
  }

  async until(done: (obj: T, deleted: boolean) => boolean, timeoutMs: number): Promise<'done' | 'timeout'> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.close();
    }, timeoutMs);
    try {
      await this.follow((obj, deleted) => {
        if (done(obj, deleted)) this.close();
      });
    } finally {
      clearTimeout(timer);
      this.close();
    }
    return timedOut ? 'timeout' : 'done';
  }

  close(): void {
    this.controller.abort();
    const follower = this.follower;
    this.follower = undefined;
    follower?.resolve();
  }

  /** The first connection, retried as any request: a refusal is the caller's error, before it writes anything. */
  async open(): Promise<void> {
    const first = await this.connectOrRelist(() => withRetry(this.kube, this.target.what, () => this.request()));
    this.run(first).catch((err: unknown) => {
      if (this.stopped) return;
      this.failure = err instanceof Error ? err : new Error(String(err));
      const follower = this.follower;
      this.follower = undefined;
      follower?.reject(this.failure);
    });
  }

  private deliver(whole: T, deleted: boolean): void {
    const obj = this.target.shown ? this.target.shown(whole) : whole;
    if (this.follower) {
      this.follower.onEvent(obj, deleted);
      return;
    }
    const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    this.held.delete(key); // re-inserted last: the order of the latest events is kept
    this.held.set(key, [obj, deleted]);
  }

  private request(): Promise<Answer> {
    const { labelSelector, fieldSelector, path } = this.target;
    const query = {
      labelSelector,
      fieldSelector,
      watch: 'true',
      resourceVersion: this.rv,
      allowWatchBookmarks: 'true',
    };
    return request(this.kube, 'GET', path, { query, signal: this.controller.signal });
  }

  private async relist(): Promise<void> {
    this.kube.log(4, `${this.target.what}: history from resourceVersion ${this.rv} is gone; listing again`);
    const fresh = await this.target.relist();
    this.rv = fresh.resourceVersion;
    for (const item of fresh.items) this.deliver(item, false);
  }

  private async connectOrRelist(connect: () => Promise<Answer>): Promise<Answer> {
    try {
      return await connect();
    } catch (err) {
      if (httpStatusOf(err) !== 410) throw err;
      await this.relist();
      return connect();
    }
  }

  /** Reads events until the server ends the stream; an ERROR event is thrown as the API error it carries. */
  private async consume(res: Answer): Promise<void> {
    for await (const line of createInterface({ input: res, crlfDelay: Infinity })) {
      if (!line) continue;
      const event = JSON.parse(line) as { type: string; object: T & { code?: number; message?: string } };
      if (event.type === 'ERROR') throw new ApiError(event.object.code ?? 500, JSON.stringify(event.object));
      this.rv = event.object.metadata?.resourceVersion ?? this.rv;
      if (event.type !== 'BOOKMARK') this.deliver(event.object, event.type === 'DELETED');
    }
  }

  /** Follows the stream, resuming after each end or failure that another try may mend, until stopped. */
  private async run(first: Answer): Promise<void> {
    let failures = 0;
    for (let res: Answer | undefined = first; !this.stopped; ) {
      try {
        res ??= await this.connectOrRelist(() => this.request());
        await this.consume(res);
        failures = 0;
        this.kube.log(4, `${this.target.what}: closed by the server; resuming from resourceVersion ${this.rv}`);
      } catch (err) {
        if (this.stopped) return;
        failures = await this.recover(err, failures);
      }
      res = undefined;
    }
  }

  /** After a failure: list again (410), wait as the retry policy says, or give up on a refusal. Failures in a row. */
  private async recover(err: unknown, failures: number): Promise<number> {
    const code = httpStatusOf(err);
    if (code === 410) {
      await this.relist();
      return 0;
    }
    if (code !== undefined && !retryable(err)) throw translate(err, this.kube, this.target.what);
    // A reset connection or an idle body timeout: the history is still there, so resume where we were.
    const delay = retryDelayMs(failures + 1, err);
    const why = code ? `HTTP ${code}` : (err as Error).message;
    this.kube.log(4, `${this.target.what}: ${why}; resuming from resourceVersion ${this.rv} in ${delay} ms`);
    await this.pause(delay);
    return failures + 1;
  }

  /** A wait that ends when the watch is stopped: a stopped watch must not keep the process alive for its backoff. */
  private pause(ms: number): Promise<void> {
    const signal = this.controller.signal;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

export async function openWatch<T extends Versioned>(kube: Kube, target: WatchTarget<T>): Promise<OpenWatch<T>> {
  const watch = new Watch(kube, target);
  await watch.open();
  return watch;
}
