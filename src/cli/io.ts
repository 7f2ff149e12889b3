// Where a command writes: results to stdout, progress and warnings to stderr, as kubectl does.
export interface IO {
  out: (text: string) => void;
  err: (text: string) => void;
  /**
   * What to say if the run is interrupted now: what was already done, so the user knows what a re-run repairs. The
   * step that registers it says it until it calls the function returned; the latest registered speaks; '' says
   * nothing (a watch that is stopped, as kubectl get --watch).
   */
  onInterrupt?: (describe: () => string) => () => void;
  /**
   * For a command that runs until stopped (--watch): `stop` is called on SIGINT or SIGTERM, and the writes in flight
   * (see `writing`) and what `stop` returns (the step in progress) end before the process does, within a few seconds.
   * Returns the function that unregisters it.
   */
  onStop?: (stop: () => Promise<unknown> | undefined) => () => void;
  /** A write in flight, which a stopped watch lets finish (onStop); returns it. */
  writing?: <T>(write: Promise<T>) => Promise<T>;
  /** The width of the terminal stdout is, if it is one (help wraps there, as kubectl's does). */
  readonly columns?: number;
}

/** Exit codes of a shell for a process ended by the signal, as kubectl's are. */
const signalCodes = { SIGINT: 130, SIGTERM: 143 } as const;
/** The running steps' interrupt reports, the innermost last: what IO.onInterrupt registers, and what is said now. */
export function interruptReports() {
  const reports: (() => string)[] = [];
  return {
    onInterrupt: (fn: () => string) => {
      reports.push(fn);
      return () => {
        const i = reports.lastIndexOf(fn);
        if (i >= 0) reports.splice(i, 1);
      };
    },
    now: (): string | undefined => reports.at(-1)?.(),
  };
}

const interrupts = interruptReports();

/**
 * How long a stopped watch's writes in flight may take before the process exits anyway: a Pod's SIGTERM is followed
 * by SIGKILL after terminationGracePeriodSeconds (30 s by default), and a write is one request.
 */
const stopGraceMs = 5_000;
const writes = new Set<Promise<unknown>>();
let stopping: (() => Promise<unknown> | undefined) | undefined;

/** Stops a watch that registered with onStop, then waits for its step and writes in flight (at most stopGraceMs). */
async function stopWatch(): Promise<void> {
  if (!stopping) return;
  const step = stopping();
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise((resolve) => {
    timer = setTimeout(resolve, stopGraceMs);
  });
  await Promise.race([Promise.allSettled([...writes, step]), grace]);
  clearTimeout(timer);
}

export const processIO: IO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  onInterrupt: interrupts.onInterrupt,
  onStop: (stop) => {
    stopping = stop;
    return () => {
      if (stopping === stop) stopping = undefined;
    };
  },
  writing: (write) => {
    writes.add(write);
    const done = () => writes.delete(write);
    write.then(done, done);
    return write;
  },
  get columns() {
    return process.stdout.isTTY ? process.stdout.columns : undefined;
  },
};

/**
 * Exits at once on SIGINT or SIGTERM. Every write is a single request the API server applies whole or not at all,
 * so stopping between them leaves nothing half-written, and a re-run converges; waiting for in-flight requests would
 * only make Ctrl-C slow. A watch (onStop) is the exception: in a Pod, SIGTERM is how it is told to stop, and its
 * writes in flight end first, so its log says what was done. (Replaces the launcher's plain handlers, which cover
 * the time before the CLI is loaded.)
 */
export function exitOnSignals(): void {
  // `kubectl expose-sts status | head`: a reader that stops early ends us quietly, as SIGPIPE ends kubectl (141).
  process.stdout.removeAllListeners('error');
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(128 + 13);
  });
  for (const [signal, code] of Object.entries(signalCodes)) {
    process.removeAllListeners(signal);
    process.once(signal, async () => {
      await stopWatch();
      // A watch that changed nothing ends without a word (its report is ''), as kubectl get --watch does.
      const said = interrupts.now() ?? 'nothing was changed';
      if (said) process.stderr.write(`\ninterrupted: ${said}\n`);
      process.exit(code);
    });
  }
}
