// status and prune across namespaces, after an orphaning delete, within a fixed LIST budget, and never racing a
// recreated Service.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, listJson, namespaced } from '../../../src/kube/client.ts';
import { deleteService } from '../../../src/kube/service.ts';
import { statefulSet } from '../fixtures.ts';
import {
  clients,
  kubectl,
  newNamespace,
  parseTable,
  plugin,
  pluginBinDir,
  readyStatefulSet,
  servicesIn,
  waitFor,
} from '../helpers.ts';

const cluster = inject('cluster');
const { core } = clients();
let a: string;
let b: string;
beforeAll(async () => {
  [a, b] = await Promise.all([newNamespace('scope-a'), newNamespace('scope-b')]);
  await Promise.all([
    readyStatefulSet(a, statefulSet('kafka', { replicas: 2 })),
    readyStatefulSet(b, statefulSet('redis', { replicas: 3 })),
    readyStatefulSet(b, statefulSet('gone', { replicas: 2 })),
  ]);
  for (const [ns, sts] of [
    [a, 'kafka'],
    [b, 'redis'],
    [b, 'gone'],
  ])
    expect(plugin([sts, '-n', ns, '--type', 'NodePort']).code).toBe(0);
});

/**
 * Requests made as one impersonated user, from the audit log: isolates one invocation from everything else. A watch
 * is logged at two stages; one request per auditID.
 */
function requestsOf(user: string): { verb: string; requestURI: string }[] {
  const events = readFileSync(cluster.auditLog, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.impersonatedUser?.username === user);
  return [...new Map(events.map((e) => [e.auditID as string, e])).values()];
}

