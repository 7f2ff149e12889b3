import { describe, expect, it } from 'vitest';
import { quotaDemand, quotaProblem } from '../../../src/plan/quota.ts';

const svc = (type: string, ports = 1) => ({
  spec: { type, ports: Array.from({ length: ports }, (_, i) => ({ port: 80 + i })) },
});

describe('ResourceQuotas', () => {
  it('count what the writes add: Services, load balancers, node ports (two per two-port LoadBalancer)', () => {
    expect(quotaDemand([{ desired: svc('LoadBalancer', 2) }, { desired: svc('ClusterIP') }])).toEqual([
      ['services', 2],
      ['services.loadbalancers', 1],
      ['services.nodeports', 2],
    ]);
    // An update from ClusterIP to NodePort adds node ports only; an unchanged type adds nothing.
    expect(quotaDemand([{ desired: svc('NodePort'), existing: svc('ClusterIP') }])).toEqual([
      ['services.nodeports', 1],
    ]);
    expect(quotaDemand([{ desired: svc('LoadBalancer'), existing: svc('LoadBalancer') }])).toEqual([]);
  });
  it('refuse what a quota would not take, naming it', () => {
    const quota = (hard: Record<string, string>, used: Record<string, string>) => ({
      metadata: { name: 'q' },
      status: { hard, used },
    });
    expect(
      quotaProblem(
        [quota({ 'services.loadbalancers': '3' }, { 'services.loadbalancers': '1' })],
        [['services.loadbalancers', 2]],
        'data',
      ),
    ).toBeUndefined();
    expect(
      quotaProblem(
        [quota({ services: '10', 'services.nodeports': '4' }, { services: '1', 'services.nodeports': '3' })],
        [['services.nodeports', 2]],
        'data',
      ),
    ).toBe(
      'the Services would exceed ResourceQuota "q": services.nodeports 3 used + 2 more > 4 allowed (kubectl describe resourcequota q -n data)',
    );
  });
});
