// argv → one command → an exit code: parse, validate, complete (the connection: kubeconfig, context, namespace,
// credentials, resolved once here, and the API bound to it), run. kubectl's commands complete before they validate;
// here validation comes first, so a usage error is reported before any kubeconfig is read. Errors become one
// `error:` line: 2 for wrong usage, 1 for everything else; a stack trace only when EXPOSE_STS_DEBUG is set (kubectl
// prints none at any -v, and a minified trace under every API error at -v 6 read as a crash).
import { CommandError, exitCodeOf, UsageError } from '../errors.ts';
import { loadKube } from '../kube/load.ts';
import type { Transport } from '../kube/transport.ts';
import { validateConnectionFlags } from '../options/connection.ts';
import { helpText } from '../render/help.ts';
import { wrapLimit } from '../render/wrap.ts';
import { subcommands } from './commands.ts';
import { runComplete } from './tab-completion.ts';
import type { IO } from './io.ts';
import { helpCommandOf, parse } from './parse.ts';
import { version } from '../version.ts';

/** `transport` replaces HTTP to the API server: the flow tests (test/flow/) script one. */
export async function main(argv: string[], io: IO, transport?: Transport): Promise<number> {
  if (argv[0] === '__complete') return runComplete(argv.slice(1), io);
  try {
    const { command, input, connection, help, version: showVersion } = parse(argv, { strict: true });
    if (help) {
      const limit = wrapLimit(io.columns);
      io.out(
        !command.connects && command.help
          ? command.help(limit)
          : helpText(command, command.name ? [] : subcommands, limit),
      );
      return 0;
    }
    if (showVersion) {
      io.out(`expose-sts ${version}\n`);
      return 0;
    }
    const conn = validateConnectionFlags(connection);
    if (conn instanceof UsageError) throw conn;
    const opts = command.validate(input);
    if (opts instanceof UsageError) throw opts;
    if (!command.connects) return command.run(opts, io);
    const api = (await loadKube()).connectApi(conn, (line) => io.err(`${line}\n`), transport);
    const code = await command.run(opts, api, io);
    if (code === 0 && conn.warningsAsErrors && api.warnings.size)
      throw new CommandError(`${api.warnings.size} warnings received`); // kubectl's words
    return code;
  } catch (err) {
    return report(err, io, argv);
  }
}

function report(err: unknown, io: IO, argv: string[]): number {
  const code = exitCodeOf(err);
  if (code === 2) {
    io.err(`error: ${(err as Error).message}\nSee '${helpCommandOf(argv)}' for usage.\n`);
    return 2;
  }
  io.err(`error: ${(err as Error)?.message ?? String(err)}\n`);
  if (process.env.EXPOSE_STS_DEBUG && err instanceof Error && err.stack) io.err(`${err.stack}\n`);
  return code;
}
