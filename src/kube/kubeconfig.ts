// Kubeconfig resolution as kubectl does it: a KUBECONFIG list is merged with the first file winning for every name and
// for current-context, missing files are skipped, relative paths are relative to their own file, and the connection
// flags override the result (client-go's tools/clientcmd: loader.go, client_config.go). Inside a pod with no server
// configured, the pod's ServiceAccount is used (in-cluster.ts). (client-node 2.0's loadFromDefault differs on each
// point: it takes current-context from the last file, throws on a missing file, and falls back to localhost:8080.)
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, sep } from 'node:path';
import { parse } from 'yaml';
import { CommandError } from '../errors.ts';
import type { ConnectionOptions } from '../options/connection.ts';
import { homeKubeconfig } from './home.ts';
import {
  inClusterPossible,
  inClusterServer,
  podNamespace,
  serviceAccountCa,
  serviceAccountToken,
} from './in-cluster.ts';
import type { ClusterEntry, Named, RawConfig, UserEntry } from './kubeconfig-entries.ts';
import { clusterProblems, userProblems } from './validation.ts';

export interface Resolved {
  raw: RawConfig;
  /** The current context's cluster and user entries, with the connection flags applied. */
  cluster: ClusterEntry;
  userEntry: UserEntry;
  context: string;
  namespace: string;
  server: string;
  /** The pod's ServiceAccount is used: no kubeconfig names a server, and this runs in a pod. */
  inCluster: boolean;
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
  // An exec command is a path relative to its kubeconfig only when it names a folder; a bare name is looked up on PATH.
  for (const entry of raw.users ?? []) {
    const exec = (entry.user as UserEntry | undefined)?.exec;
    if (exec?.command?.includes(sep) && !isAbsolute(exec.command)) exec.command = join(dirname(file), exec.command);
  }
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
  // Within one file a name is defined once (client-go refuses the file); across files the first file wins.
  for (const list of ['clusters', 'users', 'contexts'] as const) {
    const names = (raw[list] ?? []).map((e) => e.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined)
      throw new CommandError(`error loading config file "${file}": duplicate name "${twice}" in its ${list}`);
  }
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
  const home = homeKubeconfig(env);
  return home ? [home] : [];
}

/** kubectl's words for a configuration that cannot be used: one problem, or a list of them. */
function invalid(problems: string[]): CommandError {
  return new CommandError(`invalid configuration: ${problems.length === 1 ? problems[0] : `[${problems.join(', ')}]`}`);
}

/**
 * The pod's ServiceAccount, as client-go's inClusterClientConfig: only --token and --certificate-authority apply (a
 * --server would have been used instead), and -n.
 */
function inClusterResolved(raw: RawConfig, flags: ConnectionOptions, env: NodeJS.ProcessEnv): Resolved {
  const cluster: ClusterEntry = {
    server: inClusterServer(env),
    'certificate-authority': flags.certificateAuthority ?? serviceAccountCa,
  };
  return {
    raw,
    cluster,
    userEntry: flags.token ? { token: flags.token } : { tokenFile: serviceAccountToken },
    context: 'in-cluster',
    namespace: flags.namespace ?? podNamespace(env),
    server: cluster.server,
    inCluster: true,
  };
}

type Context = Record<string, string>;

/** The context to use, made for the flags when none is current and --server is given. */
function contextEntry(raw: RawConfig, flags: ConnectionOptions): Named {
  const contextName = flags.context ?? raw['current-context'];
  const found = raw.contexts.find((c) => c.name === contextName);
  if (found) return found;
  if (!flags.server) {
    throw new CommandError(
      raw.contexts.length || raw.clusters.length
        ? 'the kubeconfig has no current context: use --context, or kubectl config use-context NAME'
        : 'no kubeconfig found (KUBECONFIG, --kubeconfig or ~/.kube/config) and no --server given',
    );
  }
  const made = { name: 'expose-sts-flags', context: {} };
  raw.contexts.push(made);
  return made;
}

/** --cluster and --user name entries of the kubeconfig: the context then uses them. */
function pointContext(raw: RawConfig, ctx: Context, flags: ConnectionOptions): void {
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
}

