// The load-balancer simulator's decisions, kept pure so every mode can be unit-tested without a cluster.

export type LbMode = 'ip' | 'hostname' | 'none';
export const lbModes: readonly LbMode[] = ['ip', 'hostname', 'none'];

/** loadBalancerClass values the simulator serves, like a cloud controller that owns a class. */
export const lbClasses = { ip: 'expose-sts.test/ip', hostname: 'expose-sts.test/hostname' } as const;

export interface LbService {
  namespace: string;
  name: string;
  type?: string;
  loadBalancerClass?: string;
  ingress: { ip?: string; hostname?: string }[];
}

export type Ingress = { ip: string; ipMode: 'VIP' } | { hostname: string };

/** What kind of address a Service gets here, or undefined when nobody serves it (it stays pending, as on a cloud). */
export function servedAs(svc: LbService, mode: LbMode): 'ip' | 'hostname' | 'class-ip' | undefined {
  if (svc.type !== 'LoadBalancer') return undefined;
  if (svc.loadBalancerClass === undefined) return mode === 'none' ? undefined : mode;
  if (svc.loadBalancerClass === lbClasses.ip) return 'class-ip';
  if (svc.loadBalancerClass === lbClasses.hostname) return 'hostname';
  return undefined;
}

const hostnameFor = (svc: { namespace: string; name: string }) => `${svc.name}.${svc.namespace}.lb.test`;

/** A block of IPv4 addresses handed out one per Service, unique while in use. */
export class AddressPool {
  private readonly byKey = new Map<string, string>();
  private readonly inUse = new Set<string>();
  private readonly first: number;
  private readonly size: number;
  private next = 0;

  constructor(cidr: string) {
    const [base, bits] = cidr.split('/');
    this.first = toInt(base) + 1;
    this.size = 2 ** (32 - Number(bits)) - 2; // no network or broadcast address
  }

  contains(ip: string): boolean {
    const n = toInt(ip);
    return n >= this.first && n < this.first + this.size;
  }

  addressOf(key: string): string | undefined {
    return this.byKey.get(key);
  }

  /** Records an address a Service already shows (after a restart), unless another Service holds it. */
  reserve(key: string, ip: string): boolean {
    if (!this.contains(ip) || (this.inUse.has(ip) && this.byKey.get(key) !== ip)) return false;
    this.release(key);
    this.byKey.set(key, ip);
    this.inUse.add(ip);
    return true;
  }

  /**
   * The Service's address, allocating one if it has none; undefined when the pool is exhausted (a quota, in effect).
   */
  allocate(key: string): string | undefined {
    const held = this.byKey.get(key);
    if (held) return held;
    for (let tries = 0; tries < this.size; tries++) {
      const ip = fromInt(this.first + ((this.next + tries) % this.size));
      if (!this.inUse.has(ip)) {
        this.next = (this.next + tries + 1) % this.size;
        this.byKey.set(key, ip);
        this.inUse.add(ip);
        return ip;
      }
    }
    return undefined;
  }

  release(key: string): void {
    const ip = this.byKey.get(key);
    if (ip) this.inUse.delete(ip);
    this.byKey.delete(key);
  }
}

function toInt(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function fromInt(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/**
 * Pools: the default `ip` mode gets a large block (benchmarks expose 1000 pods); the ip class the documentation range.
 */
export function newPools() {
  return { ip: new AddressPool('198.18.0.0/15'), 'class-ip': new AddressPool('203.0.113.0/24') };
}
export type Pools = ReturnType<typeof newPools>;

const key = (svc: { namespace: string; name: string }) => `${svc.namespace}/${svc.name}`;

/**
 * The ingress list the Service should show, or undefined to leave its status alone. Addresses are released when a
 * Service stops being one we serve, and an address found on a Service after a restart is kept if still unique.
 */
export function desiredIngress(svc: LbService, mode: LbMode, pools: Pools): Ingress[] | undefined {
  const k = key(svc);
  const kind = servedAs(svc, mode);
  if (kind !== 'ip') pools.ip.release(k);
  if (kind !== 'class-ip') pools['class-ip'].release(k);
  if (kind === undefined) {
    // Stopped being a LoadBalancer: take back what we assigned, as a cloud controller deletes its load balancer.
    const ours = svc.ingress.some(
      (i) =>
        (i.ip && (pools.ip.contains(i.ip) || pools['class-ip'].contains(i.ip))) || i.hostname?.endsWith('.lb.test'),
    );
    return svc.type !== 'LoadBalancer' && ours ? [] : undefined;
  }
  if (kind === 'hostname') return [{ hostname: hostnameFor(svc) }];
  const pool = pools[kind];
  const shown = svc.ingress.find((i) => i.ip)?.ip;
  if (shown && pool.addressOf(k) === undefined) pool.reserve(k, shown);
  const ip = pool.allocate(k);
  return ip ? [{ ip, ipMode: 'VIP' }] : undefined;
}

export function sameIngress(a: LbService['ingress'], b: Ingress[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (x, i) =>
        x.ip === ('ip' in b[i] ? b[i].ip : undefined) &&
        x.hostname === ('hostname' in b[i] ? b[i].hostname : undefined),
    )
  );
}

/** Go-style durations for --lb-delay: `500ms`, `2s`, `1m`, or a bare number of milliseconds. */
export function parseDelay(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`invalid --lb-delay "${text}": use a duration such as 500ms, 2s or 1m`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60000 }[m[2] ?? 'ms']!;
}
