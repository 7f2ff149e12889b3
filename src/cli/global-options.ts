// kubectl expose-sts options: the connection flags every command takes, listed as `kubectl options` lists kubectl's.
import { connectionFlags } from '../options/connection.ts';
import { flagUsages } from '../render/help.ts';
import { wrapLimit } from '../render/wrap.ts';
import type { LocalCommand } from './command.ts';

export const optionsCommand: LocalCommand<Record<string, never>, void> = {
  name: 'options',
  summary: 'Print the list of flags inherited by all commands',
  description: ['Print the list of flags inherited by all commands.'],
  usage: '',
  statefulSetArg: false,
  examples: [['Print flags inherited by all commands', 'kubectl expose-sts options']],
  flags: {},
  validate: () => undefined,
  connects: false,
  run: (_opts, io) => {
    io.out(globalOptions(wrapLimit(io.columns)));
    return 0;
  },
  // As `kubectl options --help`: the list is the help.
  help: (limit) => globalOptions(limit),
};

function globalOptions(limit: number): string {
  return `The following options can be passed to any command:\n\n${flagUsages(connectionFlags, limit)}`;
}
