import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFiles, loadRawConfig, mergeConfigs, redactUrl, resolve } from '../../../src/kube/kubeconfig.ts';
import type { RawConfig } from '../../../src/kube/kubeconfig-entries.ts';
import type { ConnectionOptions } from '../../../src/options/connection.ts';

const flags = (f: Partial<ConnectionOptions> = {}): ConnectionOptions => ({ verbosity: 0, requestTimeoutMs: 0, ...f });
const cfg = (name: string, current?: string, ns?: string): RawConfig => ({
  clusters: [{ name, cluster: { server: `https://${name}.example:6443` } }],
  users: [{ name, user: { token: `token-${name}` } }],
  contexts: [{ name, context: { cluster: name, user: name, namespace: ns } }],
  'current-context': current,
});

describe('mergeConfigs, as kubectl merges a KUBECONFIG list', () => {
  it('takes current-context from the first file that sets it and the first definition of every name', () => {
    const a = cfg('a');
    const b = cfg('b', 'b');
    const c = { ...cfg('a', 'a'), clusters: [{ name: 'a', cluster: { server: 'https://other:6443' } }] };
    const merged = mergeConfigs([a, b, c]);
    expect(merged['current-context']).toBe('b');
    expect(merged.clusters.map((x) => (x.cluster as { server: string }).server)).toEqual([
      'https://a.example:6443',
      'https://b.example:6443',
    ]);
  });
});

describe('resolve', () => {
  const merged = mergeConfigs([cfg('a', 'a', 'team'), cfg('b')]);
  it('uses the current context and its namespace, or default', () => {
    expect(resolve(merged, flags())).toMatchObject({
      context: 'a',
      namespace: 'team',
      server: 'https://a.example:6443',
      userEntry: { token: 'token-a' },
    });
    expect(resolve(merged, flags({ context: 'b' }))).toMatchObject({
      context: 'b',
      namespace: 'default',
      server: 'https://b.example:6443',
    });
  });
  it('applies -n, --server, --token, --insecure-skip-tls-verify and --as', () => {
    const r = resolve(
      merged,
      flags({ namespace: 'x', server: 'https://override:1', token: 't', insecureSkipTlsVerify: true, as: 'jane' }),
    );
    expect(r).toMatchObject({ namespace: 'x', server: 'https://override:1', userEntry: { token: 't', as: 'jane' } });
    expect(r.raw.clusters[0].cluster).toMatchObject({ server: 'https://override:1', 'insecure-skip-tls-verify': true });
    expect(r.raw.users[0].user).toMatchObject({ token: 't', as: 'jane' });
    expect(merged.clusters[0].cluster).toEqual({ server: 'https://a.example:6443' }); // not mutated
  });
  it('errors name what does not exist', () => {
    expect(() => resolve(merged, flags({ context: 'nope' }))).toThrow(
      'context "nope" does not exist in the kubeconfig',
    );
    expect(() => resolve(merged, flags({ cluster: 'nope' }))).toThrow(
      'cluster "nope" does not exist in the kubeconfig',
    );
    expect(() => resolve(mergeConfigs([]), flags())).toThrow(/no kubeconfig found/);
    expect(resolve(mergeConfigs([]), flags({ server: 'https://s:6443', token: 't' })).server).toBe('https://s:6443');
    const tokenFile = { ...cfg('a', 'a'), users: [{ name: 'a', user: { tokenFile: '/nonexistent/token' } }] };
    expect(() => resolve(mergeConfigs([tokenFile]), flags())).toThrow(
      'unable to read tokenFile /nonexistent/token for user "a": no such file',
    );
  });
  it('gives the current cluster and user with the flags applied, and every --as-group', () => {
    const r = resolve(merged, flags({ as: 'jane', asGroup: ['devs', 'ops'], server: 'https://override:1' }));
    expect(r.cluster).toEqual({ server: 'https://override:1' });
    expect(r.userEntry).toEqual({ token: 'token-a', as: 'jane', 'as-groups': ['devs', 'ops'] });
  });
  it('never prints credentials in a server URL', () => {
    expect(redactUrl('https://admin:secret@k8s.example:6443/')).toBe('https://k8s.example:6443');
  });
});

