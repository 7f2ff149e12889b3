// Arguments → the command, its flags and its StatefulSet. yargs parses, configured only from the flag definitions
// (options/), and shell completion parses what was typed with this same function, so words mean the same to both.
import yargs, { type Argv } from 'yargs';
import { isCommandError, UsageError } from '../errors.ts';
import { type ConnectionFlags, connectionFlags } from '../options/connection.ts';
import { flagName, type FlagSpecs, type Input, withDefaults } from '../options/flags.ts';
import type { Command } from './command.ts';
import { commands, subcommands } from './commands.ts';
import { flagTable, normalizeWords, positionals } from './words.ts';

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

/** --help and --version, which every command takes. */
const builtinFlags = {
  help: { type: 'boolean', short: 'h', describe: 'help for the command' },
  version: { type: 'boolean', describe: 'the version' },
} as const satisfies FlagSpecs;
const anyFlag = flagTable(connectionFlags, builtinFlags, ...commands.map((c) => c.flags));
const expose = commands.find((c) => c.name === '') as Command;

/**
 * The command the words name, and the words as the parser takes them: `help [COMMAND]` is COMMAND's --help, as in
 * kubectl. A word that names no command is the StatefulSet, for expose.
 */
function commandOf(argv: string[]): { command: Command; words: string[] } {
  const [first, second] = positionals(argv, anyFlag);
  if (first?.word === 'help') {
    const named = second && subcommands.find((c) => c.name === second.word);
    if (second && !named)
      throw new UsageError(
        `unknown help topic "${second.word}": the commands are ${subcommands.map((c) => c.name).join(', ')}`,
      );
    const words = argv.filter((_, i) => i !== first.at);
    return { command: named || expose, words: [...words.slice(0, first.at), '--help', ...words.slice(first.at)] };
  }
  return { command: subcommands.find((c) => c.name === first?.word) ?? expose, words: argv };
}

/** The help a usage error points to: the subcommand's own. */
export function helpCommandOf(argv: string[]): string {
  try {
    const { command } = commandOf(argv);
    return `kubectl expose-sts ${command.name ? `${command.name} ` : ''}--help`;
  } catch {
    return 'kubectl expose-sts --help';
  }
}

/**
 * Parses argv. strict (commands): an unknown flag or a stray argument is a UsageError; not strict (completion): what
 * is typed so far is read as far as it goes.
 */
export function parse(argv: string[], { strict }: { strict: boolean }): Parsed {
  let chosen: { command: Command; raw: Record<string, unknown> } | undefined;
  const named = commandOf(argv);
  const shell = named.command.name === 'completion' && positionals(named.words, anyFlag)[1];
  if (strict && shell)
    throw new UsageError(
      `completion takes no shell: kubectl's own completion (kubectl completion ${shell.word}) completes kubectl expose-sts once kubectl_complete-expose_sts is on PATH; kubectl expose-sts completion says how to install it`,
    );
  const words = normalizeWords(named.words, flagTable(connectionFlags, builtinFlags, named.command.flags), strict);
  // yargs' own --help and --version are off: help is kubectl's layout (render/help.ts), printed by main.
  let parser = withFlags(yargs(words).help(false).version(false), connectionFlags)
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
    input: {
      ...readFlags(command.flags, raw),
      statefulSet: command.statefulSetArg ? args[0] : undefined,
      given: Object.keys(command.flags).filter((key) => raw[key] !== undefined),
    } as unknown as Input<FlagSpecs>,
    connection: readFlags(connectionFlags, raw),
    help: raw.help === true,
    version: raw.version === true,
  };
}
