import { describe, expect, it } from 'vitest';
import { ordinals } from '../../../src/plan/ordinal.ts';
import { applyBody, desiredServices as desiredServicesAnswer, type DesiredService } from '../../../src/plan/service.ts';
import { loadBalancerOf, type Provider } from '../../../src/plan/load-balancer.ts';
import { options, sts } from './fixtures.ts';
import { answering } from '../answer.ts';
const desiredServices = answering(desiredServicesAnswer);

/** The load balancer a cluster shows, as expose reads it. */
const served = (provider: Provider) => loadBalancerOf(provider, { groups: [] });

const desired = (...args: Parameters<typeof desiredServices>) => {
  const d = desiredServices(...args);
  if (typeof d === 'string') throw new Error(d);
  return d;
};

describe('ordinals', () => {
  it('run from .spec.ordinals.start for replicas pods', () => {
    expect(ordinals(sts())).toEqual([0, 1, 2]);
    expect(ordinals(sts({ start: 5, replicas: 2 }))).toEqual([5, 6]);
    expect(ordinals(sts({ replicas: 0 }))).toEqual([]);
  });
});

describe('desiredServices', () => {
  it('makes one Service per pod selecting only its pod-name label, owned and labelled as conventions say', () => {
    const [first, , last]: DesiredService[] = desired(sts(), options({ type: 'LoadBalancer' }), 'data');
    expect(last.pod).toBe('mydb-2');
    expect(applyBody(first.service)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'mydb-0',
        namespace: 'data',
        labels: {
          'app.kubernetes.io/managed-by': 'kubectl-expose-sts',
          'expose-sts.io/statefulset': 'mydb',
          'expose-sts.io/ordinal': '0',
        },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'mydb', uid: 'uid-1' }],
      },
      spec: {
        type: 'LoadBalancer',
        selector: { 'statefulset.kubernetes.io/pod-name': 'mydb-0' },
        ports: [
          { name: 'postgres', port: 5432, targetPort: 'postgres', protocol: 'TCP' },
          { name: 'metrics', port: 9187, targetPort: 'metrics', protocol: 'TCP' },
        ],
        externalTrafficPolicy: 'Local',
      },
    });
  });
  it('carries the flags: class, ranges, annotations, labels, template, no owner', () => {
    const [d] = desired(
      sts({ start: 3 }),
      options({
        type: 'LoadBalancer',
        loadBalancerClass: 'example.com/lb',
        loadBalancerSourceRanges: ['203.0.113.0/24'],
        annotations: ['a=b'],
        labels: ['team=db'],
        nameTemplate: '{sts}-ext-{ordinal}',
        ownerReference: false,
        externalTrafficPolicy: 'Cluster',
      }),
      'data',
    );
    const body = applyBody(d.service);
    expect(body.metadata).toMatchObject({
      name: 'mydb-ext-3',
      annotations: { a: 'b' },
      labels: { team: 'db', 'expose-sts.io/ordinal': '3' },
    });
    expect(body.metadata!.ownerReferences).toBeUndefined();
    expect(body.spec).toMatchObject({
      loadBalancerClass: 'example.com/lb',
      loadBalancerSourceRanges: ['203.0.113.0/24'],
      externalTrafficPolicy: 'Cluster',
    });
  });
  it('leaves the source ranges to the own Gateway in the Gateway mode: its ClusterIP Services may not have them', () => {
    const opts = options({
      gateway: 'edge',
      gatewayClass: 'traefik',
      portPerMember: true,
      loadBalancerSourceRanges: ['203.0.113.0/24'],
    });
    expect(opts.loadBalancerSourceRanges).toEqual(['203.0.113.0/24']);
    expect(desired(sts(), opts, 'data')[0].service.spec).toMatchObject({ type: 'ClusterIP' });
    expect(desired(sts(), opts, 'data')[0].service.spec?.loadBalancerSourceRanges).toBeUndefined();
  });
  it('sets no traffic policy for ClusterIP', () => {
    expect(applyBody(desired(sts(), options(), 'data')[0].service).spec!.externalTrafficPolicy).toBeUndefined();
  });
  it('names unnamed ports, skips plain init containers, includes native sidecars and drops duplicates', () => {
    const [d] = desired(
      sts({
        ports: [[{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }], [{ containerPort: 80 }]],
        sidecarPorts: [15000],
      }),
      options(),
      'data',
    );
    expect(d.service.spec!.ports).toEqual([
      { name: 'port-1', port: 80, targetPort: 80, protocol: 'TCP' },
      { name: 'port-2', port: 53, targetPort: 53, protocol: 'UDP' },
      { name: 'port-3', port: 15000, targetPort: 15000, protocol: 'TCP' },
    ]);
  });
  it('uses --port instead of the template, naming ports after named targets', () => {
    const [d] = desired(sts(), options({ port: ['15432:postgres', '9000'] }), 'data');
    expect(d.service.spec!.ports).toEqual([
      { name: 'postgres', port: 15432, targetPort: 'postgres', protocol: 'TCP' },
      { name: 'port-9000', port: 9000, targetPort: 9000, protocol: 'TCP' },
    ]);
    expect(desired(sts(), options({ port: ['5432'] }), 'data')[0].service.spec!.ports).toEqual([
      { port: 5432, targetPort: 5432, protocol: 'TCP', name: undefined },
    ]);
  });
  it('fails, naming what to do, without ports or with an unknown target name', () => {
    expect(desiredServices(sts({ ports: [[]] }), options(), 'data')).toMatch(
      /declares no container ports: say which to expose with --port/,
    );
    expect(desiredServices(sts(), options({ port: ['80:http'] }), 'data')).toBe(
      'target port "http" is not a named container port of statefulset mydb (its named ports: postgres, metrics)',
    );
  });
  it('fails before writing when the template gives an invalid name', () => {
    expect(desiredServices(sts(), options({ nameTemplate: `{pod}-${'x'.repeat(60)}` }), 'data')).toMatch(
      /gives "mydb-0-x+" for ordinal 0, which is not a valid Service name: it must be no more than 63 characters/,
    );
    expect(desiredServices(sts(), options({ nameTemplate: '{ordinal}' }), 'data')).toMatch(
      /gives "0" .* start with an alphabetic character/,
    );
  });
  it('names Services from a list, one per ordinal, and refuses two alike or too few', () => {
    expect(desired(sts(), options({ nameTemplate: '{alpha,beta,gamma}' }), 'data').map((d) => d.name)).toEqual([
      'alpha',
      'beta',
      'gamma',
    ]);
    expect(desiredServices(sts(), options({ nameTemplate: '{alpha,beta}' }), 'data')).toBe(
      '--name-template "{alpha,beta}": its list has 2 items for 3 ordinals: add 1 more',
    );
    expect(desiredServices(sts(), options({ nameTemplate: '{a,b,a}' }), 'data')).toMatch(/gives "a" to two ordinals/);
  });
});

