// Runs kubectl and the plugin side by side on the same kubeconfig, flags and environment, and reports what the API
// server saw of each (from its audit log: who, impersonating whom, in which namespace), how each ended, and how often
// an exec credential plugin ran. `kubectl get svc` stands for kubectl; `kubectl expose-sts status` for the plugin.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { stringify } from 'yaml';
import { auditLinesSince } from '../../cluster/audit.ts';
import { clients, pluginBinDir, waitFor } from '../helpers.ts';

const cluster = inject('cluster');

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** `user[ as impersonated] in namespace`, one per distinct kind of namespaced request the API server answered. */
  seen: string[];
  /** Runs of the exec plugin (the lines of its marker file). */
  runs: number;
}

export interface Setup {
  /** Extra arguments after the command, for both. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run in a private mount namespace with this folder as the pod's ServiceAccount folder. */
  serviceAccountDir?: string;
  /** The exec plugin's marker file, whose lines count its runs. */
  marker?: string;
  /** Only identities whose names contain this are reported (the test namespace: other files share the log). */
  identities: string;
}

const kubectlPath = `${cluster.binDir}/kubectl`;

/**
 * The ServiceAccount folder the kubelet mounts, bind-mounted over a tmpfs on /run in a mount namespace of the
 * process's own (CI runs as root; nothing outside the process sees it).
 */
export function inPodWrapper(dir: string): string {
  const script = join(dir, 'in-pod.sh');
  writeFileSync(
    script,
    `#!/bin/sh
sa=$1; shift
exec unshare --mount sh -c 'mount -t tmpfs none /run && mkdir -p /run/secrets/kubernetes.io/serviceaccount &&
  mount --bind "$0" /run/secrets/kubernetes.io/serviceaccount && exec "$@"' "$sa" "$@"
`,
  );
  chmodSync(script, 0o755);
  return script;
}

let wrapper: string | undefined;

function spawnOutcome(
  argv: string[],
  setup: Setup,
  home: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [cmd, ...args] = setup.serviceAccountDir ? [wrapper as string, setup.serviceAccountDir, ...argv] : argv;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: setup.cwd ?? home,
      env: { PATH: `${pluginBinDir}:/usr/bin:/bin`, HOME: home, ...setup.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

let markers = 0;

/** Audit entries from `offset` up to a request of the admin's made after the run, so none of the run's is missed. */
async function auditSince(offset: number, namespace: string): Promise<Record<string, never>[]> {
  const label = `connection-marker=${++markers}-${process.pid}`;
  await clients().core.listNamespacedService({ namespace, labelSelector: label });
  const encoded = encodeURIComponent(label);
  return waitFor('the marker request in the audit log', () => {
    const lines = auditLinesSince(cluster.auditLog, offset);
    const at = lines.findIndex((l) => l.includes(encoded));
    return at >= 0 && lines.slice(0, at).map((l) => JSON.parse(l));
  });
}

async function runOne(argv: string[], setup: Setup, home: string, namespace: string): Promise<Outcome> {
  if (setup.marker) rmSync(setup.marker, { force: true });
  const offset = statSync(cluster.auditLog).size;
  const res = await spawnOutcome(argv, setup, home);
  const entries = await auditSince(offset, namespace);
  const seen = new Set<string>();
  for (const e of entries as {
    user?: { username?: string };
    impersonatedUser?: { username?: string; uid?: string };
    objectRef?: { namespace?: string };
  }[]) {
    const who = e.user?.username ?? '';
    const as = e.impersonatedUser
      ? ` as ${e.impersonatedUser.username}${e.impersonatedUser.uid ? ` (uid ${e.impersonatedUser.uid})` : ''}`
      : '';
    if (!`${who}${as}`.includes(setup.identities) || !e.objectRef?.namespace) continue;
    seen.add(`${who}${as} in ${e.objectRef.namespace}`);
  }
  const runs =
    setup.marker && existsSync(setup.marker)
      ? readFileSync(setup.marker, 'utf8').split('\n').filter(Boolean).length
      : 0;
  return { ...res, seen: [...seen].sort(), runs };
}

/** kubectl, then the plugin, each in a fresh home folder (no kubeconfig there, no discovery cache). */
export async function both(
  setup: Setup,
  namespace: string,
  dir: string,
): Promise<{ kubectl: Outcome; plugin: Outcome }> {
  wrapper ??= inPodWrapper(dir);
  const home = (tool: string) => {
    const h = join(dir, `home-${tool}-${++markers}`);
    mkdirSync(h, { recursive: true });
    return h;
  };
  const args = setup.args ?? [];
  const kubectl = await runOne([kubectlPath, 'get', 'svc', ...args], setup, home('kubectl'), namespace);
  const plugin = await runOne([kubectlPath, 'expose-sts', 'status', ...args], setup, home('plugin'), namespace);
  return { kubectl, plugin };
}

/** A kubeconfig file of one context, `c`, in its own folder. */
export function writeKubeconfig(
  path: string,
  parts: { cluster: object; user: object; context?: object; extra?: object },
): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: parts.cluster }],
      users: [{ name: 'u', user: parts.user }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', ...parts.context } }],
      ...parts.extra,
    }),
    { mode: 0o600 },
  );
  return path;
}

/** An exec credential plugin that appends to its marker file and prints the token in $TOKEN (one per line of $TOKENS, by run). */
export function execPlugin(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(
    path,
    `#!/bin/sh
echo run >> "$MARKER"
[ -n "$INFO" ] && printf '%s' "$KUBERNETES_EXEC_INFO" > "$INFO"
n=$(wc -l < "$MARKER")
token=$TOKEN
[ -n "$TOKENS" ] && token=$(printf '%s\\n' $TOKENS | sed -n "\${n}p")
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s"}}' "\${API_VERSION:-client.authentication.k8s.io/v1}" "$token"
`,
  );
  chmodSync(path, 0o755);
  return path;
}
