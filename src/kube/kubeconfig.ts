// Kubeconfig resolution as kubectl does it: a KUBECONFIG list is merged with the first file winning for every name and
// for current-context, missing files are skipped, relative paths are relative to their own file, and the connection
// flags override the result. (client-node 2.0's loadFromDefault differs on each point: it takes current-context from
// the last file, throws on a name defined twice and on a missing file, and falls back to localhost:8080.)
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { CommandError } from '../errors.ts';
import type { ConnectionOptions } from '../options/connection.ts';

type Named = { name: string; [k: string]: unknown };

/** The kubeconfig fields of a cluster and a user that this tool reads (kubectl's names). */
export interface ClusterEntry {
  server: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

export interface ExecConfig {
  apiVersion?: string;
  command?: string;
  args?: string[];
  env?: { name: string; value: string }[] | null;
  installHint?: string;
  provideClusterInfo?: boolean;
  interactiveMode?: 'Never' | 'IfAvailable' | 'Always';
}

export interface UserEntry {
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  as?: string;
  'as-uid'?: string;
  'as-groups'?: string[];
  'as-user-extra'?: Record<string, string[]>;
  exec?: ExecConfig;
  'auth-provider'?: { name?: string; config?: Record<string, string> };
}
export interface RawConfig {
  clusters: Named[];
  users: Named[];
  contexts: Named[];
  'current-context'?: string;
  [k: string]: unknown;
}

export interface Resolved {
  raw: RawConfig;
  /** The current context's cluster and user entries, with the connection flags applied. */
  cluster: ClusterEntry;
  userEntry: UserEntry;
  context: string;
  namespace: string;
  server: string;
}

const pathFields: Record<'clusters' | 'users', [string, string][]> = {
  clusters: [['cluster', 'certificate-authority']],
  users: [
    ['user', 'client-certificate'],
    ['user', 'client-key'],
    ['user', 'tokenFile'],
  ],
};

function absolutize(raw: RawConfig, file: string): RawConfig {
  for (const [list, fields] of Object.entries(pathFields) as [keyof typeof pathFields, [string, string][]][]) {
    for (const entry of raw[list] ?? []) {
      for (const [section, field] of fields) {
        const obj = entry[section] as Record<string, unknown> | undefined;
        const value = obj?.[field];
        if (obj && typeof value === 'string' && value && !isAbsolute(value)) obj[field] = join(dirname(file), value);
      }
    }
  }
  return raw;
}

/**
 * kubectl's merge: for each list, the first file that defines a name wins; current-context from the first that sets it.
 */
export function mergeConfigs(configs: RawConfig[]): RawConfig {
  const merged: RawConfig = { clusters: [], users: [], contexts: [] };
  for (const c of configs) {
    for (const list of ['clusters', 'users', 'contexts'] as const) {
      for (const entry of c[list] ?? []) if (!merged[list].some((e) => e.name === entry.name)) merged[list].push(entry);
    }
    if (!merged['current-context'] && c['current-context']) merged['current-context'] = c['current-context'];
  }
  return merged;
}

function readConfig(file: string): RawConfig {
  let raw: RawConfig;
  try {
    raw = (parse(readFileSync(file, 'utf8')) ?? {}) as RawConfig;
  } catch (err) {
    throw new CommandError(`cannot read kubeconfig ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new CommandError(`kubeconfig ${file} is not a kubeconfig file`);
  return absolutize(
    { ...raw, clusters: raw.clusters ?? [], users: raw.users ?? [], contexts: raw.contexts ?? [] },
    file,
  );
}

export function configFiles(flags: ConnectionOptions, env: NodeJS.ProcessEnv): string[] {
  if (flags.kubeconfig) {
    if (!existsSync(flags.kubeconfig))
      throw new CommandError(`stat ${flags.kubeconfig}: no such file or directory (from --kubeconfig)`);
    return [flags.kubeconfig];
  }
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter((f) => f && existsSync(f));
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

/** Applies the connection flags to the merged config; errors name the flag or context to fix. */
export function resolve(merged: RawConfig, flags: ConnectionOptions): Resolved {
  const raw: RawConfig = structuredClone(merged);
  const contextName = flags.context ?? raw['current-context'];
  let ctxEntry = raw.contexts.find((c) => c.name === contextName);
  if (flags.context && !ctxEntry) throw new CommandError(`context "${flags.context}" does not exist in the kubeconfig`);
  if (!ctxEntry) {
    if (!flags.server) {
      throw new CommandError(
        raw.contexts.length || raw.clusters.length
          ? 'the kubeconfig has no current context: use --context, or kubectl config use-context NAME'
          : 'no kubeconfig found (KUBECONFIG, --kubeconfig or ~/.kube/config) and no --server given',
      );
    }
    ctxEntry = { name: 'expose-sts-flags', context: {} };
    raw.contexts.push(ctxEntry);
  }
  const ctx = (ctxEntry.context ??= {}) as Record<string, string>;
  if (flags.cluster) {
    if (!raw.clusters.some((c) => c.name === flags.cluster))
      throw new CommandError(`cluster "${flags.cluster}" does not exist in the kubeconfig`);
    ctx.cluster = flags.cluster;
  }
  if (flags.user) {
    if (!raw.users.some((u) => u.name === flags.user))
      throw new CommandError(`user "${flags.user}" does not exist in the kubeconfig`);
    ctx.user = flags.user;
  }
  let cluster = raw.clusters.find((c) => c.name === ctx.cluster);
  if (!cluster) {
    if (!flags.server)
      throw new CommandError(
        `context "${ctxEntry.name}" refers to cluster "${ctx.cluster ?? ''}", which does not exist in the kubeconfig`,
      );
    cluster = { name: 'expose-sts-flags', cluster: {} };
    raw.clusters.push(cluster);
    ctx.cluster = cluster.name;
  }
  const c = (cluster.cluster ??= {}) as Record<string, unknown>;
  if (flags.server) c.server = flags.server;
  if (flags.certificateAuthority) c['certificate-authority'] = flags.certificateAuthority;
  if (flags.insecureSkipTlsVerify) {
    c['insecure-skip-tls-verify'] = true;
    delete c['certificate-authority'];
    delete c['certificate-authority-data'];
  }
  if (typeof c.server !== 'string' || !c.server)
    throw new CommandError(`cluster "${cluster.name}" has no server in the kubeconfig: use --server`);
  if (!URL.canParse(c.server) || !/^https?:$/.test(new URL(c.server).protocol)) {
    throw new CommandError(
      `invalid server URL "${redactUrl(c.server)}" (${flags.server ? 'from --server' : `cluster "${cluster.name}" in the kubeconfig`}): use https://HOST[:PORT]`,
    );
  }

  let user = raw.users.find((u) => u.name === ctx.user);
  if (!user) {
    user = { name: ctx.user ?? 'expose-sts-flags', user: {} };
    raw.users.push(user);
    ctx.user = user.name;
  }
  const u = (user.user ??= {}) as Record<string, unknown>;
  if (flags.token) u.token = flags.token;
  if (flags.clientCertificate) u['client-certificate'] = flags.clientCertificate;
  if (flags.clientKey) u['client-key'] = flags.clientKey;
  if (flags.as) u.as = flags.as;
  if (flags.asGroup?.length) u['as-groups'] = flags.asGroup;

  // client-node would only fail at the first request, with a bare ENOENT; kubectl names the file and what it is for.
  for (const [what, file] of [
    ['certificate-authority', c['certificate-authority']],
    ['client-certificate', u['client-certificate']],
    ['client-key', u['client-key']],
    ['tokenFile', u.tokenFile],
  ]) {
    if (typeof file === 'string' && file && !existsSync(file)) {
      throw new CommandError(
        `unable to read ${what} ${file} for user "${user.name}": no such file (fix the kubeconfig or the flag that names it)`,
      );
    }
  }

  return {
    raw,
    cluster: c as unknown as ClusterEntry,
    userEntry: u as UserEntry,
    context: ctxEntry.name,
    namespace: flags.namespace ?? ctx.namespace ?? 'default',
    server: redactUrl(c.server),
  };
}

/** A server URL fit to print: without any user:password part. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

export function loadRawConfig(flags: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): Resolved {
  return resolve(mergeConfigs(configFiles(flags, env).map(readConfig)), flags);
}
