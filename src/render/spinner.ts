// Progress on stderr, only for a person at a terminal: ora loops forever on a 0-column terminal, and a log file
// wants no animation at all (../shared/library-notes.md).
export interface Progress {
  update(text: string): void;
  stop(): void;
}

const silent: Progress = { update: () => undefined, stop: () => undefined };

export async function startProgress(text: string, stream: NodeJS.WriteStream = process.stderr): Promise<Progress> {
  if (!stream.isTTY || !stream.columns || process.env.CI) return silent;
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream, color: process.env.NO_COLOR ? false : 'cyan' }).start();
  return { update: (t) => (spinner.text = t), stop: () => spinner.stop() };
}
