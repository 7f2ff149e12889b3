// The command line read the way kubectl reads it (cobra and pflag), before yargs sees it. yargs differs in what users
// meet: it takes `--dns-ttl -5s` as two flags (pflag: the value of --dns-ttl is "-5s"), names an unknown flag as an
// "argument", reads `--wait false` as a value, and knows no `help COMMAND`. This pass finds the command, names an
// unknown flag in pflag's words, and hands yargs every flag as one `--name=value` word, so yargs only fills in values.
import { UsageError } from '../errors.ts';
import { type FlagSpec, type FlagSpecs, flagName } from '../options/flags.ts';

/** The flags one command line may hold, by name and by shorthand. */
export interface FlagTable {
  long: Map<string, FlagSpec>;
  short: Map<string, string>;
}

export function flagTable(...specs: FlagSpecs[]): FlagTable {
  const long = new Map<string, FlagSpec>();
  const short = new Map<string, string>();
  for (const s of specs) {
    for (const [key, spec] of Object.entries(s)) {
      const name = flagName(key);
      long.set(name, spec);
      if (spec.short) short.set(spec.short, name);
    }
  }
  return { long, short };
}

/** Whether the word after this flag is its value: a flag that is not a switch and has no value of its own when bare. */
const takesNext = (spec: FlagSpec | undefined) => !!spec && spec.type !== 'boolean' && spec.bare === undefined;

/** One flag word read: its long name, and its value if the word (or the next one) holds it. */
interface Flag {
  name: string;
  value?: string;
  /** The words it took: 1, or 2 when its value is the next word. */
  took: number;
}

function readFlag(words: string[], i: number, table: FlagTable, strict: boolean): Flag | undefined {
  const word = words[i];
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    const name = eq < 0 ? word.slice(2) : word.slice(2, eq);
    const value = eq < 0 ? undefined : word.slice(eq + 1);
    const spec = table.long.get(name) ?? negated(name, table);
    if (!spec) {
      if (strict) throw new UsageError(`unknown flag: --${name}`);
      return undefined;
    }
    if (value === undefined && takesNext(spec) && table.long.has(name)) {
      if (i + 1 >= words.length) {
        if (strict) throw new UsageError(`flag needs an argument: --${name}`);
        return { name, took: 1 };
      }
      return { name, value: words[i + 1], took: 2 };
    }
    return { name, value, took: 1 };
  }
  // -n data, -ndata, -n=data; -h
  const letter = word[1];
  const name = table.short.get(letter);
  if (!name) {
    if (strict) throw new UsageError(`unknown shorthand flag: '${letter}' in ${word}`);
    return undefined;
  }
  const spec = table.long.get(name);
  const rest = word.slice(2).replace(/^=/, '');
  if (rest) return { name, value: rest, took: 1 };
  if (takesNext(spec)) {
    if (i + 1 >= words.length) {
      if (strict) throw new UsageError(`flag needs an argument: '${letter}' in ${word}`);
      return { name, took: 1 };
    }
    return { name, value: words[i + 1], took: 2 };
  }
  return { name, took: 1 };
}

/** `--no-adopt`: yargs' negation of a switch, kept for those who write it. */
function negated(name: string, table: FlagTable): FlagSpec | undefined {
  const spec = name.startsWith('no-') ? table.long.get(name.slice(3)) : undefined;
  return spec?.type === 'boolean' ? spec : undefined;
}

const isFlag = (word: string) => word.length > 1 && word.startsWith('-') && word !== '--';

/**
 * The words that are not flags or flag values, up to `--`: the first is the command (or the StatefulSet). Unknown
 * flags are skipped here, so that the command is found before they are named against its own flags.
 */
export function positionals(words: string[], table: FlagTable): { word: string; at: number }[] {
  const out: { word: string; at: number }[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '--') break;
    if (!isFlag(words[i])) {
      out.push({ word: words[i], at: i });
      continue;
    }
    i += (readFlag(words, i, table, false)?.took ?? 1) - 1;
  }
  return out;
}

/**
 * The words with every flag as one `--name=value` word (a switch given bare as `--name=true`), in order; the words
 * after `--` as they are. strict: an unknown flag or a missing value is a UsageError, in pflag's words.
 */
export function normalizeWords(words: string[], table: FlagTable, strict: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word === '--') {
      out.push(...words.slice(i));
      break;
    }
    if (!isFlag(word)) {
      out.push(word);
      continue;
    }
    const flag = readFlag(words, i, table, strict);
    if (!flag) {
      out.push(word);
      continue;
    }
    const spec = table.long.get(flag.name);
    if (flag.value !== undefined) out.push(`--${flag.name}=${flag.value}`);
    else if (spec?.type === 'boolean') out.push(`--${flag.name}=true`);
    else out.push(`--${flag.name}`); // a bare flag with a value of its own (--dry-run), or --no-SWITCH
    i += flag.took - 1;
  }
  return out;
}
