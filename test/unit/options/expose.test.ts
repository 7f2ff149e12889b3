import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.ts';
import { exposeFlags, validateExposeFlags, type ExposeFlags, type ExposeOptions } from '../../../src/options/expose.ts';
import { withDefaults } from '../../../src/options/flags.ts';

/** The flags as the parser hands them over: what is given, the defaults for the rest. */
const given = (flags: Partial<ExposeFlags>): ExposeFlags => ({
  ...withDefaults(exposeFlags, flags),
  statefulSet: 'mydb',
  ...flags,
});
/** Annotation or label values as given (options keep them parsed, to vary them per ordinal). */
const texts = (values: Record<string, { text: string }>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.text]));
const ok = (flags: Partial<ExposeFlags>): ExposeOptions => {
  const r = validateExposeFlags(given(flags));
  if (r instanceof UsageError) throw new Error(`unexpected usage error: ${r.message}`);
  return r;
};
const bad = (flags: Partial<ExposeFlags>): string => {
  const r = validateExposeFlags(given(flags));
  expect(r).toBeInstanceOf(UsageError);
  return (r as UsageError).message;
};

describe('validateExposeFlags', () => {
  it('defaults like kubectl expose: ClusterIP, ports from the template, no wait, 5m timeout', () => {
    expect(ok({})).toEqual({
      statefulSet: 'mydb',
      type: 'ClusterIP',
      ports: [],
      externalTrafficPolicy: undefined,
      loadBalancerClass: undefined,
      loadBalancerSourceRanges: [],
      loadBalancerIPs: [],
      loadBalancerProvider: undefined,
      nodePorts: [],
      sharedAddress: false,
      internal: false,
      hostname: undefined,
      dnsTtlSeconds: undefined,
      endpointPort: undefined,
      publishConfigmap: undefined,
      publishNotReadyAddresses: false,
      annotations: {},
      labels: {},
      nameTemplate: '{pod}',
      adopt: false,
      ownerReference: true,
      wait: false,
      timeoutMs: 300_000,
      dryRun: 'none',
      output: '',
      watch: false,
      prune: false,
    });
  });
  it('--watch follows a real run, as rows or JSON lines; --prune only with it', () => {
    expect(ok({ watch: true, prune: true, output: 'json' })).toMatchObject({ watch: true, prune: true });
    expect(bad({ prune: true })).toMatch(/^--prune deletes what a scale-down leaves while --watch follows/);
    expect(bad({ watch: true, dryRun: 'server' })).toMatch(/--dry-run writes nothing/);
    expect(bad({ watch: true, output: 'yaml' })).toMatch(/-o yaml cannot follow; use -o json/);
  });
  it('needs a StatefulSet name', () => {
    expect(validateExposeFlags(withDefaults(exposeFlags, {}))).toBeInstanceOf(UsageError);
  });
  it('reads --type case-insensitively and defaults the policy to Local and waiting on for external types', () => {
    expect(ok({ type: 'loadbalancer' })).toMatchObject({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      wait: true,
    });
    expect(ok({ type: 'NODEPORT' })).toMatchObject({ type: 'NodePort', externalTrafficPolicy: 'Local', wait: false });
    expect(ok({ type: 'LoadBalancer', wait: false }).wait).toBe(false);
    expect(bad({ type: 'ExternalName' })).toBe(
      'invalid argument "ExternalName" for "--type": must be one of ClusterIP, NodePort, LoadBalancer',
    );
  });
  it('takes --external-traffic-policy only for external types', () => {
    expect(ok({ type: 'NodePort', externalTrafficPolicy: 'cluster' }).externalTrafficPolicy).toBe('Cluster');
    expect(bad({ externalTrafficPolicy: 'Local' })).toMatch(/only to --type NodePort or LoadBalancer/);
    expect(bad({ type: 'NodePort', externalTrafficPolicy: 'Nearest' })).toMatch(/must be one of Local, Cluster/);
  });
  it('reads ports as PORT[:TARGET][/PROTOCOL], repeated or comma-separated, with --target-port and --protocol', () => {
    expect(ok({ port: ['5432'] }).ports).toEqual([{ port: 5432, targetPort: 5432, protocol: 'TCP' }]);
    expect(ok({ port: ['5432'], targetPort: 'postgres' }).ports).toEqual([
      { port: 5432, targetPort: 'postgres', protocol: 'TCP' },
    ]);
    expect(ok({ port: ['53/udp', '9094:external', '8080:80/SCTP'] }).ports).toEqual([
      { port: 53, targetPort: 53, protocol: 'UDP' },
      { port: 9094, targetPort: 'external', protocol: 'TCP' },
      { port: 8080, targetPort: 80, protocol: 'SCTP' },
    ]);
    expect(ok({ port: ['80,443'], protocol: 'udp' }).ports.map((p) => `${p.port}/${p.protocol}`)).toEqual([
      '80/UDP',
      '443/UDP',
    ]);
  });
  it('rejects invalid ports with the form to use', () => {
    for (const port of ['0', '65536', 'http', '-1', '80:'])
      expect(bad({ port: [port] })).toMatch(/^invalid (--port|target port)/);
    expect(bad({ port: ['80:Not_A_Name'] })).toMatch(/invalid target port "Not_A_Name"/);
    expect(bad({ port: ['80', '80'] })).toBe('--port 80/TCP is given twice');
    expect(bad({ port: ['80/ICMP'] })).toMatch(/must be one of TCP, UDP, SCTP/);
    expect(bad({ targetPort: '8080' })).toMatch(/--target-port needs --port/);
    expect(bad({ port: ['80', '81'], targetPort: 'http' })).toMatch(/applies to a single --port/);
  });
  it('checks load-balancer flags: class and source ranges only for LoadBalancer, CIDRs valid', () => {
    expect(
      ok({ type: 'LoadBalancer', loadBalancerSourceRanges: ['203.0.113.0/24,2001:db8::/32', '10.0.0.0/8'] })
        .loadBalancerSourceRanges,
    ).toEqual(['203.0.113.0/24', '2001:db8::/32', '10.0.0.0/8']);
    expect(bad({ type: 'LoadBalancer', loadBalancerSourceRanges: ['203.0.113.0/33'] })).toMatch(
      /invalid --load-balancer-source-ranges "203.0.113.0\/33"/,
    );
    expect(bad({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.1'] })).toMatch(/use CIDRs/);
    expect(bad({ loadBalancerSourceRanges: ['10.0.0.0/8'] })).toMatch(/only to --type LoadBalancer/);
    expect(bad({ loadBalancerClass: 'x/y' })).toMatch(/only to --type LoadBalancer/);
    expect(bad({ type: 'LoadBalancer', loadBalancerClass: 'Bad Class' })).toMatch(/invalid --load-balancer-class/);
  });
  it('reads annotations and labels, refusing invalid keys and the ownership labels', () => {
    const o = ok({
      annotations: ['service.beta.kubernetes.io/aws-load-balancer-internal=true', 'note=a=b'],
      labels: ['team=db,tier=data'],
    });
    expect(texts(o.annotations)).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
      note: 'a=b',
    });
    expect(texts(o.labels)).toEqual({ team: 'db', tier: 'data' });
    expect(bad({ annotations: ['novalue'] })).toMatch(/use key=value/);
    expect(bad({ labels: ['bad key=x'] })).toMatch(/invalid --labels key/);
    expect(bad({ labels: ['team=not valid'] })).toMatch(/invalid --labels value/);
    expect(bad({ labels: ['app.kubernetes.io/managed-by=me'] })).toMatch(/cannot set app.kubernetes.io\/managed-by/);
  });
  it('reads --load-balancer-ip as addresses and IPv4 ranges, in order, only for LoadBalancer', () => {
    expect(
      ok({ type: 'LoadBalancer', loadBalancerIp: ['198.18.3.10-198.18.3.12,2001:db8::1', '10.0.0.1'] }).loadBalancerIPs,
    ).toEqual(['198.18.3.10', '198.18.3.11', '198.18.3.12', '2001:db8::1', '10.0.0.1']);
    expect(bad({ loadBalancerIp: ['10.0.0.1'] })).toBe('--load-balancer-ip applies only to --type LoadBalancer');
    expect(bad({ type: 'LoadBalancer', loadBalancerIp: ['10.0.0.300'] })).toBe(
      'invalid --load-balancer-ip: "10.0.0.300" is not an IP address',
    );
    expect(bad({ type: 'LoadBalancer', loadBalancerIp: ['10.0.0.9-10.0.0.1'] })).toMatch(/must run upwards/);
    expect(bad({ type: 'LoadBalancer', loadBalancerIp: ['10.0.0.1', '10.0.0.1'] })).toMatch(
      /10\.0\.0\.1 is given twice/,
    );
    expect(ok({ type: 'LoadBalancer', loadBalancerProvider: 'MetalLB' }).loadBalancerProvider).toBe('metallb');
    expect(bad({ loadBalancerProvider: 'openstack' })).toMatch(
      /must be one of metallb, cilium, kube-vip, gke, aks, aws, generic/,
    );
  });
  it('reads --node-port as a base or a list, for a named port or the only one, and not for ClusterIP', () => {
    expect(ok({ type: 'NodePort', nodePort: ['30000', 'metrics=31000,31005'] }).nodePorts).toEqual([
      { port: undefined, base: 30000 },
      { port: 'metrics', list: [31000, 31005] },
    ]);
    expect(bad({ nodePort: ['30000'] })).toBe('--node-port applies only to --type NodePort or LoadBalancer');
    expect(bad({ type: 'NodePort', nodePort: ['70000'] })).toMatch(/^invalid --node-port "70000": use \[PORT=\]BASE/);
    expect(bad({ type: 'NodePort', nodePort: ['a=1', 'a=2'] })).toBe('--node-port for a is given twice');
  });
  it('makes internal load balancers only of LoadBalancer Services', () => {
    expect(ok({ type: 'LoadBalancer', internal: true }).internal).toBe(true);
    expect(bad({ type: 'NodePort', internal: true })).toBe('--internal applies only to --type LoadBalancer');
  });
  it('shares one address only for LoadBalancer, with the Cluster policy and at most one --load-balancer-ip', () => {
    expect(ok({ type: 'LoadBalancer', sharedAddress: true })).toMatchObject({
      sharedAddress: true,
      externalTrafficPolicy: 'Cluster',
    });
    expect(bad({ type: 'LoadBalancer', sharedAddress: true, externalTrafficPolicy: 'Local' })).toMatch(
      /^--shared-address needs --external-traffic-policy Cluster/,
    );
    expect(bad({ type: 'NodePort', sharedAddress: true })).toBe('--shared-address applies only to --type LoadBalancer');
    expect(bad({ type: 'LoadBalancer', sharedAddress: true, loadBalancerIp: ['10.0.0.1-10.0.0.2'] })).toBe(
      '--shared-address takes one --load-balancer-ip: the address all members share',
    );
  });
  it('reads --hostname, --dns-ttl, --endpoint-port, --publish-configmap and -o endpoints', () => {
    const o = ok({
      type: 'LoadBalancer',
      hostname: '{pod}.kafka.example.test',
      dnsTtl: '5m',
      endpointPort: 'external',
      publishConfigmap: '{sts}-endpoints',
      output: 'endpoints',
    });
    expect(o).toMatchObject({ dnsTtlSeconds: 300, endpointPort: 'external', output: 'endpoints' });
    expect([o.hostname?.text, o.publishConfigmap?.text]).toEqual(['{pod}.kafka.example.test', '{sts}-endpoints']);
    expect(bad({ hostname: '{pod}.example.test' })).toMatch(
      /^--hostname applies only to --type NodePort or LoadBalancer/,
    );
    expect(bad({ type: 'NodePort', hostname: '{pod}.example.test', dnsTtl: 'soon' })).toBe(
      'invalid --dns-ttl "soon": use a duration of at least a second, such as 60s or 5m',
    );
    expect(bad({ type: 'NodePort', dnsTtl: '60s' })).toBe('--dns-ttl needs --hostname: it is the TTL of its records');
    expect(bad({ publishConfigmap: '{pod}-endpoints' })).toMatch(
      /it names one ConfigMap for all members: use \{sts\} or \{namespace\}$/,
    );
    expect(
      bad({
        type: 'NodePort',
        hostname: '{pod}.example.test',
        annotations: ['external-dns.alpha.kubernetes.io/hostname=db.example.test'],
      }),
    ).toBe(
      '--annotations cannot set external-dns.alpha.kubernetes.io/hostname with --hostname, which sets it: give one of them',
    );
    expect(
      bad({
        type: 'NodePort',
        hostname: '{pod}.example.test',
        dnsTtl: '1m',
        annotations: ['external-dns.kubernetes.io/ttl=5'],
      }),
    ).toBe('--annotations cannot set external-dns.kubernetes.io/ttl with --dns-ttl, which sets it: give one of them');
  });
  it('takes per-ordinal values in annotations and labels, and refuses a misspelt placeholder', () => {
    expect(texts(ok({ labels: ['zone={a,b},tier=db'] }).labels)).toEqual({ zone: '{a,b}', tier: 'db' });
    expect(bad({ annotations: ['k={ordnial}'] })).toMatch(
      /^invalid --annotations value "\{ordnial\}" for "k": unknown placeholder/,
    );
  });
  it('checks the name template before anything is read', () => {
    expect(ok({ nameTemplate: '{sts}-{ordinal}-ext' }).nameTemplate).toBe('{sts}-{ordinal}-ext');
    expect(bad({ nameTemplate: '{sts}-external' })).toMatch(/must contain \{pod\} or \{ordinal\}/);
    expect(bad({ nameTemplate: '{pod}-{index}' })).toMatch(/unknown placeholder \{index\}/);
  });
  it('reads --timeout, --dry-run and -o', () => {
    expect(ok({ timeout: '1m30s' }).timeoutMs).toBe(90_000);
    expect(bad({ timeout: '5 minutes' })).toMatch(/invalid --timeout/);
    expect(ok({ type: 'LoadBalancer', dryRun: 'Client' })).toMatchObject({ dryRun: 'client', wait: false });
    expect(bad({ dryRun: 'maybe' })).toMatch(/must be one of none, client, server/);
    expect(ok({ output: 'yaml' }).output).toBe('yaml');
    expect(bad({ output: 'table' })).toMatch(/must be one of wide, json, yaml, name/);
  });
});

describe('validateExposeFlags: what used to be taken without a word (issue: the silent surprises)', () => {
  it('refuses a list flag given with nothing in it', () => {
    expect(bad({ type: 'LoadBalancer', loadBalancerIp: [''] })).toBe('--load-balancer-ip is given without a value');
    expect(bad({ type: 'LoadBalancer', loadBalancerIp: [','] })).toBe('--load-balancer-ip is given without a value');
    expect(bad({ port: [' '] })).toBe('--port is given without a value');
  });
  it('refuses an annotation that --load-balancer-ip or --shared-address sets', () => {
    expect(
      bad({
        type: 'LoadBalancer',
        loadBalancerIp: ['192.0.2.1'],
        annotations: ['metallb.io/loadBalancerIPs=192.0.2.9'],
      }),
    ).toBe(
      '--annotations cannot set metallb.io/loadBalancerIPs with --load-balancer-ip, which sets it: give one of them',
    );
    expect(
      bad({
        type: 'LoadBalancer',
        sharedAddress: true,
        externalTrafficPolicy: 'Cluster',
        annotations: ['metallb.io/allow-shared-ip=mine'],
      }),
    ).toBe(
      '--annotations cannot set metallb.io/allow-shared-ip with --shared-address, which sets it: give one of them',
    );
    expect(
      ok({ type: 'LoadBalancer', annotations: ['metallb.io/loadBalancerIPs=192.0.2.9'] }).annotations,
    ).toHaveProperty('metallb.io/loadBalancerIPs');
  });
  it('bounds --dns-ttl by what a DNS record holds', () => {
    const dns = { type: 'NodePort', hostname: '{pod}.example.com' };
    expect(bad({ ...dns, dnsTtl: '999999999999s' })).toMatch(
      /^invalid --dns-ttl "999999999999s": .* at most 2147483647s/,
    );
    expect(ok({ ...dns, dnsTtl: '2147483647s' }).dnsTtlSeconds).toBe(2147483647);
  });
  it('writes no ConfigMap before the addresses: --publish-configmap with --wait=false is refused', () => {
    expect(bad({ type: 'LoadBalancer', wait: false, publishConfigmap: '{sts}-endpoints' })).toMatch(
      /^--publish-configmap writes the addresses once they are in, and --wait=false does not wait for them/,
    );
  });
});

describe('the Gateway mode', () => {
  it('routes by name through a Gateway, waiting for the routes as for load-balancer addresses', () => {
    const opts = ok({ gateway: 'shared/tls', hostname: '{pod}.kafka.example.com' });
    expect(opts.gateway).toEqual({ name: 'shared', listener: 'tls', portPerMember: false });
    expect(opts.type).toBe('ClusterIP');
    expect(opts.wait).toBe(true);
    expect(ok({ gateway: 'shared', hostname: '{pod}.k.example.com', wait: false }).wait).toBe(false);
  });
  it("makes the StatefulSet's own Gateway, named after it unless --gateway names it, with source ranges", () => {
    const opts = ok({ gatewayClass: 'traefik', portPerMember: true, loadBalancerSourceRanges: ['10.0.0.0/8'] });
    expect(opts.gateway).toEqual({ name: 'mydb', className: 'traefik', portPerMember: true });
    expect(opts.loadBalancerSourceRanges).toEqual(['10.0.0.0/8']);
    expect(ok({ gatewayClass: 'traefik', gateway: 'edge', portPerMember: true }).gateway?.name).toBe('edge');
  });
  it('refuses what the Gateway mode cannot do, each with what to do instead', () => {
    expect(bad({ gateway: 'shared' })).toMatch(/give --hostname.*or --port-per-member/);
    expect(bad({ gateway: 'shared', portPerMember: true, type: 'LoadBalancer' })).toMatch(
      /--type LoadBalancer would add a load balancer per member/,
    );
    expect(bad({ portPerMember: true })).toBe('--port-per-member applies only with --gateway or --gateway-class');
    expect(bad({ gatewayNamespace: 'edge' })).toBe(
      '--gateway-namespace applies only with --gateway or --gateway-class',
    );
    expect(bad({ gateway: 'Shared', portPerMember: true })).toMatch(/^invalid --gateway "Shared"/);
    expect(bad({ gateway: 'a/b/c', portPerMember: true })).toMatch(/has more than one \//);
    expect(bad({ gatewayClass: 'c', gateway: 'g/l', portPerMember: true })).toMatch(/without \/LISTENER/);
    expect(bad({ gatewayClass: 'c', gatewayNamespace: 'x', portPerMember: true })).toMatch(
      /leave --gateway-namespace out/,
    );
    expect(bad({ gateway: 'g', portPerMember: true, loadBalancerSourceRanges: ['10.0.0.0/8'] })).toMatch(
      /applies to a Gateway expose-sts makes/,
    );
    expect(bad({ gateway: 'g', portPerMember: true, nodePort: ['30000'] })).toMatch(
      /--node-port applies only to --type/,
    );
  });
});
