// Every command of the plugin: expose (what `kubectl expose-sts` runs) and its subcommands.
import { type Command, command } from './command.ts';
import { completionCommand } from './completion.ts';
import { exposeCommand } from './expose.ts';
import { optionsCommand } from './global-options.ts';
import { pruneCommand } from './prune.ts';
import { statusCommand } from './status.ts';

export const commands: readonly Command[] = [
  command(exposeCommand),
  command(statusCommand),
  command(pruneCommand),
  command(completionCommand),
  command(optionsCommand),
];

export const subcommands = commands.filter((c) => c.name !== '');
