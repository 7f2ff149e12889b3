// A scripted stand-in for the project's own transport (src/kube/transport.ts), for the control flow a real API server
// cannot reach cheaply: a watch closed or gone (410), a 429 to retry, a timeout, an interrupt between two writes. Each
// route answers with replies written in the API server's own shapes (Status objects, watch events as JSON lines),
// one per request, the last one repeating. It models no API behaviour: the e2e suite is the proof on a real server.
import { PassThrough, Readable } from 'node:stream';
import type { Answer, Outgoing, Transport } from '../../src/kube/transport.ts';

export interface Request {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
}

/** A JSON answer; a watch's stream; a connection reset before any answer; or an answer the test releases later. */
export type Reply =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { watch: WatchStream }
  | { reset: true }
  | { after: Promise<unknown>; reply: Reply };

type Route = {
  method: string;
  path: string;
  when: (req: Request) => boolean;
  replies: (Reply | ((req: Request) => Reply))[];
};

/** A watch the test drives: events are sent as the API server sends them, one JSON object per line. */
export class WatchStream {
  readonly body = new PassThrough();
  event(type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK', object: unknown): this {
    this.body.write(`${JSON.stringify({ type, object })}\n`);
    return this;
  }
  /** What the API server sends when the watch's resourceVersion is too old, or another error ends it. */
  error(code: number, reason: string, message: string): this {
    this.body.write(`${JSON.stringify({ type: 'ERROR', object: status(code, reason, message) })}\n`);
    return this;
  }
  /** The server closes the watch (its timeout, a restart): the client resumes. */
  close(): void {
    this.body.end();
  }
}

/** A metav1.Status, as the API server answers errors. */
export function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export class FakeApi implements Transport {
  readonly requests: Request[] = [];
  /** Requests no route answered: a test asserts there are none. */
  readonly unexpected: Request[] = [];
  private routes: Route[] = [];

  /** Answers `method path` with the replies, in order; a later route for the same request comes first. */
  on(method: string, path: string, ...replies: Route['replies']): this {
    return this.onWhere(method, path, () => true, ...replies);
  }

  /** The same, for the requests `when` accepts (say, only the watches of a path). */
  onWhere(method: string, path: string, when: (req: Request) => boolean, ...replies: Route['replies']): this {
    this.routes.unshift({ method, path, when, replies });
    return this;
  }

  /** The requests made to `method path` so far. */
  made(method: string, path: string): Request[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  async send(out: Outgoing): Promise<Answer> {
    const req: Request = {
      method: out.method,
      path: out.url.pathname,
      query: Object.fromEntries(out.url.searchParams),
      body: out.body === undefined ? undefined : JSON.parse(out.body),
    };
    this.requests.push(req);
    const route = this.routes.find((r) => r.method === req.method && r.path === req.path && r.when(req));
    if (!route) {
      this.unexpected.push(req);
      return answer(
        { status: 501, body: status(501, 'NotImplemented', `no reply scripted for ${req.method} ${req.path}`) },
        out,
      );
    }
    const next = route.replies.length > 1 ? route.replies.shift()! : route.replies[0];
    return answer(typeof next === 'function' ? next(req) : next, out);
  }
}

async function answer(reply: Reply, out: Outgoing): Promise<Answer> {
  if ('after' in reply) {
    await reply.after;
    return answer(reply.reply, out);
  }
  if ('reset' in reply) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  if ('watch' in reply) {
    const body = reply.watch.body;
    // The client's abort (the watch closed, or the command done) ends the stream, as closing the socket would.
    out.signal?.addEventListener('abort', () => body.destroy());
    return Object.assign(body, { statusCode: 200, headers: {} });
  }
  const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
  const headers = Object.fromEntries(Object.entries(reply.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.assign(Readable.from([Buffer.from(text)]), { statusCode: reply.status, headers });
}
