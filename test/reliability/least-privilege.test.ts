// Least privilege: the Role documented in the README is enough for expose, status and prune, and every verb in it is
// needed: a user without one gets an error naming the verb, the resource and the namespace, and nothing changes.
import { readFileSync } from 'node:fs';
import type { V1PolicyRule } from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { statefulSet } from '../e2e/fixtures.ts';
import { lbArgs, clients, newNamespace, parseTable, readyStatefulSet } from '../e2e/helpers.ts';
import {
  deleteManaged,
  errorLines,
  foreignObjects,
  managedServices,
  runPlugin,
  serviceAccount,
  tokenKubeconfig,
} from './harness.ts';

const cluster = inject('cluster');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Permissions'));
const role = parse(/```yaml\n([\s\S]*?)```/.exec(section)![1]) as { rules: V1PolicyRule[] };

const expose = lbArgs('db');
let ns: string;
let foreign: () => Promise<Record<string, string>>;
let accounts = 0;

/** A token kubeconfig for a new ServiceAccount bound to the README's Role, less one verb if given. */
async function userWith(rules: V1PolicyRule[]): Promise<string> {
  const name = `user-${++accounts}`;
  const present = rules.find((r) => r.verbs.length)!;
  const { token } = await serviceAccount(
    ns,
    name,
    { rules },
    { verb: present.verbs[0], resource: present.resources![0], group: present.apiGroups![0] },
  );
  return tokenKubeconfig(name, token, ns);
}

const without = (verb: string, resource: string): V1PolicyRule[] =>
  role.rules
    .map((r) => (r.resources!.includes(resource) ? { ...r, verbs: r.verbs.filter((v) => v !== verb) } : r))
    .filter((r) => r.verbs.length > 0);

beforeAll(async () => {
  ns = await newNamespace('least');
  await readyStatefulSet(ns, statefulSet('db', { replicas: 2 }));
  foreign = await foreignObjects(ns, 'db');
});

describe('least privilege', () => {
  it('the README documents a Role with exactly the verbs the three commands use', () => {
    expect(role.rules.map((r) => `${r.apiGroups![0] || 'core'}/${r.resources![0]}: ${r.verbs.join(',')}`)).toEqual([
      'apps/statefulsets: get,list',
      'core/pods: list',
      'core/services: list,watch,create,patch,delete',
    ]);
  });

  it('a user bound to exactly that Role can expose, see the status, and prune', async () => {
    const kubeconfig = await userWith(role.rules);
    const before = await foreign();
    const exposed = await runPlugin(expose, { kubeconfig });
    expect(exposed.code, exposed.stderr).toBe(0);
    expect(parseTable(exposed.stdout).map((r) => r.ENDPOINT)).toEqual([
      expect.stringMatching(/^198\.18\./),
      expect.stringMatching(/^198\.18\./),
    ]);
    const status = await runPlugin(['status', 'db'], { kubeconfig });
    expect(status.code, status.stderr).toBe(0);
    expect(parseTable(status.stdout.split('\n\n')[0]).map((r) => r.STATE)).toEqual(['Ready', 'Ready']);
    const pruned = await runPlugin(['prune', 'db', '--all'], { kubeconfig });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toBe('service/db-0 deleted\nservice/db-1 deleted\n');
    expect(await managedServices(ns)).toEqual({});
    expect(await foreign()).toEqual(before);
  });

  it('with that Role alone, --load-balancer-ip works: the reads it adds beyond it are optional', async () => {
    // Discovery is open to every user; nodes, MetalLB's pools and Services of other namespaces are skipped.
    const kubeconfig = await userWith(role.rules);
    const pinned = await runPlugin([...expose, '--load-balancer-ip', '198.18.3.200-198.18.3.201'], { kubeconfig });
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(parseTable(pinned.stdout).map((r) => r.ENDPOINT)).toEqual(['198.18.3.200:5432', '198.18.3.201:5432']);
    await deleteManaged(ns);
  });

  it('with that Role alone, a node port taken in a namespace it cannot see is refused before any write', async () => {
    // The user may not list Services everywhere: the API server's dry run of the writes finds the port taken.
    const { core } = clients();
    const elsewhere = await newNamespace('least-np');
    await core.createNamespacedService({
      namespace: elsewhere,
      body: { metadata: { name: 'holder' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30051 }] } },
    });
    const kubeconfig = await userWith(role.rules);
    const res = await runPlugin(['db', '--type', 'NodePort', '--node-port', '30050'], { kubeconfig });
    expect(res.code).toBe(1);
    expect(errorLines(res.stderr)).toEqual([
      expect.stringMatching(
        /^error: apply service "db-1" in namespace "[^"]+": .*nodePort: Invalid value: 30051: provided port is already allocated; nothing was changed$/,
      ),
    ]);
    expect(await managedServices(ns)).toEqual({});
  });

  const cases: { command: string; args: string[]; verb: string; resource: string; group: string; exposed: boolean }[] =
    [
      ...[
        ['get', 'statefulsets', 'apps'],
        ['list', 'pods', ''],
        ['list', 'services', ''],
        ['watch', 'services', ''],
        ['create', 'services', ''],
        ['patch', 'services', ''],
      ].map(([verb, resource, group]) => ({ command: 'expose', args: expose, verb, resource, group, exposed: false })),
      ...[
        ['list', 'statefulsets', 'apps'],
        ['list', 'pods', ''],
        ['list', 'services', ''],
      ].map(([verb, resource, group]) => ({
        command: 'status',
        args: ['status', 'db'],
        verb,
        resource,
        group,
        exposed: true,
      })),
      ...[
        ['delete', 'services', ''],
        ['list', 'statefulsets', 'apps'],
        ['list', 'pods', ''],
        ['list', 'services', ''],
      ].map(([verb, resource, group]) => ({
        command: 'prune',
        args: ['prune', 'db', '--all'],
        verb,
        resource,
        group,
        exposed: true,
      })),
    ];

  it.each(cases)(
    '$command without $verb on $resource: one error naming verb, resource and namespace; nothing changed',
    async ({ args, verb, resource, group, exposed }) => {
      await deleteManaged(ns);
      if (exposed) {
        const setup = await runPlugin([...expose, '-n', ns], { kubeconfig: cluster.kubeconfig });
        expect(setup.code, setup.stderr).toBe(0);
      }
      const kubeconfig = await userWith(without(verb, resource));
      const before = { managed: await managedServices(ns), foreign: await foreign() };
      const res = await runPlugin(args, { kubeconfig });
      expect(res.code, res.stderr).toBe(1);
      const errors = errorLines(res.stderr);
      expect(errors, res.stderr).toHaveLength(1);
      expect(errors[0]).toContain(
        `cannot ${verb} resource "${resource}" in API group "${group}" in the namespace "${ns}"`,
      );
      expect(errors[0]).toContain('ask an administrator for that permission');
      expect({ managed: await managedServices(ns), foreign: await foreign() }).toEqual(before);
    },
  );
});
