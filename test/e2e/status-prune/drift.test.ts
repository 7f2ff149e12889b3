// status and prune through kubectl on a StatefulSet's life: scale down, prune, scale up, hand edits, foreign Services.
import { beforeAll, describe, expect, it } from 'vitest';
import { statefulSet } from '../fixtures.ts';
import {
  lbArgs,
  clients,
  kubectl,
  newNamespace,
  parseTable,
  plugin,
  readyStatefulSet,
  servicesIn,
  waitFor,
} from '../helpers.ts';

const { core, apps } = clients();
let ns: string;
const status = (...args: string[]) => plugin(['status', '-n', ns, ...args]);
const stateOf = (stdout: string) =>
  Object.fromEntries(parseTable(stdout.split('\n\n')[0]).map((r) => [r.ORDINAL, r.STATE]));
const scale = async (replicas: number) => {
  await apps.patchNamespacedStatefulSetScale({
    name: 'db',
    namespace: ns,
    body: [{ op: 'replace', path: '/spec/replicas', value: replicas }],
  });
  await waitFor(`db at ${replicas} ready pods`, async () => {
    const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=db' })).items.filter(
      (p) => !p.metadata!.deletionTimestamp,
    );
    return (
      pods.length === replicas &&
      pods.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    );
  });
};
const versions = async () =>
  [...(await servicesIn(ns)).values()].map((s) => `${s.metadata!.name}@${s.metadata!.resourceVersion}`).sort();

beforeAll(async () => {
  ns = await newNamespace('drift');
  await readyStatefulSet(ns, statefulSet('db', { replicas: 5 }));
  const res = plugin(lbArgs('db', '-n', ns));
  expect(res.code, res.stderr).toBe(0);
});

describe('status and prune', () => {
  it('status shows every ordinal Ready with its endpoint and a summary; --exit-code exits 0 when clean', () => {
    const res = status('--exit-code');
    expect(res.code, res.stderr).toBe(0);
    const [tableText, summary] = res.stdout.split('\n\n');
    const rows = parseTable(tableText);
    expect(Object.keys(rows[0])).toEqual(['STATEFULSET', 'ORDINAL', 'SERVICE', 'TYPE', 'ENDPOINT', 'STATE']);
    expect(rows.map((r) => [r.ORDINAL, r.SERVICE, r.STATE])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [String(i), `db-${i}`, 'Ready']),
    );
    expect(rows.every((r) => /^198\.1[89]\.\d+\.\d+:5432$/.test(r.ENDPOINT))).toBe(true);
    expect(summary).toBe('statefulset db: 5 Ready\n');
  });

  it('after scaling 5 → 3, ordinals 3 and 4 are Orphaned and --exit-code exits 1', async () => {
    await scale(3);
    const res = status('--exit-code');
    expect(res.code).toBe(1);
    expect(stateOf(res.stdout)).toEqual({ 0: 'Ready', 1: 'Ready', 2: 'Ready', 3: 'Orphaned', 4: 'Orphaned' });
    // --no-headers, as kubectl get's: the rows alone on stdout, for awk; --exit-code still says what they say.
    const bare = status('--no-headers', '--exit-code');
    expect(bare.code).toBe(1);
    const lines = bare.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split(/\s+/));
    expect(lines.map((cells) => [cells[1], cells.at(-1)])).toEqual([
      ...[0, 1, 2].map((i) => [String(i), 'Ready']),
      ...[3, 4].map((i) => [String(i), 'Orphaned']),
    ]);
  });

  it('prune --dry-run=client and --dry-run=server say what they would delete and delete nothing', async () => {
    const before = await versions();
    for (const mode of ['client', 'server']) {
      const res = plugin(['prune', '-n', ns, `--dry-run=${mode}`]);
      expect(res.code, res.stderr).toBe(0);
      const suffix = mode === 'client' ? '(dry run)' : '(server dry run)';
      expect(res.stdout).toBe(`service/db-3 deleted ${suffix}\nservice/db-4 deleted ${suffix}\n`);
      // -o name, as kubectl delete prints it: kind/name only, for a script.
      expect(plugin(['prune', '-n', ns, `--dry-run=${mode}`, '-o', 'name']).stdout).toBe(
        'service/db-3\nservice/db-4\n',
      );
    }
    expect(await versions()).toEqual(before);
  });

  it('prune deletes exactly the orphaned two, and status is all Ready again', async () => {
    const res = plugin(['prune', '-n', ns]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe('service/db-3 deleted\nservice/db-4 deleted\n');
    expect([...(await servicesIn(ns)).keys()].sort()).toEqual(['db-0', 'db-1', 'db-2']);
    const after = status('--exit-code');
    expect(after.code).toBe(0);
    expect(stateOf(after.stdout)).toEqual({ 0: 'Ready', 1: 'Ready', 2: 'Ready' });
    expect(plugin(['prune', '-n', ns]).stderr).toBe(`Nothing to prune in ${ns} namespace.\n`);
  });

  it('after scaling 3 → 5 without re-running expose, ordinals 3 and 4 are Missing', async () => {
    await scale(5);
    const res = status();
    expect(stateOf(res.stdout)).toEqual({ 0: 'Ready', 1: 'Ready', 2: 'Ready', 3: 'Missing', 4: 'Missing' });
    expect(res.stdout).toContain('statefulset db: 3 Ready, 2 Missing');
  });

  it('a Service hand-edited to another selector is Modified, naming who changed it', () => {
    const patched = kubectl([
      'patch',
      'service',
      'db-0',
      '-n',
      ns,
      '-p',
      '{"spec":{"selector":{"statefulset.kubernetes.io/pod-name":"db-1"}}}',
    ]);
    expect(patched.code, patched.stderr).toBe(0);
    const res = status('-o', 'wide');
    const row = parseTable(res.stdout.split('\n\n')[0])[0];
    expect([row.STATE, row.REASON]).toEqual(['Modified', 'changed by kubectl-patch']);
    // A re-run of expose takes the field back.
    expect(plugin(lbArgs('db', '-n', ns)).code).toBe(0);
    expect(stateOf(status().stdout)).toEqual({ 0: 'Ready', 1: 'Ready', 2: 'Ready', 3: 'Ready', 4: 'Ready' });
  });

  it('a Service with the statefulset label but not managed-by is never ours: not listed, survives prune and prune --all', async () => {
    const foreign = await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'db-7', labels: { 'expose-sts.io/statefulset': 'db', 'expose-sts.io/ordinal': '7' } },
        spec: { selector: { 'statefulset.kubernetes.io/pod-name': 'db-7' }, ports: [{ port: 5432 }] },
      },
    });
    expect(status().stdout).not.toContain('db-7');
    expect(plugin(['prune', '-n', ns]).stdout).toBe('');
    const all = plugin(['prune', 'db', '-n', ns, '--all']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.trim().split('\n').sort()).toEqual([0, 1, 2, 3, 4].map((i) => `service/db-${i} deleted`));
    const left = await servicesIn(ns);
    expect([...left.keys()]).toEqual(['db-7']);
    expect(left.get('db-7')!.metadata!.resourceVersion).toBe(foreign.metadata!.resourceVersion);
    expect(status().stderr).toBe(`No exposed StatefulSets found in ${ns} namespace.\n`);
  });

  it('prune --all without a StatefulSet name is a usage error that deletes nothing', async () => {
    const before = await versions();
    const res = plugin(['prune', '-n', ns, '--all']);
    expect(res.code).toBe(2);
    expect(res.stderr.split('\n')[0]).toMatch(/^error: --all needs a StatefulSet name/);
    expect(await versions()).toEqual(before);
  });
});
