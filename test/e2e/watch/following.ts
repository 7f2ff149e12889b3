// A `kubectl expose-sts … --watch` left running while a test changes the cluster: its output as it comes, waited on
// line by line, and stopped with a signal as a terminal's Ctrl-C or a Pod's SIGTERM stops it.
import { spawn } from 'node:child_process';
import { inject } from 'vitest';
import type { ClusterInfo } from '../../cluster/cluster.ts';
import { pluginBinDir } from '../helpers.ts';

export interface Stopped {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From the signal to the exit. */
  exitMs: number;
}

export interface Following {
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the first match in stdout or stderr from `from` (a length already seen) on. */
  until(stream: 'stdout' | 'stderr', pattern: RegExp, opts?: { timeoutMs?: number; from?: number }): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<Stopped>;
}

/**
 * `kubectl expose-sts ARGS`, or with `command` the plugin started as that says (the binary itself, as in a pod).
 */
export function follow(
  args: string[],
  opts: { cluster?: ClusterInfo; kubeconfig?: string; env?: NodeJS.ProcessEnv; command?: string[] } = {},
): Following {
  const cluster = opts.cluster ?? inject('cluster');
  const [cmd, ...before] = opts.command ?? [`${cluster.binDir}/kubectl`, 'expose-sts'];
  const child = spawn(cmd, [...before, ...args], {
    env: {
      PATH: `${pluginBinDir}:${cluster.binDir}:/usr/bin:/bin`,
      HOME: process.env.HOME,
      KUBECONFIG: opts.kubeconfig ?? cluster.kubeconfig,
      ...opts.env,
    },
  });
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
  const guard = setTimeout(() => child.kill('SIGKILL'), 600_000);
  return {
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
