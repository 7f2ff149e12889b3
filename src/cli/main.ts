// Argument parsing and dispatch: argv → one command → an exit code. Errors become one `error:` line (kubectl style):
// 2 for wrong usage, 1 for everything else; a stack trace only at -v 6 and up.
import yargs from 'yargs';
import { exitCodeOf, isCommandError, UsageError } from '../errors.ts';
import { validateExposeFlags } from '../options/expose.ts';
import { connectionFlags, withConnectionFlags } from './connection.ts';
import { exposeExamples, exposeFlags, runExpose, withExposeFlags } from './expose.ts';
import { pruneFlags, runPrune, withPruneFlags } from './prune.ts';
import { runStatus, statusFlags, withStatusFlags } from './status.ts';
import { validatePruneFlags, validateStatusFlags } from '../options/scope.ts';
import { completionHelp, completionScript, runComplete } from './complete.ts';
import { completionFlagSpecs, withFlags } from './flags.ts';
import type { IO } from './io.ts';

declare const EXPOSE_STS_VERSION: string | undefined; // set by the build
export const version = typeof EXPOSE_STS_VERSION !== 'undefined' ? EXPOSE_STS_VERSION : 'v0.0.0-dev';

export async function main(argv: string[], io: IO): Promise<number> {
  if (argv[0] === '__complete') return runComplete(argv.slice(1), io);
  let result: Promise<number> = Promise.resolve(0);
  let verbosity = 0;
  /** complete → validate → run, the same for every command (kubectl's Options pattern). */
  const run = <F, O>(args: unknown, read: (raw: Record<string, unknown>) => F, validate: (f: F) => O | UsageError,
    exec: (o: O, conn: Exclude<ReturnType<typeof connectionFlags>, UsageError>, io: IO) => Promise<number>) => {
    const raw = args as Record<string, unknown>;
    const conn = connectionFlags(raw);
    if (conn instanceof UsageError) throw conn;
    verbosity = conn.verbosity;
    const opts = validate(read(raw));
    if (opts instanceof UsageError) throw opts;
    result = exec(opts, conn, io);
  };
  const parser = withConnectionFlags(
    yargs(argv)
      .scriptName('kubectl expose-sts')
      .usage('Expose each pod of a StatefulSet through a Service of its own.\n\nUsage:\n  $0 STATEFULSET [flags]')
      .command('$0 [statefulset]', 'Create or update one Service per pod of the StatefulSet', (y) => {
        let b = withExposeFlags(y);
        for (const [cmd, text] of exposeExamples) b = b.example(cmd, text);
        return b;
      }, (args) => run(args, exposeFlags, validateExposeFlags, runExpose))
      .command('status [statefulset]', 'Show what is exposed, where it answers, and what has drifted', withStatusFlags,
        (args) => run(args, statusFlags, validateStatusFlags, runStatus))
      .command('prune [statefulset]', 'Delete managed Services that no longer match a pod', withPruneFlags,
        (args) => run(args, pruneFlags, validatePruneFlags, runPrune))
      .command('completion', 'How to install shell completion for this plugin', (y) => withFlags(y, completionFlagSpecs), (args) => {
        io.out((args as { script?: boolean }).script ? completionScript : completionHelp());
      }),
  )
    .parserConfiguration({ 'camel-case-expansion': true, 'boolean-negation': true, 'strip-aliased': true })
    .strict()
    .version('version', 'Print the version', `expose-sts ${version}`)
    .help('help')
    .alias('help', 'h')
    .wrap(100) // fixed, like kubectl's help, and so the texts rendered at build time are the same everywhere
    .exitProcess(false)
    .fail((msg, err) => {
      throw isCommandError(err) ? err : new UsageError(msg ?? err?.message ?? 'invalid arguments');
    });

  try {
    await parser.parseAsync(argv, {}, (err, _args, output) => {
      // yargs hands --help and --version text here instead of printing it, so it goes to stdout like kubectl's.
      if (!err && output) io.out(output.endsWith('\n') ? output : `${output}\n`);
    });
    return await result;
  } catch (err) {
    return report(err, io, verbosity);
  }
}

function report(err: unknown, io: IO, verbosity: number): number {
  if (exitCodeOf(err) === 2) {
    io.err(`error: ${(err as Error).message}\nSee 'kubectl expose-sts --help' for usage.\n`);
    return 2;
  }
  const code = exitCodeOf(err);
  io.err(`error: ${(err as Error)?.message ?? String(err)}\n`);
  if (verbosity >= 6 && err instanceof Error && err.stack) io.err(`${err.stack}\n`);
  return code;
}
