// argv → one command → an exit code, in kubectl's order: parse, validate (usage errors before anything is read),
// complete (the connection: kubeconfig, context, namespace, credentials, resolved once here), run. Errors become one
// `error:` line: 2 for wrong usage, 1 for everything else; a stack trace only at -v 6 and up.
import { exitCodeOf, UsageError } from '../errors.ts';
import { loadKube } from '../kube/load.ts';
import type { Transport } from '../kube/transport.ts';
import { validateConnectionFlags } from '../options/connection.ts';
import { helpText } from '../render/help.ts';
import { wrapLimit } from '../render/wrap.ts';
import { subcommands } from './commands.ts';
import { runComplete } from './complete.ts';
import type { IO } from './io.ts';
import { parse } from './parse.ts';
import { version } from '../version.ts';

/** `transport` replaces HTTP to the API server: the flow tests (test/flow/) script one. */
export async function main(argv: string[], io: IO, transport?: Transport): Promise<number> {
  if (argv[0] === '__complete') return runComplete(argv.slice(1), io);
  let verbosity = 0;
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
    verbosity = conn.verbosity;
    const opts = command.validate(input);
    if (opts instanceof UsageError) throw opts;
    if (!command.connects) return command.run(opts, io);
    const kube = (await loadKube()).connect(conn, (line) => io.err(`${line}\n`), transport);
    return await command.run(opts, kube, io);
  } catch (err) {
    return report(err, io, verbosity);
  }
}

function report(err: unknown, io: IO, verbosity: number): number {
  const code = exitCodeOf(err);
  if (code === 2) {
    io.err(`error: ${(err as Error).message}\nSee 'kubectl expose-sts --help' for usage.\n`);
    return 2;
  }
  io.err(`error: ${(err as Error)?.message ?? String(err)}\n`);
  if (verbosity >= 6 && err instanceof Error && err.stack) io.err(`${err.stack}\n`);
  return code;
}
