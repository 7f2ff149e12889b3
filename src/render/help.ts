// --help in kubectl's layout (k8s.io/kubectl/pkg/util/templates), made from the same flag definitions that configure
// the parser: the description, Examples (a `# comment` line, then the whole command), the subcommands, Options (the
// command's own flags, `--flag=default:` with the description beneath), Usage, and where the global options are.
// At a wrap limit (a terminal; see wrap.ts) the text is word-wrapped as kubectl wraps it, examples excepted.
import { flagName, type FlagSpec, type FlagSpecs } from '../options/flags.ts';

/** What help says of a command: cli/command.ts's commands are each one. */
export interface About {
  /** The subcommand's name; '' for expose, the command `kubectl expose-sts` itself runs. */
  name: string;
  /** One line, for the list of commands and for completion. */
  summary: string;
  /**
   * Help's opening paragraphs: the summary as a sentence, then the rest each on one line starting with a space, as
   * kubectl writes them (a terminal wraps them; a pipe gets them whole).
   */
  description: readonly string[];
  /** What follows the command's name in the usage line, e.g. `[STATEFULSET]`. */
  usage: string;
  /** [what it does, the command line], shown as kubectl shows examples. */
  examples: readonly (readonly [string, string])[];
  /** Whether the command takes a StatefulSet name (also after `--`, for one named like a command). */
  statefulSetArg: boolean;
}

const plugin = 'kubectl expose-sts';

/** kubectl indents a flag's description with a tab and wraps it this much narrower than the text. */
const flagIndent = 10;

/** Go's wordwrap.WrapString, which kubectl uses: breaks at spaces only, so a long word (a flag, a URL) stays whole. */
export function wordWrap(text: string, limit: number): string {
  if (limit <= 0) return text;
  return text
    .split('\n')
    .map((line) => {
      const out: string[] = [];
      const indent = line.slice(0, line.length - line.trimStart().length);
      let current = '';
      for (const word of line.slice(indent.length).split(' ')) {
        if (current && current.length + 1 + word.length > limit) {
          out.push(current);
          current = word;
        } else {
          current = current ? `${current} ${word}` : word;
        }
      }
      return indent + [...out, current].join('\n');
    })
    .join('\n');
}

function shownDefault(spec: FlagSpec): string {
  if (spec.repeatable) return '[]';
  if (spec.type === 'boolean') return String(spec.default ?? false);
  if (spec.type === 'number') return String(spec.default ?? 0);
  return `'${spec.default ?? ''}'`;
}

/** kubectl's flag list: sorted by name, `    -s, --name=default:`, then the description on tab-indented lines. */
export function flagUsages(specs: FlagSpecs, limit: number): string {
  return Object.entries(specs)
    .map(([key, spec]) => [flagName(key), spec] as const)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, spec]) => {
      const head = `    ${spec.short ? `-${spec.short}, ` : ''}--${name}=${shownDefault(spec)}:`;
      return `${head}\n\t${wordWrap(spec.describe, limit && limit - flagIndent).replaceAll('\n', '\n\t')}\n\n`;
    })
    .join('');
}

/** The help of one command; `subcommands` are listed for the command `kubectl expose-sts` itself runs. */
export function helpText(command: About & { flags: FlagSpecs }, subcommands: About[], limit: number): string {
  const sections: string[] = [wordWrap(command.description.join('\n\n'), limit)];
  if (command.examples.length) {
    const lines = command.examples.flatMap(([what, line], i) => [...(i ? [''] : []), `# ${what}`, line]);
    sections.push(`Examples:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  }
  if (subcommands.length) {
    const pad = Math.max(11, ...subcommands.map((c) => c.name.length)); // cobra's minimum name padding is 11
    const sorted = [...subcommands].sort((a, b) => a.name.localeCompare(b.name));
    sections.push(`Available Commands:\n${sorted.map((c) => `  ${c.name.padEnd(pad)}   ${c.summary}`).join('\n')}`);
  }
  if (Object.keys(command.flags).length) sections.push(`Options:\n${flagUsages(command.flags, limit).trimEnd()}`);
  const path = [plugin, command.name].filter(Boolean).join(' ');
  sections.push(`Usage:\n  ${[path, command.usage, '[options]'].filter(Boolean).join(' ')}`);
  const tips = [
    ...(subcommands.length ? [`Use "${plugin} <command> --help" for more information about a given command.`] : []),
    `Use "${plugin} options" for a list of global command-line options (applies to all commands).`,
  ];
  sections.push(tips.map((t) => wordWrap(t, limit)).join('\n'));
  return `${sections.join('\n\n')}\n`;
}
