// Progress on stderr, only for a person at a terminal: ora (9.4) loops forever on a terminal that reports 0 columns,
// and prints `- text` lines even when not interactive, while a log file wants no animation at all.
export interface Progress {
  update(text: string): void;
  /** Writes a line above the spinner, which then goes on. */
  above(write: () => void): void;
  stop(): void;
}

const silent: Progress = { update: () => undefined, above: (write) => write(), stop: () => undefined };

export async function startProgress(text: string, stream: NodeJS.WriteStream = process.stderr): Promise<Progress> {
  if (!stream.isTTY || !stream.columns || process.env.CI) return silent;
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream, color: process.env.NO_COLOR ? false : 'cyan' }).start();
  return {
    update: (t) => (spinner.text = t),
    above: (write) => {
      spinner.clear();
      write();
      spinner.render();
    },
    stop: () => spinner.stop(),
  };
}
