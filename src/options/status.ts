// status: what it shows and how it exits. Pure.
import { UsageError } from '../errors.ts';
import { exposeFlags } from './expose.ts';
import type { FlagSpecs, Input } from './flags.ts';
import { allNamespaces, scopeProblem } from './scope.ts';
import { oneOf } from './values.ts';

const statusOutputs = ['wide', 'json', 'yaml', 'endpoints'] as const;

export const statusFlags = {
  allNamespaces,
  endpointPort: exposeFlags.endpointPort,
  exitCode: {
    type: 'boolean',
    default: false,
    describe: 'Exit 1 when anything is not Ready, or a published ConfigMap is stale (for scripts and CI)',
  },
  noHeaders: {
    type: 'boolean',
    default: false,
    describe:
      "When using the default or wide output format, don't print headers (default print headers), nor the summary " +
      'lines after the table: stdout holds the rows alone (what needs action, such as a stale ConfigMap, goes to stderr)',
  },
  output: {
    type: 'string',
    short: 'o',
    values: statusOutputs,
    describe:
      "Output format. One of: (wide, json, yaml, endpoints). endpoints: the members' host:port, comma-separated in " +
      'ordinal order; nothing else on stdout',
  },
  outputWatchEvents: {
    type: 'boolean',
    default: false,
    describe: "With --watch, kubectl's watch event type (ADDED, MODIFIED, DELETED) before each row or object",
  },
  watch: {
    type: 'boolean',
    short: 'w',
    default: false,
    describe:
      'After the table, follow: one line for each row whose state or endpoint changes (with -o endpoints, the whole list again), until interrupted',
  },
} as const satisfies FlagSpecs;

/** The flags as given, and the StatefulSet named on the command line (optional: default, every one in scope). */
export type StatusFlags = Input<typeof statusFlags>;

export interface StatusOptions {
  statefulSet?: string;
  allNamespaces: boolean;
  /** '': the table. */
  output: (typeof statusOutputs)[number] | '';
  /** Exit 1 when anything is not Ready, like `kubectl diff`, for scripts and CI. */
  exitCode: boolean;
  endpointPort?: string;
  /** Follow after the first table, as kubectl get --watch. */
  watch: boolean;
  /** With watch: kubectl's EVENT column (ignored without, as kubectl ignores it). */
  outputWatchEvents: boolean;
  /** The table's rows alone on stdout (ignored by the other outputs, as kubectl get ignores it). */
  noHeaders: boolean;
}

export function validateStatusFlags(f: StatusFlags): StatusOptions | UsageError {
  const problem = scopeProblem(f.statefulSet, f.allNamespaces);
  if (problem) return problem;
  const output = f.output ? oneOf('output', f.output, statusOutputs) : '';
  if (output instanceof UsageError) return output;
  if (f.watch && f.exitCode)
    return new UsageError('--exit-code ends with the state of one moment, and --watch follows it: give one of them');
  return {
    statefulSet: f.statefulSet,
    allNamespaces: f.allNamespaces,
    output,
    exitCode: f.exitCode,
    endpointPort: f.endpointPort,
    watch: f.watch,
    outputWatchEvents: f.outputWatchEvents,
    noHeaders: f.noHeaders,
  };
}
