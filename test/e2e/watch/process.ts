// A process left running while its caller changes the cluster (a watch): its output as it comes, waited on line by
// line, and stopped with a signal as a terminal's Ctrl-C or a Pod's SIGTERM stops it. Free of vitest, so the watch
// benchmark (bench/watch.ts) follows the plugin with it too.
import { spawn } from 'node:child_process';

export interface Stopped {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From the signal to the exit. */
  exitMs: number;
}

export interface Following {
  readonly pid: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the first match in stdout or stderr from `from` (a length already seen) on. */
  until(stream: 'stdout' | 'stderr', pattern: RegExp, opts?: { timeoutMs?: number; from?: number }): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<Stopped>;
}

/** Starts `cmd`; killed with SIGKILL after `guardMs` if still running (0: never, for a long benchmark). */
export function followProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, guardMs = 600_000): Following {
  const child = spawn(cmd, args, { env });
  const out = { stdout: '', stderr: '' };
  const waiters: (() => void)[] = [];
  const heard = () => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on('data', (d: Buffer) => {
    out.stdout += d;
    heard();
  });
  child.stderr.on('data', (d: Buffer) => {
    out.stderr += d;
    heard();
  });
  let exited: { code: number | null } | undefined;
  const exit = new Promise<void>((resolve) =>
    child.on('close', (code) => {
      exited = { code };
      heard();
      resolve();
    }),
  );
  const guard = guardMs ? setTimeout(() => child.kill('SIGKILL'), guardMs) : undefined;
  return {
    pid: child.pid,
    get stdout() {
      return out.stdout;
    },
    get stderr() {
      return out.stderr;
    },
    until(stream, pattern, { timeoutMs = 60_000, from = 0 } = {}) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`no ${pattern} on ${stream} within ${timeoutMs} ms:\n${out.stdout}\n---\n${out.stderr}`)),
          timeoutMs,
        );
        const check = () => {
          const m = out[stream].slice(from).match(pattern);
          if (m) {
            clearTimeout(timer);
            return resolve(m[0]);
          }
          if (exited) {
            clearTimeout(timer);
            return reject(new Error(`exited ${exited.code} before ${pattern}:\n${out.stdout}\n---\n${out.stderr}`));
          }
          waiters.push(check);
        };
        check();
      });
    },
    async stop(signal = 'SIGINT') {
      const sent = Date.now();
      child.kill(signal);
      await exit;
      clearTimeout(guard);
      return { code: exited?.code ?? null, ...out, exitMs: Date.now() - sent };
    },
  };
}
