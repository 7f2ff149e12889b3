// Answers at TAB: the `__complete` requests of shell completion through kubectl (≥ 1.26), which runs
// `kubectl_complete-expose_sts ARGS…`, which runs `kubectl-expose_sts __complete ARGS…` (the `completion` command,
// completion.ts, prints that script). The answer is cobra's protocol: one candidate per line (a tab, then a
// description), and last a `:<directive>` line. The words typed so far are read by the commands' own parser.
import { connectionFlags, type ConnectionOptions, validateConnectionFlags } from '../options/connection.ts';
import { flagName, type FlagSpec, type FlagSpecs } from '../options/flags.ts';
import { subcommands } from './commands.ts';
import type { IO } from './io.ts';
import { parse } from './parse.ts';

/** cobra's ShellCompDirective bits. */
export const Directive = { Default: 0, NoFileComp: 4 } as const;

export interface CompletionRequest {
  /** The command's name; '' for expose. */
  command: string;
  /** Its flags and the connection flags, by name. */
  flags: [string, FlagSpec][];
  /** Whether a StatefulSet name is still to come. */
  wantsStatefulSet: boolean;
  toComplete: string;
  /** The flag whose value is being completed, if any; `prefix` is what the candidate must repeat (`--type=`). */
  valueFor?: { spec: FlagSpec; prefix: string };
  /**
   * The connection flags typed so far, so lookups use the same cluster and namespace; undefined if they are invalid.
   */
  connection?: ConnectionOptions;
  /** --gateway-namespace as typed so far: where --gateway's Gateways are looked up, rather than the namespace. */
  gatewayNamespace?: string;
}

const named = (specs: FlagSpecs): [string, FlagSpec][] =>
  Object.entries(specs).map(([key, spec]) => [flagName(key), spec]);

function flagOf(flags: [string, FlagSpec][], word: string): FlagSpec | undefined {
  const name = word.replace(/^--?/, '').split('=')[0];
  const long = word.startsWith('--');
  return flags.find(([n, s]) => (long ? n === name : s.short === name))?.[1];
}

/** Reads the words typed so far. Pure: unit-tested without a cluster. */
export function parseCompletion(args: string[]): CompletionRequest | undefined {
  const words = args.slice(0, -1);
  const toComplete = args.at(-1) ?? '';
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(words, { strict: false });
  } catch {
    return undefined; // nothing sensible to offer
  }
  const flags = [...named(parsed.command.flags), ...named(connectionFlags)];
  let valueFor: CompletionRequest['valueFor'];
  const last = words.at(-1);
  const lastFlag =
    last?.startsWith('-') && !last.includes('=') && !words.includes('--') ? flagOf(flags, last) : undefined;
  if (lastFlag && lastFlag.type !== 'boolean') {
    valueFor = { spec: lastFlag, prefix: '' };
    parsed = parse(words.slice(0, -1), { strict: false }); // the flag still waits for the value being completed
  } else if (toComplete.startsWith('-') && toComplete.includes('=')) {
    const spec = flagOf(flags, toComplete);
    if (spec) valueFor = { spec, prefix: toComplete.slice(0, toComplete.indexOf('=') + 1) };
  }
  const { command, input, connection } = parsed;
  const conn = validateConnectionFlags(connection);
  return {
    command: command.name,
    flags,
    wantsStatefulSet: command.statefulSetArg && input.statefulSet === undefined,
    toComplete,
    valueFor,
    connection: conn instanceof Error ? undefined : conn,
    gatewayNamespace: typeof input.gatewayNamespace === 'string' ? input.gatewayNamespace : undefined,
  };
}

export interface Lookups {
  statefulSets: (conn: ConnectionOptions) => Promise<string[]>;
  namespaces: (conn: ConnectionOptions) => Promise<string[]>;
  contexts: (conn: ConnectionOptions) => Promise<string[]>;
  gateways: (conn: ConnectionOptions) => Promise<string[]>;
  gatewayClasses: (conn: ConnectionOptions) => Promise<string[]>;
}

/** Candidate lines and the directive. Lookups that fail offer nothing rather than an error in the user's shell. */
export async function completions(
  req: CompletionRequest | undefined,
  lookups: Lookups,
): Promise<{ lines: string[]; directive: number }> {
  if (!req) return { lines: [], directive: Directive.NoFileComp };
  const lookup = (of: keyof Lookups, namespace?: string) =>
    req.connection
      ? lookups[of]({ ...req.connection, namespace: namespace ?? req.connection.namespace }).catch(() => [] as string[])
      : Promise.resolve([]);
  let lines: string[] = [];
  let directive: number = Directive.NoFileComp;
  if (req.valueFor) {
    const { spec, prefix } = req.valueFor;
    const word = req.toComplete.slice(prefix.length);
    let values: string[] = [...(spec.values ?? [])];
    if (spec.complete === 'namespaces') values = await lookup('namespaces');
    if (spec.complete === 'contexts') values = await lookup('contexts');
    if (spec.complete === 'gateways') values = await lookup('gateways', req.gatewayNamespace);
    if (spec.complete === 'gatewayClasses') values = await lookup('gatewayClasses');
    if (spec.complete === 'files') directive = Directive.Default;
    lines = values.filter((v) => v.startsWith(word)).map((v) => prefix + v);
  } else if (req.toComplete.startsWith('-')) {
    lines = req.flags
      .flatMap(([name, s]) => [
        `--${name}\t${s.describe}`,
        ...(s.short && s.short !== name ? [`-${s.short}\t${s.describe}`] : []),
      ])
      .filter((l) => l.startsWith(req.toComplete));
  } else if (req.wantsStatefulSet) {
    const subs = req.command === '' ? subcommands.map((c) => `${c.name}\t${c.summary}`) : [];
    const sets = (await lookup('statefulSets')).map((n) => `${n}\tStatefulSet`);
    lines = [...subs, ...sets].filter((l) => l.startsWith(req.toComplete));
  }
  return { lines, directive };
}

/** A TAB should never hang: lookups give up after 5 s unless --request-timeout says otherwise. */
const forCompletion = (conn: ConnectionOptions): ConnectionOptions => ({
  ...conn,
  verbosity: 0,
  requestTimeoutMs: conn.requestTimeoutMs || 5000,
});

export async function runComplete(args: string[], io: IO): Promise<number> {
  // The kube layer is loaded only for a lookup (a TAB after a flag with fixed values needs none).
  const apiFor = async (conn: ConnectionOptions) =>
    (await (await import('../kube/load.ts')).loadKube()).connectApi(forCompletion(conn), () => undefined);
  const kubeLookups: Lookups = {
    statefulSets: async (conn) => (await apiFor(conn)).statefulSetNames(),
    namespaces: async (conn) => (await apiFor(conn)).namespaceNames(),
    gateways: async (conn) => (await apiFor(conn)).gatewayNames('gateways'),
    gatewayClasses: async (conn) => (await apiFor(conn)).gatewayNames('gatewayclasses'),
    contexts: async (conn) => {
      const { loadRawConfig } = await import('../kube/kubeconfig.ts');
      return loadRawConfig({ ...conn, context: undefined }).raw.contexts.map((c) => c.name);
    },
  };
  const { lines, directive } = await completions(parseCompletion(args), kubeLookups);
  io.out(`${lines.map((l) => `${l}\n`).join('')}:${directive}\n`);
  io.err(
    `Completion ended with directive: ${directive === Directive.NoFileComp ? 'ShellCompDirectiveNoFileComp' : 'ShellCompDirectiveDefault'}\n`,
  );
  return 0;
}
