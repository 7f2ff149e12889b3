// Kubeconfig resolution as kubectl does it, through the real binaries side by side.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { statefulSet } from '../fixtures.ts';
import { kubectl, newNamespace, parseTable, plugin, readyStatefulSet } from '../helpers.ts';

const cluster = inject('cluster');
let ns: string;
const dir = mkdtempSync(join(tmpdir(), 'kubeconfigs-'));
beforeAll(async () => {
  ns = await newNamespace('expose-kc');
  await readyStatefulSet(ns, statefulSet('zk', { replicas: 1 }));
});

describe('kubeconfig resolution', () => {
  it('merges a KUBECONFIG list like kubectl: missing files skipped, the first current-context wins, the context namespace used', () => {
    const admin = parse(readFileSync(cluster.kubeconfig, 'utf8'));
    // First file: only a current-context and a context pointing at the real cluster with the test namespace.
    writeFileSync(
      join(dir, 'first.yaml'),
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'team',
        contexts: [
          { name: 'team', context: { cluster: admin.clusters[0].name, user: admin.users[0].name, namespace: ns } },
        ],
      }),
    );
    // Last file: the credentials, and a current-context that must lose.
    writeFileSync(join(dir, 'last.yaml'), stringify({ ...admin, 'current-context': 'does-not-exist' }));
    const KUBECONFIG = [join(dir, 'missing.yaml'), join(dir, 'first.yaml'), join(dir, 'last.yaml')].join(':');

    const byKubectl = kubectl(['get', 'statefulsets', '-o', 'name'], { env: { KUBECONFIG } });
    expect(byKubectl.stdout).toBe('statefulset.apps/zk\n');
    const res = plugin(['zk'], { env: { KUBECONFIG } });
    expect(res.code, res.stderr).toBe(0);
    expect(parseTable(res.stdout).map((r) => r.SERVICE)).toEqual(['zk-0']);
  });

  it('-v 6 logs the connection but never the credentials', () => {
    const token = 'abcdef-secret-token';
    const admin = parse(readFileSync(cluster.kubeconfig, 'utf8'));
    admin.users[0].user.token = token;
    writeFileSync(join(dir, 'token.yaml'), stringify(admin));
    const res = plugin(['zk', '-n', ns, '-v', '6'], { env: { KUBECONFIG: join(dir, 'token.yaml') } });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`server ${cluster.server}`);
    for (const secret of [token, admin.users[0].user['client-key-data'].slice(0, 40)]) {
      expect(res.stderr).not.toContain(secret);
      expect(res.stdout).not.toContain(secret);
    }
  });
});
