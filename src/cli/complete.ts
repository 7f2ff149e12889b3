// Shell completion through kubectl (≥ 1.26): kubectl runs `kubectl_complete-expose_sts ARGS…`, which runs
// `kubectl-expose_sts __complete ARGS…`; the answer is cobra's protocol: one candidate per line (a tab, then a
// description), and last a `:<directive>` line.
import type { ConnectionFlags } from '../options/connection.ts';
import { completionFlagSpecs, connectionFlagSpecs, exposeFlagSpecs, pruneFlagSpecs, statusFlagSpecs, type FlagSpec } from './flags.ts';
import type { IO } from './io.ts';

/** cobra's ShellCompDirective bits. */
export const Directive = { Default: 0, NoFileComp: 4 } as const;

export const subcommands = [
  { name: 'status', describe: 'Show what is exposed, where it answers, and what has drifted' },
  { name: 'prune', describe: 'Delete managed Services that no longer match a pod' },
  { name: 'completion', describe: 'How to install shell completion for this plugin' },
];

const commandSpecs: Record<string, FlagSpec[]> = { expose: exposeFlagSpecs, status: statusFlagSpecs, prune: pruneFlagSpecs, completion: completionFlagSpecs };

export interface CompletionRequest {
  command: string;
  specs: FlagSpec[];
  positionals: string[];
  toComplete: string;
  /** The flag whose value is being completed, if any; `prefix` is what the candidate must repeat (`--type=`). */
  valueOf?: { spec: FlagSpec; prefix: string };
  /** Connection flags already typed, so lookups use the same cluster and namespace. */
  connection: Record<string, string>;
}

function findSpec(specs: FlagSpec[], word: string): FlagSpec | undefined {
  const name = word.replace(/^--?/, '').split('=')[0];
  return specs.find((s) => s.name === name || s.alias === name);
}

/** Reads the words typed so far. Pure: unit-tested without a cluster. */
export function parseCompletion(args: string[]): CompletionRequest {
  const words = args.slice(0, -1);
  const toComplete = args.at(-1) ?? '';
  const command = subcommands.some((c) => c.name === words[0]) ? words[0] : 'expose';
  const specs = [...commandSpecs[command], ...connectionFlagSpecs];
  const positionals: string[] = [];
  const connection: Record<string, string> = {};
  let valueOf: CompletionRequest['valueOf'];
  for (let i = command === 'expose' ? 0 : 1; i < words.length; i++) {
    const w = words[i];
    if (!w.startsWith('-') || w === '-') {
      positionals.push(w);
      continue;
    }
    const spec = findSpec(specs, w);
    if (!spec) continue;
    let value: string | undefined;
    if (w.includes('=')) value = w.slice(w.indexOf('=') + 1);
    else if (spec.type !== 'boolean') {
      if (i + 1 < words.length) value = words[++i];
      else valueOf = { spec, prefix: '' }; // the word being completed is this flag's value
    }
    if (value !== undefined && connectionFlagSpecs.includes(spec)) connection[spec.name] = value;
  }
  if (!valueOf && toComplete.startsWith('-') && toComplete.includes('=')) {
    const spec = findSpec(specs, toComplete);
    if (spec) valueOf = { spec, prefix: toComplete.slice(0, toComplete.indexOf('=') + 1) };
  }
  return { command, specs, positionals, toComplete, valueOf, connection };
}

export interface Lookups {
  statefulSets: (conn: Record<string, string>) => Promise<string[]>;
  namespaces: (conn: Record<string, string>) => Promise<string[]>;
  contexts: (conn: Record<string, string>) => Promise<string[]>;
}