/** The context's cluster entry with the flags applied, its server checked. */
function clusterEntry(raw: RawConfig, ctxName: string, ctx: Context, flags: ConnectionOptions): Named {
  let cluster = raw.clusters.find((c) => c.name === ctx.cluster);
  if (!cluster) {
    if (!flags.server)
      throw new CommandError(
        `context "${ctxName}" refers to cluster "${ctx.cluster ?? ''}", which does not exist in the kubeconfig`,
      );
    cluster = { name: 'expose-sts-flags', cluster: {} };
    raw.clusters.push(cluster);
    ctx.cluster = cluster.name;
  }
  const c = (cluster.cluster ??= {}) as Record<string, unknown>;
  if (flags.server) c.server = flags.server;
  // As client-go's getCluster: a CA flag replaces the kubeconfig's CA and its insecure setting, the insecure flag
  // drops its CA; a --server drops its tls-server-name unless --tls-server-name is given too.
  if (flags.certificateAuthority || flags.insecureSkipTlsVerify) {
    setOrDelete(c, 'insecure-skip-tls-verify', flags.insecureSkipTlsVerify || undefined);
    setOrDelete(c, 'certificate-authority', flags.certificateAuthority);
    delete c['certificate-authority-data'];
  }
  if (flags.server || flags.tlsServerName) setOrDelete(c, 'tls-server-name', flags.tlsServerName);
  if (flags.proxyUrl) c['proxy-url'] = flags.proxyUrl;
  if (typeof c.server !== 'string' || !c.server)
    throw new CommandError(`cluster "${cluster.name}" has no server in the kubeconfig: use --server`);
  if (!URL.canParse(c.server) || !/^https?:$/.test(new URL(c.server).protocol)) {
    throw new CommandError(
      `invalid server URL "${redactUrl(c.server)}" (${flags.server ? 'from --server' : `cluster "${cluster.name}" in the kubeconfig`}): use https://HOST[:PORT]`,
    );
  }
  return cluster;
}

/** The context's user entry (made when it names none) with the credential and impersonation flags applied. */
function userEntry(raw: RawConfig, ctx: Context, flags: ConnectionOptions): Named {
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
  if (flags.username) u.username = flags.username;
  if (flags.password) u.password = flags.password;
  if (flags.as) u.as = flags.as;
  if (flags.asUid) u['as-uid'] = flags.asUid;
  if (flags.asGroup?.length) u['as-groups'] = flags.asGroup;
  if (flags.asUserExtra) u['as-user-extra'] = flags.asUserExtra;
  return user;
}

/** client-node would only fail at the first request, with a bare ENOENT; kubectl names the file and what it is for. */
function missingFile(userName: string, c: ClusterEntry, u: UserEntry): CommandError | undefined {
  for (const [what, file] of [
    ['certificate-authority', c['certificate-authority']],
    ['client-certificate', u['client-certificate']],
    ['client-key', u['client-key']],
    ['tokenFile', u.tokenFile],
  ]) {
    if (typeof file === 'string' && file && !existsSync(file)) {
      return new CommandError(
        `unable to read ${what} ${file} for user "${userName}": no such file (fix the kubeconfig or the flag that names it)`,
      );
    }
  }
  return undefined;
}

/** Applies the connection flags to the merged config; errors name the flag or context to fix. */
export function resolve(merged: RawConfig, flags: ConnectionOptions, env: NodeJS.ProcessEnv = {}): Resolved {
  const raw: RawConfig = structuredClone(merged);
  const found = raw.contexts.find((c) => c.name === (flags.context ?? raw['current-context']));
  if (flags.context && !found) throw new CommandError(`context "${flags.context}" does not exist in the kubeconfig`);
  const inPod = inClusterPossible(env);
  if (inPod && !flags.server && nothingToConnectTo(raw, found, flags)) return inClusterResolved(raw, flags, env);
  const ctxEntry = contextEntry(raw, flags);
  const ctx = (ctxEntry.context ??= {}) as Context;
  pointContext(raw, ctx, flags);
  const cluster = clusterEntry(raw, ctxEntry.name, ctx, flags);
  const user = userEntry(raw, ctx, flags);
  const c = cluster.cluster as ClusterEntry;
  const u = user.user as UserEntry;
  const problems = [...userProblems(user.name, u), ...clusterProblems(cluster.name, c)];
  if (problems.length) throw invalid(problems);
  const missing = missingFile(user.name, c, u);
  if (missing) throw missing;
  return {
    raw,
    cluster: c,
    userEntry: u,
    context: ctxEntry.name,
    // In a pod, a context without a namespace means the pod's (client-go's DeferredLoadingClientConfig.Namespace).
    namespace: flags.namespace ?? ctx.namespace ?? (inPod ? podNamespace(env) : 'default'),
    server: redactUrl(c.server),
    inCluster: false,
  };
}

function setOrDelete(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) delete obj[key];
  else obj[key] = value;
}

/**
 * kubectl uses the in-cluster configuration when the kubeconfig and flags amount to its built-in default, a plain
 * http://localhost:8080 (where TLS settings and credentials are not read): no server, and nothing else that shapes the
 * connection. A proxy, impersonation, compression or a request timeout instead send it to localhost:8080.
 */
function nothingToConnectTo(raw: RawConfig, ctxEntry: Named | undefined, flags: ConnectionOptions): boolean {
  const ctx = (ctxEntry?.context ?? {}) as Record<string, string>;
  const cluster = (raw.clusters.find((c) => c.name === (flags.cluster ?? ctx.cluster))?.cluster ?? {}) as ClusterEntry;
  const user = (raw.users.find((u) => u.name === (flags.user ?? ctx.user))?.user ?? {}) as UserEntry;
  return (
    !cluster.server &&
    !cluster['proxy-url'] &&
    !cluster['disable-compression'] &&
    !flags.disableCompression &&
    !(flags.as ?? user.as) &&
    !flags.requestTimeoutMs
  );
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
  return resolve(mergeConfigs(configFiles(flags, env).map(readConfig)), flags, env);
}
