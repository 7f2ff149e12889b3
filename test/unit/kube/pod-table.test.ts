import { describe, expect, it } from 'vitest';
import { podsFromTable, slimPod } from '../../../src/kube/pod.ts';

const columns = ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates'];
const table = (...rows: unknown[][]) => ({
  kind: 'Table',
  columnDefinitions: columns.map((name) => ({ name })),
  rows: rows.map((cells) => ({ cells })),
});
const ready = (pod: { status?: { conditions?: { type: string; status: string }[] } }) =>
  pod.status?.conditions?.find((c) => c.type === 'Ready')?.status;

describe('pods from the rows of a server-side Table', () => {
  it('name, node and readiness: Running with every container ready and every gate met', () => {
    const pods = podsFromTable(
      table(
        ['db-0', '2/2', 'Running', '0', '1m', '10.0.0.1', 'node-a', '<none>', '<none>'],
        ['db-1', '1/2', 'Running', '0', '1m', '10.0.0.2', 'node-b', '<none>', '<none>'],
        ['db-2', '1/1', 'Terminating', '0', '1m', '10.0.0.3', 'node-c', '<none>', '<none>'],
        ['db-3', '1/1', 'Running', '0', '1m', '10.0.0.4', 'node-d', '<none>', '0/1'],
        ['db-4', '0/1', 'Pending', '0', '1m', '<none>', '<none>', '<none>', '<none>'],
        ['db-5', '1/1', 'Running', '0', '1m', '10.0.0.6', 'node-f', '<none>', '1/1'],
      ),
      'data',
    );
    expect(pods.map((p) => [p.metadata?.name, p.metadata?.namespace, p.spec?.nodeName, ready(p)])).toEqual([
      ['db-0', 'data', 'node-a', 'True'],
      ['db-1', 'data', 'node-b', 'False'],
      ['db-2', 'data', 'node-c', 'False'],
      ['db-3', 'data', 'node-d', 'False'],
      ['db-4', 'data', undefined, 'False'],
      ['db-5', 'data', 'node-f', 'True'],
    ]);
  });

  it('finds the columns by name, wherever the server puts them', () => {
    const reordered = {
      columnDefinitions: ['Node', 'Status', 'Name', 'Ready'].map((name) => ({ name })),
      rows: [{ cells: ['node-a', 'Running', 'db-0', '1/1'] }],
    };
    expect(podsFromTable(reordered, 'x')[0]).toMatchObject({
      metadata: { name: 'db-0' },
      spec: { nodeName: 'node-a' },
    });
    expect(ready(podsFromTable(reordered, 'x')[0])).toBe('True');
  });
});

describe('slimPod: a watched pod as the plan reads one', () => {
  const pod = (ready: boolean, deleting = false) => ({
    metadata: {
      name: 'db-0',
      namespace: 'data',
      deletionTimestamp: deleting ? new Date() : undefined,
      labels: { a: 'b' },
    },
    spec: { nodeName: 'node-1', containers: [{ name: 'db' }] },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  it('keeps name, node and readiness, as a Table row gives them; a terminating pod is not ready', () => {
    expect(slimPod(pod(true))).toEqual({
      metadata: { name: 'db-0', namespace: 'data' },
      spec: { nodeName: 'node-1', containers: [] },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(slimPod(pod(true, true)).status?.conditions?.[0].status).toBe('False');
    expect(slimPod(pod(false)).status?.conditions?.[0].status).toBe('False');
  });
});
