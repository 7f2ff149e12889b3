// Where a command writes: results to stdout, progress and warnings to stderr, as kubectl does.
export interface IO {
  out: (text: string) => void;
  err: (text: string) => void;
  /**
   * What to say if the run is interrupted now: what was already done, so the user knows what a re-run repairs. The
   * step that registers it says it until it calls the function returned; the latest registered speaks.
   */
  onInterrupt?: (describe: () => string) => () => void;
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

export const processIO: IO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  onInterrupt: interrupts.onInterrupt,
  get columns() {
    return process.stdout.isTTY ? process.stdout.columns : undefined;
  },
};

/**
 * Exits at once on SIGINT or SIGTERM. Every write is a single request the API server applies whole or not at all,
 * so stopping between them leaves nothing half-written, and a re-run converges; waiting for in-flight requests would
 * only make Ctrl-C slow. (Replaces the launcher's plain handlers, which cover the time before the CLI is loaded.)
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
    process.once(signal, () => {
      process.stderr.write(`\ninterrupted: ${interrupts.now() ?? 'nothing was changed'}\n`);
      process.exit(code);
    });
  }
}
