// The README's manifest for running expose --watch in a pod, as written: its Role is enough for every round (a
// scale-up exposed and published, a scale-down pruned), the binary runs as its Deployment says with the pod's
// ServiceAccount (the kubelet's folder mounted in a mount namespace of the process's own, as connection/ does), a
// rotated token is read from the file for the next request, and SIGTERM ends it within seconds. Every verb of the Role
// is needed: without any one, an error names it (at start, or for delete in the round that prunes).
import { mkdirSync, mkdtempSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Deployment, V1PolicyRule } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { inPodWrapper } from '../e2e/connection/differential.ts';
import { statefulSet } from '../e2e/fixtures.ts';
import {
  clients,
  kubectl,
  newNamespace,
  pluginBinDir,
  readyStatefulSet,
  scaleStatefulSet,
  servicesIn,
  waitFor,
} from '../e2e/helpers.ts';
import { follow } from '../e2e/watch/following.ts';
import { readFileSync } from 'node:fs';
import { serviceAccount, tokenKubeconfig } from './harness.ts';

const cluster = inject('cluster');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('### Running in a pod'));
const manifest = parseAllDocuments(/```yaml\n([\s\S]*?)```/.exec(section)![1]).map((d) => d.toJSON());
const role = manifest.find((d) => d.kind === 'Role') as { rules: V1PolicyRule[] };
const deployment = manifest.find((d) => d.kind === 'Deployment') as V1Deployment;
const container = deployment.spec!.template.spec!.containers[0];

/** A token of the account bound to a Secret of its own: deleting the Secret revokes it, as a rotation retires one. */
async function boundToken(namespace: string, account: string, secret: string): Promise<string> {
  const { core } = clients();
  const s = await core.createNamespacedSecret({ namespace, body: { metadata: { name: secret } } });
  const ref = { kind: 'Secret', apiVersion: 'v1', name: secret, uid: s.metadata!.uid };
  const body = { spec: { audiences: [], expirationSeconds: 3600, boundObjectRef: ref } };
  return (await core.createNamespacedServiceAccountToken({ name: account, namespace, body })).status!.token!;
}

describe('expose --watch in a pod, as the README deploys it', () => {
  it('the manifest: a ServiceAccount, a Role bound to it, a Deployment running the binary with --watch', () => {
    expect(manifest.map((d) => d.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'Deployment']);
    expect(deployment.spec!.template.spec!.serviceAccountName).toBe('expose-sts');
    expect(container.args).toContain('--watch');
  });

  it('follows scaling with only the Role, uses a rotated token, and stops on SIGTERM within seconds', async () => {
    const ns = await newNamespace('in-pod');
    await readyStatefulSet(ns, statefulSet('mydb', { replicas: 2 }));
    await serviceAccount(
      ns,
      'expose-sts',
      { rules: role.rules },
      { verb: 'watch', resource: 'statefulsets', group: 'apps' },
    );
    const dir = mkdtempSync(join(tmpdir(), 'in-pod-'));
    const saDir = join(dir, 'serviceaccount');
    mkdirSync(saDir);
    writeFileSync(join(saDir, 'token'), await boundToken(ns, 'expose-sts', 'token-a'));
    copyFileSync(cluster.caFile, join(saDir, 'ca.crt'));
    writeFileSync(join(saDir, 'namespace'), ns);
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? '']));
    const run = follow(container.args!, {
      command: [inPodWrapper(dir), saDir, join(pluginBinDir, 'kubectl-expose_sts')],
      env: {
        KUBERNETES_SERVICE_HOST: '127.0.0.1',
        KUBERNETES_SERVICE_PORT: new URL(cluster.server).port,
        ...env,
        KUBECONFIG: '',
      },
    });
    const scale = (n: number) => scaleStatefulSet(ns, 'mydb', n);
    try {
      await run.until('stdout', /^}$/m);
      scale(3);
      await run.until('stdout', /"reason":"Created","object":"service\/mydb-2"/);
      await waitFor('3 endpoints published', async () => {
        const cm = await clients().core.readNamespacedConfigMap({ name: 'mydb-endpoints', namespace: ns });
        return cm.data?.endpoints?.split(',').length === 3;
      });
      scale(2);
      await run.until('stdout', /"reason":"Pruned","object":"service\/mydb-2"/);
      expect((await servicesIn(ns)).has('mydb-2')).toBe(false);
      // The kubelet rotates the token in place: the next request reads the new one, and the old one is revoked.
      writeFileSync(join(saDir, 'token'), await boundToken(ns, 'expose-sts', 'token-b'));
      await clients().core.deleteNamespacedSecret({ name: 'token-a', namespace: ns });
      scale(4);
      await run.until('stdout', /"reason":"Created","object":"service\/mydb-3"/);
    } finally {
      const stopped = await run.stop('SIGTERM');
      expect(stopped.code).toBe(143);
      expect(stopped.exitMs).toBeLessThan(5_000);
      expect(stopped.stderr).not.toMatch(/^error: /m);
    }
  });

  const verbs = role.rules.flatMap((r) =>
    r.verbs.map((verb) => ({ verb, resource: r.resources![0], group: r.apiGroups![0] })),
  );
  const without = (verb: string, resource: string): V1PolicyRule[] =>
    role.rules
      .map((r) => (r.resources!.includes(resource) ? { ...r, verbs: r.verbs.filter((v) => v !== verb) } : r))
      .filter((r) => r.verbs.length > 0);

  it.each(verbs)(
    'every verb of the Role is needed: without $verb on $resource, an error names it',
    async ({ verb, resource, group }) => {
      const ns = await newNamespace('in-pod-least');
      await readyStatefulSet(ns, statefulSet('mydb', { replicas: 2 }));
      const ready =
        resource === 'services'
          ? { verb: 'get', resource: 'statefulsets', group: 'apps' }
          : { verb: 'list', resource: 'services' };
      const { token } = await serviceAccount(ns, 'expose-sts', { rules: without(verb, resource) }, ready);
      const run = follow(container.args!, { kubeconfig: tokenKubeconfig('in-pod-least', token, ns) });
      try {
        if (verb === 'delete') {
          // Only --prune deletes, after a scale-down: the round says why it cannot, and is tried again.
          await run.until('stdout', /^}$/m);
          expect(kubectl(['scale', 'statefulset', 'mydb', '-n', ns, '--replicas', '1']).code).toBe(0);
        }
        const line = await run.until('stderr', /^error: .*$/m);
        expect(line).toContain(
          `cannot ${verb} resource "${resource}" in API group "${group}" in the namespace "${ns}"`,
        );
      } finally {
        await run.stop();
      }
    },
  );
});
