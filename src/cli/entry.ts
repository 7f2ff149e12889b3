// The CLI part of the single binary: what the launcher (cmd/kubectl-expose_sts.ts) runs for every command.
import { subcommands } from './commands.ts';

export { main } from './main.ts';
/** For the build, which renders their help texts once. */
export const subcommandNames = subcommands.map((c) => c.name);
export { exitOnSignals, processIO } from './io.ts';
