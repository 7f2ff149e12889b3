// Service names from --name-template: `{pod}` (default), `{sts}`, `{ordinal}`.
import { dns1035Problem } from '../options/values.ts';
import { podName } from './ordinal.ts';

const placeholders = ['pod', 'sts', 'ordinal'];

/** A problem with the template itself, found before the StatefulSet is read. */
export function templateProblem(template: string): string | undefined {
  const unknown = [...template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).find((p) => !placeholders.includes(p));
  if (unknown !== undefined) return `unknown placeholder {${unknown}}: use {pod}, {sts} or {ordinal}`;
  if (!/\{(pod|ordinal)\}/.test(template))
    return 'it must contain {pod} or {ordinal}, or every pod would get the same Service name';
  return undefined;
}

function serviceName(template: string, statefulSet: string, ordinal: number): string {
  return template
    .replaceAll('{pod}', podName(statefulSet, ordinal))
    .replaceAll('{sts}', statefulSet)
    .replaceAll('{ordinal}', String(ordinal));
}

/**
 * The name of each ordinal's Service, in the order given, or the first problem: an invalid name is an error before
 * anything is written, never a silent truncation that could collide with another Service. The names are distinct:
 * templateProblem insists on {pod} or {ordinal}.
 */
export function serviceNames(template: string, statefulSet: string, ordinals: number[]): string[] | string {
  const names = ordinals.map((ordinal) => serviceName(template, statefulSet, ordinal));
  const bad = names.findIndex((name) => dns1035Problem(name));
  if (bad < 0) return names;
  return `--name-template "${template}" gives "${names[bad]}" for ordinal ${ordinals[bad]}, which is not a valid Service name: it ${dns1035Problem(names[bad])}`;
}
