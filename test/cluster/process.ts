// Starting and stopping the cluster's processes. They are detached so that `cluster:up` can exit and leave them
// running; a record of their pids lets any later process (cluster:down, the next test run) stop them.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it holds, failing early if a cluster process died (`crashed` names it, with its log). */
export async function waitFor(
  what: string | (() => string),
  check: () => Promise<boolean>,
  timeoutMs: number,
  crashed: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const describe = () => (typeof what === 'string' ? what : what());
  for (;;) {
    const dead = crashed();
    if (dead) throw new Error(`${dead} exited while waiting for ${describe()}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${describe()}`);
    await sleep(100);
  }
}

/** True while the process exists and is not a zombie (a zombie has exited; only its parent can reap it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) is all we have
  }
}

/** The process's command line, to be sure a recorded pid still belongs to us before signalling it. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

export interface Started {
  name: string;
  pid: number;
  /** Where its stdout and stderr go. */
  logFile: string;
  exited: () => boolean;
}

export function startProcess(
  name: string,
  cmd: string,
  args: string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Started {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  let exited = false;
  child.on('exit', () => (exited = true)); // Node reaps our own children; this lets callers notice an early crash
  child.on('error', () => (exited = true));
  child.unref();
  if (child.pid === undefined) throw new Error(`cannot start ${name} (${cmd})`);
  return { name, pid: child.pid, logFile, exited: () => exited || !isAlive(child.pid!) };
}

/**
 * SIGTERM, then SIGKILL after `graceMs`; resolves only when every process is gone, because kube-apiserver can take
 * seconds to exit and a caller that moves on early would leave it holding ports and files.
 */
export async function stopProcesses(pids: number[], owns: (pid: number) => boolean, graceMs = 8000): Promise<void> {
  const ours = pids.filter((pid) => isAlive(pid) && owns(pid));
  for (const pid of ours) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (ours.some(isAlive) && Date.now() < deadline) await sleep(50);
  const stubborn = ours.filter(isAlive);
  for (const pid of stubborn) signal(pid, 'SIGKILL');
  const killDeadline = Date.now() + 5000;
  while (stubborn.some(isAlive) && Date.now() < killDeadline) await sleep(50);
  const left = ours.filter(isAlive);
  if (left.length) throw new Error(`processes ${left.join(', ')} did not exit after SIGKILL`);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
