// Service names from --name-template: `{pod}` (the default), `{sts}`, `{ordinal}`, `{namespace}`, or a list of names,
// one per ordinal (plan/per-ordinal.ts).
import { dns1035Problem } from '../options/values.ts';
import { type OrdinalOf, parsePerOrdinal, tooFewProblem, valueFor } from './per-ordinal.ts';

/** A problem with the template itself, found before the StatefulSet is read. */
export function templateProblem(template: string): string | undefined {
  const parsed = parsePerOrdinal(template);
  if (typeof parsed === 'string') return parsed;
  const varies = parsed.parts.some(
    (p) => typeof p === 'object' && ('list' in p || ['pod', 'ordinal'].includes(p.placeholder)),
  );
  if (!varies)
    return 'it must contain {pod} or {ordinal} (or a list of names), or every pod would get the same Service name';
  return undefined;
}

/**
 * The name of each ordinal's Service, in the order given, or the first problem: an invalid name is an error before
 * anything is written, never a silent truncation that could collide with another Service.
 */
export function serviceNames(template: string, at: OrdinalOf[]): string[] | string {
  const parsed = parsePerOrdinal(template);
  if (typeof parsed === 'string') return parsed; // templateProblem has refused it already
  const short = tooFewProblem(parsed, at.length);
  if (short) return `--name-template "${template}": ${short}`;
  const names = at.map((o) => valueFor(parsed, o));
  const bad = names.findIndex((name) => dns1035Problem(name));
  if (bad >= 0) {
    return `--name-template "${template}" gives "${names[bad]}" for ordinal ${at[bad].ordinal}, which is not a valid Service name: it ${dns1035Problem(names[bad])}`;
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) return `--name-template "${template}" gives "${twice}" to two ordinals: Service names must differ`;
  return names;
}
