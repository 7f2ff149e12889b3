import { describe, expect, it } from 'vitest';
import {
  AddressPool,
  desiredIngress,
  lbClasses,
  newPools,
  parseDelay,
  sameIngress,
  servedAs,
  type LbService,
} from '../../cluster/lb-addresses.ts';

const svc = (over: Partial<LbService> = {}): LbService => ({
  namespace: 'ns',
  name: 'db-0',
  type: 'LoadBalancer',
  ingress: [],
  ...over,
});

describe('servedAs', () => {
  it('serves unclassed LoadBalancers in the cluster-wide mode, and none of them in none mode', () => {
    expect(servedAs(svc(), 'ip')).toBe('ip');
    expect(servedAs(svc(), 'hostname')).toBe('hostname');
    expect(servedAs(svc(), 'none')).toBeUndefined();
  });
  it('serves its own classes in every mode and ignores other classes, as a cloud would', () => {
    for (const mode of ['ip', 'hostname', 'none'] as const) {
      expect(servedAs(svc({ loadBalancerClass: lbClasses.ip }), mode)).toBe('class-ip');
      expect(servedAs(svc({ loadBalancerClass: lbClasses.hostname }), mode)).toBe('hostname');
      expect(servedAs(svc({ loadBalancerClass: 'example.com/other' }), mode)).toBeUndefined();
    }
  });
  it('ignores Services that are not LoadBalancers', () => {
    expect(servedAs(svc({ type: 'NodePort' }), 'ip')).toBeUndefined();
  });
});

describe('AddressPool', () => {
  it('hands out distinct addresses, stable per Service, skipping the network address', () => {
    const pool = new AddressPool('203.0.113.0/24');
    expect(pool.allocate('a')).toBe('203.0.113.1');
    expect(pool.allocate('b')).toBe('203.0.113.2');
    expect(pool.allocate('a')).toBe('203.0.113.1');
  });
  it('reuses an address only after it is released', () => {
    const pool = new AddressPool('10.0.0.0/30'); // two usable addresses
    expect(pool.allocate('a')).toBe('10.0.0.1');
    expect(pool.allocate('b')).toBe('10.0.0.2');
    expect(pool.allocate('c')).toBeUndefined(); // exhausted, like a cloud quota
    pool.release('a');
    expect(pool.allocate('c')).toBe('10.0.0.1');
  });
  it('keeps an address found after a restart unless another Service already holds it', () => {
    const pool = new AddressPool('203.0.113.0/24');
    expect(pool.reserve('a', '203.0.113.7')).toBe(true);
    expect(pool.reserve('b', '203.0.113.7')).toBe(false);
    expect(pool.reserve('b', '192.0.2.1')).toBe(false); // not ours
    expect(pool.allocate('a')).toBe('203.0.113.7');
  });
  it('spans a large block for benchmarks with a thousand Services', () => {
    const pool = new AddressPool('198.18.0.0/15');
    const ips = new Set(Array.from({ length: 1000 }, (_, i) => pool.allocate(`s${i}`)));
    expect(ips.size).toBe(1000);
    expect(ips.has('198.18.3.232')).toBe(true); // the 1000th, across octet boundaries
  });
});

describe('desiredIngress', () => {
  it('gives an ip (with ipMode VIP) in ip mode and a hostname in hostname mode', () => {
    expect(desiredIngress(svc(), 'ip', newPools())).toEqual([{ ip: '198.18.0.1', ipMode: 'VIP' }]);
    expect(desiredIngress(svc(), 'hostname', newPools())).toEqual([{ hostname: 'db-0.ns.lb.test' }]);
    expect(desiredIngress(svc({ loadBalancerClass: lbClasses.ip }), 'none', newPools())).toEqual([
      { ip: '203.0.113.1', ipMode: 'VIP' },
    ]);
  });
  it('leaves unserved Services alone', () => {
    expect(desiredIngress(svc(), 'none', newPools())).toBeUndefined();
    expect(desiredIngress(svc({ loadBalancerClass: 'x/y' }), 'ip', newPools())).toBeUndefined();
  });
  it('takes its address back when a Service stops being a LoadBalancer', () => {
    const pools = newPools();
    const [first] = desiredIngress(svc(), 'ip', pools)! as { ip: string }[];
    expect(desiredIngress(svc({ type: 'ClusterIP', ingress: [{ ip: first.ip }] }), 'ip', pools)).toEqual([]);
    expect(pools.ip.addressOf('ns/db-0')).toBeUndefined();
    expect(pools.ip.reserve('ns/other', first.ip)).toBe(true); // free for another Service again
  });
  it('does not clear addresses someone else assigned', () => {
    expect(
      desiredIngress(svc({ type: 'ClusterIP', ingress: [{ ip: '192.0.2.99' }] }), 'ip', newPools()),
    ).toBeUndefined();
  });
  it('keeps the address a Service already shows after a restart', () => {
    const pools = newPools();
    expect(desiredIngress(svc({ ingress: [{ ip: '198.18.0.42' }] }), 'ip', pools)).toEqual([
      { ip: '198.18.0.42', ipMode: 'VIP' },
    ]);
    expect(desiredIngress(svc({ name: 'db-1', ingress: [{ ip: '198.18.0.42' }] }), 'ip', pools)).not.toEqual([
      { ip: '198.18.0.42', ipMode: 'VIP' },
    ]);
  });
});

describe('sameIngress', () => {
  it('compares what the Service shows with what it should show', () => {
    expect(sameIngress([{ ip: '1.2.3.4' }], [{ ip: '1.2.3.4', ipMode: 'VIP' }])).toBe(true);
    expect(sameIngress([], [{ hostname: 'a.b.lb.test' }])).toBe(false);
    expect(sameIngress([{ hostname: 'a.b.lb.test' }], [{ hostname: 'a.b.lb.test' }])).toBe(true);
    expect(sameIngress([{ ip: '1.2.3.4' }], [])).toBe(false);
  });
});

describe('parseDelay', () => {
  it('reads Go-style durations', () => {
    expect(parseDelay('0')).toBe(0);
    expect(parseDelay('500ms')).toBe(500);
    expect(parseDelay('2s')).toBe(2000);
    expect(parseDelay('1.5s')).toBe(1500);
    expect(parseDelay('1m')).toBe(60000);
  });
  it('rejects anything else with a message that shows the form', () => {
    expect(() => parseDelay('soon')).toThrow(/500ms, 2s or 1m/);
    expect(() => parseDelay('-1s')).toThrow(/invalid --lb-delay/);
  });
});
