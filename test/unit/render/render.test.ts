import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Exposure } from '../../../src/plan/exposure.ts';
import { formatObjects } from '../../../src/render/objects.ts';
import { layTable, table } from '../../../src/render/table.ts';
import type { StatusRow } from '../../../src/plan/drift.ts';
import { formatRowChange } from '../../../src/render/status.ts';
import { exposeTable, layExposeTable, layStatusTable } from '../../../src/render/tables.ts';

const row = (
  over: { ordinal?: number; pod?: string; service?: string; address?: string; ready?: boolean } = {},
): Exposure => ({
  namespace: 'data',
  statefulSet: 'mydb',
  ordinal: over.ordinal ?? 0,
  pod: over.pod ?? 'mydb-0',
  node: 'kwok-node-0',
  ready: over.ready ?? true,
  type: 'LoadBalancer',
  service: {
    name: over.service ?? 'mydb-0',
    uid: 'u',
    type: 'LoadBalancer',
    clusterIP: '10.96.0.1',
    nodePorts: [31000],
    externalTrafficPolicy: 'Local',
    ingress: [],
    endpoint:
      over.address === ''
        ? undefined
        : { host: over.address ?? '203.0.113.5', ports: [{ name: 'postgres', servicePort: 5432, port: 5432 }] },
  },
});

describe('table', () => {
  it('looks like kubectl: upper-case headers, three spaces between columns, no borders, no trailing blanks', () => {
    expect(
      table(
        ['NAME', 'TYPE'],
        [
          ['a', 'LoadBalancer'],
          ['longer-name', 'x'],
        ],
      ),
    ).toBe('NAME          TYPE\n' + 'a             LoadBalancer\n' + 'longer-name   x\n');
  });
  it('--no-headers: the rows alone, in columns as wide as the rows need', () => {
    const laid = layTable(['ORDINAL', 'ENDPOINT'], [['0', '203.0.113.5:5432']], true);
    expect(laid.text).toBe('0   203.0.113.5:5432\n');
    expect(laid.line(['10', '<pending>'])).toBe('10   <pending>\n');
    expect(layTable(['ORDINAL', 'ENDPOINT'], [], true).text).toBe('');
  });
  it('prints the expose table and its wide form', () => {
    const out = exposeTable(
      [row(), row({ ordinal: 10, pod: 'mydb-10', service: 'mydb-10', address: '', ready: false })],
      { wide: false },
    );
    expect(out).toBe(
      'ORDINAL   POD       SERVICE   TYPE           ENDPOINT           READY\n' +
        '0         mydb-0    mydb-0    LoadBalancer   203.0.113.5:5432   true\n' +
        '10        mydb-10   mydb-10   LoadBalancer   <pending>          false\n',
    );
    // A Ready pod whose load balancer has no address yet cannot be reached: READY is not true beside <pending>.
    expect(exposeTable([row({ address: '' })], { wide: false }).split('\n')[1]).toMatch(/<pending>\s+false$/);
    expect(exposeTable([row()], { wide: true }).split('\n')[0]).toBe(
      'ORDINAL   POD      SERVICE   TYPE           ENDPOINT           READY   NODE          ADDRESS       CLUSTER-IP   NODE-PORTS   POLICY   ENDPOINTS',
    );
  });
});

describe('formatObjects', () => {
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'mydb-0', managedFields: [{ manager: 'x' }] },
    spec: { type: 'ClusterIP' },
  };
  it('prints a v1 List without managedFields for json and yaml, and service/NAME for name', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: '' },
      items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'mydb-0' }, spec: { type: 'ClusterIP' } }],
    };
    expect(JSON.parse(formatObjects([svc], 'json'))).toEqual(list);
    expect(parse(formatObjects([svc], 'yaml'))).toEqual(list);
    expect(formatObjects([svc, { ...svc, metadata: { name: 'mydb-1' } }], 'name')).toBe(
      'service/mydb-0\nservice/mydb-1\n',
    );
  });
});

describe('a changed row printed after the table', () => {
  it('lines up in the columns the table laid out, as kubectl get --watch prints one', () => {
    const laid = layExposeTable([row({ address: '' }), row({ ordinal: 1, pod: 'mydb-1', service: 'mydb-1' })], {
      wide: false,
    });
    const changed = laid.row(row({ address: '203.0.113.9' }));
    const [header] = laid.text.split('\n');
    expect(changed).toBe('0         mydb-0   mydb-0    LoadBalancer   203.0.113.9:5432   true\n');
    // Every column starts where the header's does.
    for (const column of ['POD', 'SERVICE', 'TYPE', 'ENDPOINT', 'READY'])
      expect(changed[header.indexOf(column) - 1]).toBe(' ');
    expect(laid.text.split('\n')[1]).toContain('<pending>');
  });
  it('keeps three spaces after a cell longer than its column, pushing only the later cells of its own line', () => {
    // Every member pending when the table was laid: ENDPOINT is as wide as <pending>, the address that comes is wider.
    const laid = layExposeTable([row({ address: '' })], { wide: false });
    expect(laid.row(row({ address: '203.0.113.9' }))).toBe(
      '0         mydb-0   mydb-0    LoadBalancer   203.0.113.9:5432   true\n',
    );
    expect(laid.text).toMatch(/ENDPOINT {4}READY/);
  });
});

describe('status --watch output', () => {
  const statusRow = (state: StatusRow['state'], address?: string): StatusRow => ({
    ...row({ address }),
    state,
    reason: state === 'Ready' ? '' : 'no load-balancer address yet',
  });
  const columns = { allNamespaces: false, wide: false, events: true };
  it("keeps the EVENT column wide enough for MODIFIED after a table of ADDED rows, as kubectl's", () => {
    const laid = layStatusTable([statusRow('Pending', '')], columns);
    expect(laid.text.split('\n')[0]).toMatch(/^EVENT {6}STATEFULSET/);
    const later = laid.row(statusRow('Ready'), 'MODIFIED');
    expect(later.indexOf('mydb')).toBe(laid.text.split('\n')[1].indexOf('mydb'));
  });
  it('prints a changed row as an object, or as a watch event with --output-watch-events', () => {
    expect(JSON.parse(formatRowChange(statusRow('Ready'), 'json'))).toMatchObject({ ordinal: 0, state: 'Ready' });
    expect(JSON.parse(formatRowChange(statusRow('Ready'), 'json', 'MODIFIED'))).toMatchObject({
      type: 'MODIFIED',
      object: { endpoint: '203.0.113.5:5432', state: 'Ready' },
    });
    expect(formatRowChange(statusRow('Pending', ''), 'yaml', 'ADDED')).toMatch(
      /^---\ntype: ADDED\nobject:\n {2}namespace: data/,
    );
  });
});