describe('per-ordinal values and addresses', () => {
  const three = sts({ start: 5 });
  it('gives each Service its annotation and label values: placeholders and lists, in ordinal order', () => {
    const d = desired(
      three,
      options({
        annotations: [
          'external-dns.alpha.kubernetes.io/hostname={pod}.db.example.test',
          'eip={eipalloc-a,eipalloc-b,eipalloc-c}',
          'note={"fixed": true}',
        ],
        labels: ['zone={a,b,c}', 'member=m{ordinal}'],
      }),
      'data',
    );
    expect(d.map((x) => x.service.metadata!.annotations)).toEqual(
      [5, 6, 7].map((o, i) => ({
        'external-dns.alpha.kubernetes.io/hostname': `mydb-${o}.db.example.test`,
        eip: `eipalloc-${'abc'[i]}`,
        note: '{"fixed": true}',
      })),
    );
    expect(d.map((x) => [x.service.metadata!.labels!.zone, x.service.metadata!.labels!.member])).toEqual([
      ['a', 'm5'],
      ['b', 'm6'],
      ['c', 'm7'],
    ]);
  });
  it('fails before writing when a list is too short or a label value is not valid for some ordinal', () => {
    expect(desiredServices(three, options({ annotations: ['eip={x,y}'] }), 'data')).toBe(
      '--annotations eip="{x,y}": its list has 2 items for 3 ordinals: add 1 more',
    );
    expect(desiredServices(three, options({ labels: ['zone={a,b,c d}'] }), 'data')).toMatch(
      /^--labels zone="\{a,b,c d\}" gives "c d" for ordinal 7, which is not a valid label value/,
    );
  });
  it('asks for one address per ordinal the way the load balancer takes it', () => {
    const ips = ['198.18.3.10-198.18.3.12'];
    const metallb = desired(three, options({ type: 'LoadBalancer', loadBalancerIp: ips }), 'data', served('metallb'));
    expect(metallb.map((x) => x.service.metadata!.annotations)).toEqual(
      ['10', '11', '12'].map((n) => ({ 'metallb.io/loadBalancerIPs': `198.18.3.${n}` })),
    );
    expect(metallb[0].service.spec!.loadBalancerIP).toBeUndefined();
    const generic = desired(three, options({ type: 'LoadBalancer', loadBalancerIp: ips }), 'data', served('gke'));
    expect(generic.map((x) => x.service.spec!.loadBalancerIP)).toEqual(['198.18.3.10', '198.18.3.11', '198.18.3.12']);
    const cilium = desired(three, options({ type: 'LoadBalancer', loadBalancerIp: ips }), 'data', served('cilium'));
    expect(cilium[0].service.metadata!.annotations).toEqual({ 'lbipam.cilium.io/ips': '198.18.3.10' });
  });
  it('needs an address for every ordinal, and none from AWS, saying what to do instead', () => {
    expect(
      desiredServices(
        three,
        options({ type: 'LoadBalancer', loadBalancerIp: ['198.18.3.10,198.18.3.11'] }),
        'data',
        served('metallb'),
      ),
    ).toBe('2 addresses for 3 ordinals (5-7): give 1 more with --load-balancer-ip');
    // More addresses than ordinals: one of them was meant for something else.
    expect(
      desiredServices(
        three,
        options({ type: 'LoadBalancer', loadBalancerIp: ['198.18.3.10-198.18.3.13'] }),
        'data',
        served('metallb'),
      ),
    ).toBe('4 addresses for 3 ordinals (5-7): give one --load-balancer-ip per ordinal, in ordinal order');
    // Unless --watch follows the StatefulSet: the spare ones are for the members a scale-up adds.
    const spare = desiredServices(
      three,
      options({ type: 'LoadBalancer', loadBalancerIp: ['198.18.3.10-198.18.3.13'], watch: true }),
      'data',
      served('metallb'),
    );
    expect(
      Array.isArray(spare) && spare.map((d) => d.service.metadata?.annotations?.['metallb.io/loadBalancerIPs']),
    ).toEqual(['198.18.3.10', '198.18.3.11', '198.18.3.12']);
    expect(
      desiredServices(
        three,
        options({ type: 'LoadBalancer', loadBalancerIp: ['3.1.2.3-3.1.2.5'] }),
        'data',
        served('aws'),
      ),
    ).toMatch(/^AWS load balancers take Elastic IP allocations/);
  });
  it('gives each ordinal its node ports: a base counted up, or a list, for the port named or the only one', () => {
    const single = sts({ start: 5, ports: [[{ name: 'kafka', containerPort: 9092 }]] });
    expect(
      desired(single, options({ type: 'NodePort', nodePort: ['30010'] }), 'data').map(
        (d) => d.service.spec!.ports![0].nodePort,
      ),
    ).toEqual([30010, 30011, 30012]);
    const two = desired(
      three,
      options({ type: 'LoadBalancer', nodePort: ['metrics=31000,31007,31009', 'postgres=30000'] }),
      'data',
    );
    expect(two.map((d) => d.service.spec!.ports!.map((p) => `${p.name}:${p.nodePort}`))).toEqual([
      ['postgres:30000', 'metrics:31000'],
      ['postgres:30001', 'metrics:31007'],
      ['postgres:30002', 'metrics:31009'],
    ]);
  });
  it('needs the port named when there are several, and a node port for every ordinal', () => {
    expect(desiredServices(three, options({ type: 'NodePort', nodePort: ['30000'] }), 'data')).toBe(
      "--node-port needs PORT= to say which of the Service's ports it is for (postgres, metrics)",
    );
    expect(desiredServices(three, options({ type: 'NodePort', nodePort: ['http=30000'] }), 'data')).toMatch(
      /the Services have no port http \(their ports: postgres, metrics\)/,
    );
    expect(desiredServices(three, options({ type: 'NodePort', nodePort: ['postgres=30000,30001'] }), 'data')).toBe(
      '--node-port postgres=30000,30001: 2 node ports for 3 ordinals: add 1 more',
    );
  });
  it('puts every ordinal behind one address, each on its own ports, where the load balancer can share', () => {
    const d = desired(
      three,
      options({ type: 'LoadBalancer', sharedAddress: true, loadBalancerIp: ['198.18.3.150'] }),
      'data',
      served('metallb'),
    );
    expect(d.map((x) => x.service.spec!.ports!.map((p) => `${p.port}->${p.targetPort}`))).toEqual([
      ['5432->postgres', '9187->metrics'],
      ['5433->postgres', '9188->metrics'],
      ['5434->postgres', '9189->metrics'],
    ]);
    expect(d.map((x) => x.service.metadata!.annotations)).toEqual(
      d.map(() => ({ 'metallb.io/loadBalancerIPs': '198.18.3.150', 'metallb.io/allow-shared-ip': 'data/mydb' })),
    );
    expect(d[0].service.spec!.externalTrafficPolicy).toBe('Cluster');
    const cilium = desired(three, options({ type: 'LoadBalancer', sharedAddress: true }), 'data', served('cilium'));
    expect(cilium[2].service.metadata!.annotations).toEqual({ 'lbipam.cilium.io/sharing-key': 'data/mydb' });
  });
  it('refuses to share where the load balancer cannot, or where two members would answer on one port', () => {
    expect(
      desiredServices(three, options({ type: 'LoadBalancer', sharedAddress: true }), 'data', served('gke')),
    ).toMatch(
      /^--shared-address needs a load balancer that shares addresses between Services \(MetalLB or Cilium\); gke gives each its own: drop --shared-address/,
    );
    const close = sts({
      ports: [
        [
          { name: 'a', containerPort: 9092 },
          { name: 'b', containerPort: 9093 },
        ],
      ],
    });
    expect(
      desiredServices(close, options({ type: 'LoadBalancer', sharedAddress: true }), 'data', served('metallb')),
    ).toBe(
      '--shared-address: ordinals 0 and 1 would both answer on port 9093/TCP (their ports are too close together for this many members): expose ports further apart with --port',
    );
  });
  it('makes an internal load balancer the way the nodes’ cloud takes it, and says what to do elsewhere', () => {
    const internal = (cloud: Provider) =>
      desiredServices(three, options({ type: 'LoadBalancer', internal: true }), 'data', served(cloud));
    const annotations = (d: ReturnType<typeof internal>) =>
      typeof d === 'string' ? d : d[0].service.metadata!.annotations;
    expect(annotations(internal('aws'))).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
    });
    expect(annotations(internal('gke'))).toEqual({ 'networking.gke.io/load-balancer-type': 'Internal' });
    expect(annotations(internal('aks'))).toEqual({ 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' });
    expect(internal('generic')).toMatch(
      /^--internal knows the internal load balancers of AWS, GKE and AKS .* this cluster runs on none of them: give the annotation your load balancer takes with --annotations$/,
    );
    expect(internal('metallb')).toMatch(/metallb has none/);
  });
  it('names each member for external-dns, with a TTL, and refuses a name that is not a DNS name', () => {
    const d = desired(
      three,
      options({
        type: 'LoadBalancer',
        hostname: '{pod}.db.example.test',
        dnsTtl: '1m',
        publishNotReadyAddresses: true,
      }),
      'data',
    );
    expect(d.map((x) => x.service.metadata!.annotations)).toEqual(
      // Under both prefixes: external-dns v0.22.0 and later read only the first, earlier releases only the second.
      ['mydb-5', 'mydb-6', 'mydb-7'].map((pod) => ({
        'external-dns.kubernetes.io/hostname': `${pod}.db.example.test`,
        'external-dns.alpha.kubernetes.io/hostname': `${pod}.db.example.test`,
        'external-dns.kubernetes.io/ttl': '60',
        'external-dns.alpha.kubernetes.io/ttl': '60',
      })),
    );
    expect(d[0].service.spec!.publishNotReadyAddresses).toBe(true);
    expect(desiredServices(three, options({ type: 'LoadBalancer', hostname: '{pod}_x.example.test' }), 'data')).toMatch(
      /^--hostname "\{pod\}_x.example.test" gives "mydb-5_x.example.test" for ordinal 5, which is not a valid DNS name/,
    );
    expect(desiredServices(three, options({ type: 'LoadBalancer', hostname: 'db.example.test' }), 'data')).toMatch(
      /gives "db.example.test" to two ordinals/,
    );
  });
  it('marks the Services with the ConfigMap they are published in, and refuses an --endpoint-port they do not have', () => {
    const d = desired(three, options({ publishConfigmap: '{sts}-endpoints' }), 'data');
    expect(d[0].service.metadata!.annotations).toEqual({ 'expose-sts.io/configmap': 'mydb-endpoints' });
    expect(desiredServices(three, options({ endpointPort: 'http' }), 'data')).toBe(
      '--endpoint-port http: the Services have no such port (their ports: postgres, metrics)',
    );
    expect(desired(three, options({ endpointPort: '9187' }), 'data')).toHaveLength(3);
  });
});