describe('configFiles and loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-test-'));
  const write = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const a = write(
    'a.yaml',
    'clusters: [{name: a, cluster: {server: "https://a:1", certificate-authority: ca.crt}}]\nusers: [{name: a, user: {client-key: keys/a.key}}]\ncontexts: [{name: a, context: {cluster: a, user: a}}]\n',
  );
  const b = write('b.yaml', 'current-context: a\n');
  it('skips missing files in KUBECONFIG, and resolves relative paths against their own file', () => {
    const env = { KUBECONFIG: [join(dir, 'missing.yaml'), a, b].join(':'), HOME: dir };
    expect(configFiles(flags(), env)).toEqual([a, b]);
    expect(() => loadRawConfig(flags(), env)).toThrow(
      `unable to read certificate-authority ${join(dir, 'ca.crt')} for user "a": no such file`,
    );
    mkdirSync(join(dir, 'keys'), { recursive: true });
    for (const f of ['ca.crt', 'keys/a.key']) writeFileSync(join(dir, f), 'pem');
    const r = loadRawConfig(flags(), env);
    expect(r.context).toBe('a');
    expect(r.raw.clusters[0].cluster).toMatchObject({ 'certificate-authority': join(dir, 'ca.crt') });
    expect(r.raw.users[0].user).toMatchObject({ 'client-key': join(dir, 'keys/a.key') });
  });
  it('insists that --kubeconfig exists, and reports unreadable files', () => {
    expect(() => configFiles(flags({ kubeconfig: join(dir, 'nope') }), {})).toThrow(
      /no such file or directory \(from --kubeconfig\)/,
    );
    const broken = write('broken.yaml', 'clusters: [unclosed\n');
    expect(() => loadRawConfig(flags({ kubeconfig: broken }), {})).toThrow(/cannot read kubeconfig/);
  });
});

describe("the flags over the kubeconfig's cluster, as client-go's getCluster applies them", () => {
  const base = (cluster: object) =>
    mergeConfigs([{ ...cfg('a', 'a'), clusters: [{ name: 'a', cluster: { server: 'https://a:1', ...cluster } }] }]);
  it('--certificate-authority replaces the CA data and insecure-skip-tls-verify; --insecure drops the CA', () => {
    const r = resolve(base({ 'insecure-skip-tls-verify': true }), flags({ certificateAuthority: '/dev/null' }));
    expect(r.cluster).toEqual({ server: 'https://a:1', 'certificate-authority': '/dev/null' });
    const i = resolve(base({ 'certificate-authority-data': 'Q0E=' }), flags({ insecureSkipTlsVerify: true }));
    expect(i.cluster).toEqual({ server: 'https://a:1', 'insecure-skip-tls-verify': true });
  });
  it('--server drops tls-server-name unless --tls-server-name comes with it', () => {
    const named = base({ 'tls-server-name': 'api.internal' });
    expect(resolve(named, flags()).cluster['tls-server-name']).toBe('api.internal');
    expect(resolve(named, flags({ server: 'https://b:1' })).cluster['tls-server-name']).toBeUndefined();
    expect(resolve(named, flags({ server: 'https://b:1', tlsServerName: 'x' })).cluster['tls-server-name']).toBe('x');
  });
  it('refuses a context that says two things at once, in kubectl words', () => {
    expect(() =>
      resolve(base({ 'certificate-authority-data': 'Q0E=', 'insecure-skip-tls-verify': true }), flags()),
    ).toThrow(
      'invalid configuration: specifying a root certificates file with the insecure flag is not allowed (cluster "a")',
    );
    expect(() => resolve(mergeConfigs([cfg('a', 'a')]), flags({ username: 'u', password: 'p' }))).toThrow(
      'invalid configuration: more than one authentication method found for a; found [token basicAuth], only one is allowed',
    );
    const exec = { ...cfg('a', 'a'), users: [{ name: 'a', user: { exec: { command: 'x' } } }] };
    expect(() => resolve(mergeConfigs([exec]), flags())).toThrow(
      'invalid configuration: [apiVersion must be specified for a to use exec authentication plugin, interactiveMode must be specified for a to use exec authentication plugin]',
    );
  });
});
