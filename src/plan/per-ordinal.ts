// Values that differ per ordinal, in --name-template, --annotations and --labels: `{pod}`, `{sts}`, `{ordinal}` and
// `{namespace}` are replaced by each Service's own, and a list in braces, `{a,b,c}`, gives the first ordinal of the
// StatefulSet `a`, the next `b`, and so on — the way one writes per-member values for a cloud (Elastic IP
// allocations, static address names) or for external-dns (host names). Braces read like the shell's own lists, which
// is also why such a value must be quoted: unquoted, the shell expands `k={a,b}` into two words.
import { CommandError } from '../errors.ts';
import { podName } from './ordinal.ts';

const placeholders = ['pod', 'sts', 'ordinal', 'namespace'] as const;
type Placeholder = (typeof placeholders)[number];

type Part = string | { placeholder: Placeholder } | { list: string[] };

/** A value as given: literal text, placeholders and lists. */
export interface PerOrdinal {
  text: string;
  parts: Part[];
}

/** Where one Service stands: its StatefulSet, its ordinal and its position among the ordinals (0 for the first). */
export interface OrdinalOf {
  statefulSet: string;
  ordinal: number;
  index: number;
  namespace: string;
}

/**
 * Parses a value, or says what is wrong with it. Braces around anything else are kept as they are: JSON in an
 * annotation (`{"ingress": true}`) is text, and so is a lone brace.
 */
export function parsePerOrdinal(text: string): PerOrdinal | CommandError {
  const parts: Part[] = [];
  let literal = '';
  let rest = text;
  for (let m = /\{([^{}]*)\}/.exec(rest); m; m = /\{([^{}]*)\}/.exec(rest)) {
    literal += rest.slice(0, m.index);
    rest = rest.slice(m.index + m[0].length);
    const inside = m[1];
    let part: Part | undefined;
    if ((placeholders as readonly string[]).includes(inside)) part = { placeholder: inside as Placeholder };
    else if (/^[\w.-]+$/.test(inside)) {
      return new CommandError(
        `unknown placeholder {${inside}}: use {pod}, {sts}, {ordinal}, {namespace}, or a list {a,b,…} with one item per ordinal`,
      );
    } else if (inside.includes(',') && !/["':]/.test(inside)) {
      const list = inside.split(',').map((v) => v.trim());
      if (list.some((v) => v === '')) return new CommandError(`the list {${inside}} has an empty item`);
      part = { list };
    }
    if (!part) {
      literal += m[0];
      continue;
    }
    if (literal) parts.push(literal);
    literal = '';
    parts.push(part);
  }
  literal += rest;
  if (literal) parts.push(literal);
  return { text, parts };
}

/** How many ordinals the value's lists cover (the shortest list), or undefined when it has none. */
function listLength(v: PerOrdinal): number | undefined {
  const lengths = v.parts.flatMap((p) => (typeof p === 'object' && 'list' in p ? [p.list.length] : []));
  return lengths.length ? Math.min(...lengths) : undefined;
}

/** Why the value's lists cannot serve `count` ordinals (how many items are missing), if they cannot. */
export function tooFewProblem(v: PerOrdinal, count: number): string | undefined {
  const have = listLength(v);
  if (have === undefined || have >= count) return undefined;
  return `its list has ${have} item${have === 1 ? '' : 's'} for ${count} ordinals: add ${count - have} more`;
}

/** The value for one Service; every list must reach its index (checked before, with tooFewProblem). */
export function valueFor(v: PerOrdinal, at: OrdinalOf): string {
  return v.parts
    .map((p) => {
      if (typeof p === 'string') return p;
      if ('list' in p) return p.list[at.index];
      switch (p.placeholder) {
        case 'pod':
          return podName(at.statefulSet, at.ordinal);
        case 'sts':
          return at.statefulSet;
        case 'ordinal':
          return String(at.ordinal);
        case 'namespace':
          return at.namespace;
      }
      return '';
    })
    .join('');
}

/**
 * Whether the value differs from one member to the next ({pod}, {ordinal} or a list), as a Service's name must;
 * {sts} and {namespace} are the same for all.
 */
export const variesPerMember = (v: PerOrdinal) =>
  v.parts.some((p) => typeof p === 'object' && ('list' in p || ['pod', 'ordinal'].includes(p.placeholder)));

/** The same value for every ordinal: nothing in it varies. */
export const isFixed = (v: PerOrdinal) => v.parts.every((p) => typeof p === 'string');
