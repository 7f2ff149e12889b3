// Service names from --name-template: `{pod}` (the default), `{sts}`, `{ordinal}`, `{namespace}`, or a list of names,
// one per ordinal (plan/per-ordinal.ts).
import { CommandError, isCommandError } from '../errors.ts';
import { dns1035Problem } from './names.ts';
import { type OrdinalOf, parsePerOrdinal, tooFewProblem, valueFor, variesPerMember } from './per-ordinal.ts';

/** A problem with the template itself, found before the StatefulSet is read. */
export function templateProblem(template: string): string | undefined {
  const parsed = parsePerOrdinal(template);
  if (isCommandError(parsed)) return parsed.message;
  if (!variesPerMember(parsed))
    return 'it must contain {pod} or {ordinal} (or a list of names), or every pod would get the same Service name';
  return undefined;
}

/**
 * The name of each ordinal's Service, in the order given, or the first problem: an invalid name is an error before
 * anything is written, never a silent truncation that could collide with another Service.
 */
export function serviceNames(template: string, at: OrdinalOf[]): string[] | CommandError {
  const parsed = parsePerOrdinal(template);
  if (isCommandError(parsed)) return parsed; // templateProblem has refused it already
  const short = tooFewProblem(parsed, at.length);
  if (short) return new CommandError(`--name-template "${template}": ${short}`);
  const names = at.map((o) => valueFor(parsed, o));
  const bad = names.findIndex((name) => dns1035Problem(name));
  if (bad >= 0) {
    return new CommandError(
      `--name-template "${template}" gives "${names[bad]}" for ordinal ${at[bad].ordinal}, which is not a valid Service name: it ${dns1035Problem(names[bad])}`,
    );
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice)
    return new CommandError(
      `--name-template "${template}" gives "${twice}" to two ordinals: Service names must differ`,
    );
  return names;
}