describe('status and prune scope', () => {
  it('-A covers several namespaces in one table, with a NAMESPACE column', () => {
    const res = plugin(['status', '-A']);
    expect(res.code, res.stderr).toBe(0);
    const rows = parseTable(res.stdout.split('\n\n')[0]).filter((r) => r.NAMESPACE === a || r.NAMESPACE === b);
    expect(rows.map((r) => `${r.NAMESPACE === a ? 'a' : 'b'}/${r.STATEFULSET}-${r.ORDINAL}:${r.STATE}`)).toEqual([
      'a/kafka-0:Ready',
      'a/kafka-1:Ready',
      'b/gone-0:Ready',
      'b/gone-1:Ready',
      'b/redis-0:Ready',
      'b/redis-1:Ready',
      'b/redis-2:Ready',
    ]);
    expect(rows.every((r) => /^198\.51\.100\.\d+:\d+$/.test(r.ENDPOINT))).toBe(true); // NodePort: the node's external address
    expect(res.stdout).toContain(`statefulset ${b}/redis: 3 Ready`);
    const json = JSON.parse(plugin(['status', '-A', '-o', 'json']).stdout);
    expect(json.kind).toBe('ExposureStatus');
    expect(json.items.filter((i: { namespace: string }) => i.namespace === a)[0]).toMatchObject({
      statefulSet: 'kafka',
      ordinal: 0,
      service: 'kafka-0',
      type: 'NodePort',
      state: 'Ready',
    });
  });

  it('status costs a fixed number of LISTs (services, statefulsets, pods, nodes for NodePort), no GETs; -A reads pods per namespace it exposes in', async () => {
    const user = `budget-${randomBytes(3).toString('hex')}`;
    const res = plugin(['status', '-n', b, '--as', user, '--as-group', 'system:masters']);
    expect(res.code, res.stderr).toBe(0);
    const calls = requestsOf(user);
    expect(calls.every((c) => c.verb === 'list')).toBe(true);
    // The four label-selected LISTs (ConfigMaps too: the issue names it), plus the node list NodePort endpoints need.
    expect(calls.map((c) => c.requestURI.split('?')[0]).sort()).toEqual([
      `/api/v1/namespaces/${b}/configmaps`,
      `/api/v1/namespaces/${b}/pods`,
      `/api/v1/namespaces/${b}/services`,
      '/api/v1/nodes',
      `/apis/apps/v1/namespaces/${b}/statefulsets`,
    ]);
    expect(calls.find((c) => c.requestURI.includes('/services'))!.requestURI).toContain(
      'labelSelector=app.kubernetes.io%2Fmanaged-by%3Dkubectl-expose-sts',
    );
    // Of the pods, Table rows only (the audit log shows the query; the Accept header asked for a Table).
    expect(calls.find((c) => c.requestURI.includes('/pods'))!.requestURI).toContain('includeObject=None');

    const everywhere = `budget-all-${randomBytes(3).toString('hex')}`;
    const all = plugin(['status', '-A', '-o', 'json', '--as', everywhere, '--as-group', 'system:masters']);
    expect(all.code, all.stderr).toBe(0);
    const exposedIn = new Set(JSON.parse(all.stdout).items.map((i: { namespace: string }) => i.namespace));
    const calledAll = requestsOf(everywhere);
    expect(calledAll.every((c) => c.verb === 'list')).toBe(true);
    const paths = calledAll.map((c) => c.requestURI.split('?')[0]);
    // One LIST each of Services and StatefulSets across namespaces (Warning Events too, for Services still pending).
    for (const once of ['/api/v1/services', '/apis/apps/v1/statefulsets'])
      expect(paths.filter((p) => p === once)).toHaveLength(1);
    expect(new Set(paths.filter((p) => p.endsWith('/pods')))).toEqual(
      new Set([...exposedIn].map((n) => `/api/v1/namespaces/${n}/pods`)),
    );
    expect(exposedIn.has(a) && exposedIn.has(b)).toBe(true);
  });

  it('after kubectl delete --cascade=orphan every Service of the StatefulSet is Orphaned, and prune removes them', async () => {
    expect(kubectl(['delete', 'statefulset', 'gone', '-n', b, '--cascade=orphan']).code).toBe(0);
    const res = plugin(['status', 'gone', '-n', b, '-o', 'wide']);
    expect(parseTable(res.stdout.split('\n\n')[0]).map((r) => [r.STATE, r.REASON])).toEqual([
      ['Orphaned', 'statefulset gone not found'],
      ['Orphaned', 'statefulset gone not found'],
    ]);
    const user = `prune-${randomBytes(3).toString('hex')}`;
    const pruned = plugin(['prune', '-n', b, '--as', user, '--as-group', 'system:masters']);
    expect(pruned.stdout).toBe('service/gone-0 deleted\nservice/gone-1 deleted\n');
    expect(requestsOf(user).filter((c) => c.verb === 'list')).toHaveLength(5); // ConfigMaps too, for leftovers
    const left = await servicesIn(b);
    expect([...left.keys()].filter((n) => n.startsWith('gone'))).toEqual([]);
    expect(left.has('redis-0')).toBe(true);
  });

  it('deletes only the Service it listed: a uid precondition leaves a recreated one alone', async () => {
    const kube = connect(
      { kubeconfig: cluster.kubeconfig, namespace: a, verbosity: 0, requestTimeoutMs: 0 },
      () => undefined,
    );
    const listed = (await servicesIn(a)).get('kafka-1')!;
    await core.deleteNamespacedService({ name: 'kafka-1', namespace: a });
    await waitFor('kafka-1 gone', async () => !(await servicesIn(a)).has('kafka-1'));
    expect(plugin(['kafka', '-n', a, '--type', 'NodePort']).code).toBe(0); // recreated, with a new uid
    expect(await deleteService(kube, a, 'kafka-1', listed.metadata!.uid!, false)).toBe('replaced');
    expect((await servicesIn(a)).has('kafka-1')).toBe(true);
  });

  it('reads a LIST in pages, as kubectl does (--chunk-size), each item reduced as its page arrives', async () => {
    const requests: string[] = [];
    const kube = connect({ kubeconfig: cluster.kubeconfig, namespace: a, verbosity: 6, requestTimeoutMs: 0 }, (l) =>
      requests.push(l),
    );
    const all = [...(await servicesIn(a)).keys()].sort();
    expect(all.length).toBeGreaterThanOrEqual(2);
    const pages: string[] = [];
    const paged = await listJson<{ metadata: { name: string } }, string>(
      kube,
      namespaced(a, 'services'),
      { limit: '1' },
      (s) => {
        pages.push(s.metadata.name);
        return s.metadata.name;
      },
    );
    expect(paged.items.sort()).toEqual(all);
    expect(pages).toHaveLength(all.length);
    expect(requests.filter((l) => l.includes(`/namespaces/${a}/services?limit=1`))).toHaveLength(all.length);
    expect(paged.metadata?.resourceVersion).toMatch(/^\d+$/);
  });

  it('a reader that stops early (| head) ends it quietly with 141, as SIGPIPE ends kubectl', () => {
    // `true` exits before the plugin writes, so the write meets a closed pipe every time.
    const script =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell script, whose ${…} the shell expands
      'kubectl expose-sts status -A | true; echo "plugin=${PIPESTATUS[0]}"; kubectl get services -A | true; echo "kubectl=${PIPESTATUS[0]}"';
    const res = spawnSync('bash', ['-c', script], {
      encoding: 'utf8',
      env: {
        PATH: `${pluginBinDir}:${cluster.binDir}:/usr/bin:/bin`,
        HOME: process.env.HOME,
        KUBECONFIG: cluster.kubeconfig,
      },
    });
    expect(res.stdout).toBe('plugin=141\nkubectl=141\n');
    expect(res.stderr).toBe('');
  });

  it('says so when nothing is exposed, kubectl style', async () => {
    const empty = await newNamespace('scope-empty');
    const res = plugin(['status', '-n', empty]);
    expect([res.code, res.stdout, res.stderr]).toEqual([
      0,
      '',
      `No exposed StatefulSets found in ${empty} namespace.\n`,
    ]);
  });
});
