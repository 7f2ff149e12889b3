// A command-line flag is defined once, as data: the argument parser (yargs), the help text, shell completion and the
// typed object that validation receives are all made from the same entry. Adding a flag is one entry here (in its
// command's list), its check in validation, and its use.

export interface FlagSpec {
  /** A number is read as text, so that validation can quote a bad one back (`-v loud`); help shows it unquoted. */
  type: 'string' | 'boolean' | 'number';
  /** A one-letter shorthand, as kubectl's -n for --namespace. */
  short?: string;
  /** Given more than once, every value is kept in order; otherwise the last one wins, as in kubectl. */
  repeatable?: true;
  default?: string | boolean;
  /** The value of the flag given without one (pflag's NoOptDefVal): a bare --dry-run means client, as in kubectl. */
  bare?: string;
  /** The accepted values: completion offers them. */
  values?: readonly string[];
  /** Completion looks the values up: in the cluster, in the kubeconfig, or as file names. */
  complete?: 'namespaces' | 'contexts' | 'files' | 'gateways' | 'gatewayClasses';
  describe: string;
}

/** A command's flags by their camelCase key; the flag's name is the key in kebab-case (`dryRun` is `--dry-run`). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type ValueOf<S extends FlagSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['repeatable'] extends true
    ? string[]
    : string;
type WithDefault<T extends FlagSpecs> = {
  [K in keyof T]: T[K] extends { default: string | boolean } ? K : never;
}[keyof T];

/** The flags as the user gave them (defaults filled in, nothing checked yet): what a command's validation receives. */
export type FlagValues<T extends FlagSpecs> = { [K in WithDefault<T>]: ValueOf<T[K]> } & {
  [K in Exclude<keyof T, WithDefault<T>>]?: ValueOf<T[K]>;
};

/** What a command's validation receives: its flags as given, and the StatefulSet named on the command line. */
export type Input<T extends FlagSpecs> = FlagValues<T> & {
  statefulSet?: string;
  /** The keys of the flags given on the command line (undefined: not known, as if every one was). */
  given?: readonly string[];
};

export const flagName = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The defaults of the flags that were not given. */
export function withDefaults<T extends FlagSpecs>(specs: T, given: Partial<Record<keyof T, unknown>>): FlagValues<T> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) out[key] = given[key] ?? spec.default;
  return out as FlagValues<T>;
}
