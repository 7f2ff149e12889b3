import type { V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { isUpToDate, ownedFields, planActions } from '../../../src/plan/diff.ts';
import { configMapConflict } from '../../../src/plan/endpoints-configmap.ts';
import { applyBody, desiredServices, type DesiredService } from '../../../src/plan/service.ts';
import { options, sts } from './fixtures.ts';

const desired = (flags = {}) => desiredServices(sts(), options(flags), 'data') as DesiredService[];
/** What the API server would return after applying the body: defaults filled in, our fields recorded as ours. */
function asApplied(d: DesiredService, extra: (s: V1Service) => void = () => undefined): V1Service {
  const s = applyBody(d.service);
  s.spec!.clusterIP = '10.96.0.10';
  s.spec!.ports = s.spec!.ports!.map((p) => ({ ...p, nodePort: 30000 + p.port }));
  s.metadata!.managedFields = [
    {
      manager: 'kubectl-expose-sts',
      operation: 'Apply',
      fieldsV1: {
        'f:metadata': {
          'f:labels': Object.fromEntries(Object.keys(s.metadata!.labels!).map((k) => [`f:${k}`, {}])),
          'f:ownerReferences': {},
        },
        'f:spec': Object.fromEntries(
          Object.keys(s.spec!)
            .filter((k) => k !== 'clusterIP')
            .map((k) => [`f:${k}`, {}]),
        ),
      },
    },
  ];
  extra(s);
  return s;
}

describe('planActions', () => {
  it('creates what is missing and leaves what is right alone', () => {
    const d = desired();
    const plan = planActions(d, [asApplied(d[0])], false);
    expect(plan.conflicts).toEqual([]);
    expect(plan.actions.map((a) => a.kind)).toEqual(['unchanged', 'create', 'create']);
  });
  it('updates a managed Service whose spec changed (another --type, an edited selector)', () => {
    const d = desired({ type: 'NodePort' });
    const old = desired();
    expect(planActions(d, [asApplied(old[0])], false).actions[0].kind).toBe('update');
    const edited = asApplied(d[1], (s) => (s.spec!.selector = { app: 'mydb' }));
    expect(planActions(d, [edited], false).actions[1].kind).toBe('update');
  });
  it('refuses a same-named Service it does not manage, unless --adopt', () => {
    const d = desired();
    const foreign: V1Service = { metadata: { name: 'mydb-1', labels: { app: 'mine' } }, spec: { type: 'ClusterIP' } };
    const plan = planActions(d, [foreign], false);
    expect(plan.conflicts).toEqual([
      'service "mydb-1" already exists and is not managed by expose-sts: use --adopt to take it over, or --name-template to choose other names',
    ]);
    expect(planActions(d, [foreign], true).actions[1]).toMatchObject({ kind: 'adopt', existing: foreign });
  });
  it('refuses a Service it manages for another StatefulSet', () => {
    const d = desired();
    const other = asApplied(d[2], (s) => (s.metadata!.labels!['expose-sts.io/statefulset'] = 'other'));
    expect(planActions(d, [other], true).conflicts[0]).toMatch(/managed by expose-sts for statefulset other/);
  });
});

describe('isUpToDate', () => {
  it('ignores what the server fills in and what other managers add', () => {
    const [d] = desired({ type: 'LoadBalancer' });
    const applied = asApplied(d, (s) => {
      s.metadata!.annotations = { 'external-dns.alpha.kubernetes.io/hostname': 'db.example.com' };
      s.status = { loadBalancer: { ingress: [{ ip: '198.18.0.1' }] } };
      s.spec!.healthCheckNodePort = 31000;
    });
    expect(isUpToDate(d.service, applied)).toBe(true);
  });
  it('notices fields it applied before and no longer wants', () => {
    const [withRanges] = desired({
      type: 'LoadBalancer',
      loadBalancerSourceRanges: ['10.0.0.0/8'],
      annotations: ['a=b'],
    });
    const applied = asApplied(withRanges, (s) => {
      s.metadata!.annotations = { a: 'b' };
      (s.metadata!.managedFields![0].fieldsV1 as Record<string, Record<string, unknown>>)['f:metadata'][
        'f:annotations'
      ] = { 'f:a': {} };
    });
    const [plain] = desired({ type: 'LoadBalancer' });
    expect(isUpToDate(withRanges.service, applied)).toBe(true);
    expect(isUpToDate(plain.service, applied)).toBe(false);
    expect(ownedFields(applied)).toMatchObject({ annotations: ['a'], ownerReferences: true });
    const [noOwner] = desired({
      type: 'LoadBalancer',
      loadBalancerSourceRanges: ['10.0.0.0/8'],
      annotations: ['a=b'],
      ownerReference: false,
    });
    expect(isUpToDate(noOwner.service, applied)).toBe(false);
  });
  it('notices a changed port, label or owner', () => {
    const [d] = desired();
    expect(
      isUpToDate(
        d.service,
        asApplied(d, (s) => (s.spec!.ports![0].targetPort = 5433)),
      ),
    ).toBe(false);
    expect(
      isUpToDate(
        d.service,
        asApplied(d, (s) => (s.metadata!.labels!['expose-sts.io/ordinal'] = '9')),
      ),
    ).toBe(false);
    expect(
      isUpToDate(
        d.service,
        asApplied(d, (s) => (s.metadata!.ownerReferences = [])),
      ),
    ).toBe(false);
  });
  it('notices any other spec field asked for and not as asked, such as publishNotReadyAddresses', () => {
    const [d] = desired({ publishNotReadyAddresses: true });
    expect(isUpToDate(d.service, asApplied(d))).toBe(true);
    expect(
      isUpToDate(
        d.service,
        asApplied(d, (s) => void delete s.spec!.publishNotReadyAddresses),
      ),
    ).toBe(false);
    const [lb] = desired({ type: 'LoadBalancer', externalTrafficPolicy: 'Cluster' });
    expect(
      isUpToDate(
        lb.service,
        asApplied(lb, (s) => void (s.spec!.externalTrafficPolicy = 'Local')),
      ),
    ).toBe(false);
  });
});

describe('node ports', () => {
  it('count only where --node-port asks for one: elsewhere the API server’s allocation stands', () => {
    const pinned = desired({ type: 'NodePort', nodePort: ['postgres=30100'] })[0];
    expect(
      isUpToDate(
        pinned.service,
        asApplied(pinned, (s) => void (s.spec!.ports![0].nodePort = 30100)),
      ),
    ).toBe(true);
    expect(
      isUpToDate(
        pinned.service,
        asApplied(pinned, (s) => void (s.spec!.ports![0].nodePort = 30101)),
      ),
    ).toBe(false);
    const free = desired({ type: 'NodePort' })[0];
    expect(isUpToDate(free.service, asApplied(free))).toBe(true);
  });
});

describe('messages name no undefined', () => {
  it('a managed Service or ConfigMap without the StatefulSet label is said to have none', () => {
    const labels = { 'app.kubernetes.io/managed-by': 'kubectl-expose-sts' };
    const desired = {
      ordinal: 0,
      pod: 'db-0',
      name: 'db-0',
      service: { metadata: { name: 'db-0', labels: { 'expose-sts.io/statefulset': 'db' } } },
    };
    const plan = planActions([desired], [{ metadata: { name: 'db-0', labels } }], false);
    expect(plan.conflicts[0]).toBe(
      'service "db-0" is managed by expose-sts but has no expose-sts.io/statefulset label: use --name-template to choose other names',
    );
    expect(configMapConflict({ metadata: { name: 'db-endpoints', labels } }, 'db')).toBe(
      'configmap "db-endpoints" is managed by expose-sts but has no expose-sts.io/statefulset label: name another with --publish-configmap NAME',
    );
  });
});