/** Candidate lines and the directive. Lookups that fail offer nothing rather than an error in the user's shell. */
export async function completions(req: CompletionRequest, lookups: Lookups): Promise<{ lines: string[]; directive: number }> {
  const safe = (p: Promise<string[]>) => p.catch(() => [] as string[]);
  let lines: string[] = [];
  let directive: number = Directive.NoFileComp;
  if (req.valueOf) {
    const { spec, prefix } = req.valueOf;
    const word = req.toComplete.slice(prefix.length);
    let values: string[] = [...(spec.values ?? [])];
    if (spec.dynamic === 'namespaces') values = await safe(lookups.namespaces(req.connection));
    if (spec.dynamic === 'contexts') values = await safe(lookups.contexts(req.connection));
    if (spec.dynamic === 'files') directive = Directive.Default;
    lines = values.filter((v) => v.startsWith(word)).map((v) => prefix + v);
  } else if (req.toComplete.startsWith('-')) {
    lines = req.specs.flatMap((s) => [`--${s.name}\t${s.describe}`, ...(s.alias?.length === 1 ? [`-${s.alias}\t${s.describe}`] : [])])
      .filter((l) => l.startsWith(req.toComplete));
  } else if (req.positionals.length === 0 && req.command !== 'completion') {
    const subs = req.command === 'expose' ? subcommands.map((c) => `${c.name}\t${c.describe}`) : [];
    const sets = (await safe(lookups.statefulSets(req.connection))).map((n) => `${n}\tStatefulSet`);
    lines = [...subs, ...sets].filter((l) => l.startsWith(req.toComplete));
  }
  return { lines, directive };
}

export function connectionOf(conn: Record<string, string>): ConnectionFlags {
  return { kubeconfig: conn.kubeconfig, context: conn.context, cluster: conn.cluster, user: conn.user, namespace: conn.namespace,
    server: conn.server, token: conn.token, as: conn.as, verbosity: 0, requestTimeoutMs: 5000,
    insecureSkipTlsVerify: conn['insecure-skip-tls-verify'] === 'true' };
}

export async function runComplete(args: string[], io: IO): Promise<number> {
  const req = parseCompletion(args);
  const kubeLookups: Lookups = {
    statefulSets: async (conn) => {
      const k = await (await import('../kube/load.ts')).loadKube();
      const kube = k.connect(connectionOf(conn), () => undefined);
      return k.statefulSetNames(kube);
    },
    namespaces: async (conn) => {
      const k = await (await import('../kube/load.ts')).loadKube();
      return k.namespaceNames(k.connect(connectionOf(conn), () => undefined));
    },
    contexts: async (conn) => {
      const { loadRawConfig } = await import('../kube/kubeconfig.ts');
      return loadRawConfig({ ...connectionOf(conn), context: undefined }).raw.contexts.map((c) => c.name);
    },
  };
  const { lines, directive } = await completions(req, kubeLookups);
  io.out(lines.map((l) => `${l}\n`).join('') + `:${directive}\n`);
  io.err(`Completion ended with directive: ${directive === Directive.NoFileComp ? 'ShellCompDirectiveNoFileComp' : 'ShellCompDirectiveDefault'}\n`);
  return 0;
}

/** What `kubectl expose-sts completion` prints: krew installs only the plugin, so the completion script is the user's step. */
export function completionHelp(): string {
  return `Shell completion for kubectl expose-sts (kubectl 1.26 or newer completes plugins through an executable
named kubectl_complete-expose_sts on PATH). The release archives contain it; krew installs only the plugin
itself, so put the script next to it once:

  SCRIPT="\${KREW_ROOT:-$HOME/.krew}/bin/kubectl_complete-expose_sts"
  kubectl expose-sts completion --script > "$SCRIPT" && chmod +x "$SCRIPT"

Without krew, put it beside kubectl-expose_sts instead:

  SCRIPT="$(dirname "$(command -v kubectl-expose_sts)")/kubectl_complete-expose_sts"
  kubectl expose-sts completion --script > "$SCRIPT" && chmod +x "$SCRIPT"

Then kubectl's own completion (source <(kubectl completion bash), or zsh/fish) completes
kubectl expose-sts subcommands, flags, flag values and StatefulSet names.
`;
}

export const completionScript = `#!/bin/sh
# kubectl runs this for \`kubectl expose-sts <TAB>\`; the plugin answers in cobra's __complete protocol.
exec kubectl-expose_sts __complete "$@"
`;
