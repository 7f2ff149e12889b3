// Arguments → the command, its flags and its StatefulSet. yargs parses, configured only from the flag definitions
// (options/), and shell completion parses what was typed with this same function, so words mean the same to both.
import yargs, { type Argv } from 'yargs';
import { isCommandError, UsageError } from '../errors.ts';
import { type ConnectionFlags, connectionFlags } from '../options/connection.ts';
import { flagName, type FlagSpecs, type Input, withDefaults } from '../options/flags.ts';
import type { Command } from './command.ts';
import { commands } from './commands.ts';

export interface Parsed {
  command: Command;
  /** The command's flags and StatefulSet, for its validate. */
  input: Input<FlagSpecs>;
  connection: ConnectionFlags;
  help: boolean;
  version: boolean;
}

function withFlags<T>(y: Argv<T>, specs: FlagSpecs): Argv<T> {
  let out = y;
  for (const [key, f] of Object.entries(specs)) {
    const name = flagName(key);
    // Defaults are filled in by readFlags, so that yargs' output says what was given. A flag given twice arrives as
    // an array: repeatable ones keep every value, the others their last (kubectl).
    out = out.option(name, {
      alias: f.short === name ? undefined : f.short,
      type: f.type === 'boolean' ? 'boolean' : 'string',
    });
  }
  return out;
}

/** yargs' values → typed flag values: the last of a repeated flag, a bare flag's value, the defaults. */
function readFlags<S extends FlagSpecs>(specs: S, raw: Record<string, unknown>) {
  const given: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const v = raw[key];
    if (v === undefined) continue;
    const values = (Array.isArray(v) ? v : [v]) as unknown[];
    if (spec.type === 'boolean') given[key] = values.at(-1) === true;
    else if (spec.repeatable) given[key] = values.map(String);
    else given[key] = values.at(-1) === '' && spec.bare !== undefined ? spec.bare : String(values.at(-1));
  }
  return withDefaults(specs, given as Partial<Record<keyof S, unknown>>);
}

/** A stray argument; `k=b` is most likely what the shell made of an unquoted `--annotations 'k={a,b}'`. */
const unknown = (message: string) =>
  new UsageError(
    /^Unknown arguments?: .*=/.test(message)
      ? `${message} (a value with a list in braces must be quoted: the shell expands it)`
      : message,
  );

interface YargsInternals {
  getInternalMethods?: () => { getUsageInstance: () => { cacheHelpMessage: () => void } };
}

/**
 * Parses argv. strict (commands): an unknown flag or a stray argument is a UsageError; not strict (completion): what
 * is typed so far is read as far as it goes.
 */
export function parse(argv: string[], { strict }: { strict: boolean }): Parsed {
  let chosen: { command: Command; raw: Record<string, unknown> } | undefined;
  // yargs' own --help and --version are off: help is kubectl's layout (render/help.ts), printed by main.
  let parser = withFlags(yargs(argv).help(false).version(false), connectionFlags)
    .option('help', { alias: 'h', type: 'boolean' })
    .option('version', { type: 'boolean' });
  for (const command of commands) {
    const use = [command.name || '$0', ...(command.statefulSetArg ? ['[statefulset]'] : [])].join(' ');
    parser = parser.command(
      use,
      command.summary,
      (y) => withFlags(y, command.flags),
      (raw) => {
        chosen = { command, raw };
      },
    );
  }
  // yargs renders a subcommand's whole help each time one runs, to cache it for a later showHelp (command.js); help
  // here is render/help.ts's, so that is ≈ 15 ms of string-width and Intl.Segmenter work thrown away on every
  // `status` and `prune` (CPU profile, bench/ANALYSIS.md P7). There is no option to turn it off.
  const usage = (parser as unknown as YargsInternals).getInternalMethods?.().getUsageInstance();
  if (usage) usage.cacheHelpMessage = () => undefined;
  parser
    .parserConfiguration({
      'camel-case-expansion': true,
      'boolean-negation': true,
      'strip-aliased': true,
      'populate--': true,
    })
    .strict(strict)
    .exitProcess(false)
    .fail((msg, err) => {
      throw isCommandError(err) ? err : unknown(msg ?? err?.message ?? 'invalid arguments');
    })
    .parseSync();
  if (!chosen) throw new UsageError('invalid arguments');
  const { command, raw } = chosen;
  // After `--` every word is an argument, never a command: `kubectl expose-sts -- status` exposes a StatefulSet
  // named status, as cobra reads it.
  const args = [raw.statefulset, ...((raw['--'] as unknown[] | undefined) ?? [])]
    .filter((a) => a !== undefined)
    .map(String);
  if (strict && args.length > (command.statefulSetArg ? 1 : 0)) throw unknown(`Unknown argument: ${args.at(-1)}`);
  return {
    command,
    input: { ...readFlags(command.flags, raw), statefulSet: command.statefulSetArg ? args[0] : undefined },
    connection: readFlags(connectionFlags, raw),
    help: raw.help === true,
    version: raw.version === true,
  };
}
