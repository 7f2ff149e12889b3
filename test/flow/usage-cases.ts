// The bad-input catalogue's usage errors (exit 2): refused before anything is read, so the flow suite checks them
// without a cluster on every pull request (bad-input.test.ts here), and the reliability suite against a real one
// (test/reliability/bad-input.test.ts, which lists every case in its README).

export interface UsageCase {
  name: string;
  /** The arguments after `kubectl expose-sts`; StatefulSet db exists where a cluster is. */
  args: string[];
  error: RegExp;
}

export const usageCases: UsageCase[] = [
  {
    name: 'invalid --type',
    args: ['db', '--type', 'ExternalName'],
    error: /^invalid argument "ExternalName" for "--type": must be one of ClusterIP, NodePort, LoadBalancer$/,
  },
  {
    name: 'port out of range',
    args: ['db', '--port', '70000'],
    error: /^invalid --port "70000": use PORT\[:TARGET\]\[\/PROTOCOL\]/,
  },
  {
    name: 'the same port twice',
    args: ['db', '--port', '5432', '--port', '5432'],
    error: /^--port 5432\/TCP is given twice$/,
  },
  {
    name: 'invalid --protocol',
    args: ['db', '--protocol', 'ICMP'],
    error: /^invalid argument "ICMP" for "--protocol": must be one of TCP, UDP, SCTP$/,
  },
  {
    name: 'invalid source range',
    args: ['db', '--type', 'LoadBalancer', '--load-balancer-source-ranges', '10.0.0.0/40'],
    error: /^invalid --load-balancer-source-ranges "10.0.0.0\/40": use CIDRs/,
  },
  {
    name: 'source ranges without LoadBalancer',
    args: ['db', '--load-balancer-source-ranges', '10.0.0.0/8'],
    error: /^--load-balancer-source-ranges applies only to --type LoadBalancer$/,
  },
  {
    name: 'traffic policy for ClusterIP',
    args: ['db', '--external-traffic-policy', 'Local'],
    error: /^--external-traffic-policy applies only to --type NodePort or LoadBalancer$/,
  },
  {
    name: '--wait for a type without addresses',
    args: ['db', '--type', 'NodePort', '--wait'],
    error: /^--wait applies only to --type LoadBalancer: a NodePort Service has no load-balancer address to wait for$/,
  },
  {
    name: '--gateway without a way to tell members apart',
    args: ['db', '--gateway', 'edge'],
    error:
      /^--gateway tells members apart by the name clients send \(SNI\): give --hostname, e\.g\. '\{pod\}\.kafka\.example\.com', or --port-per-member for a port each$/,
  },
  {
    name: '--gateway with a load balancer per member',
    args: ['db', '--gateway', 'edge', '--port-per-member', '--type', 'LoadBalancer'],
    error:
      /^--gateway routes to each member's ClusterIP Service through one Gateway: --type LoadBalancer would add a load balancer per member; leave --type out$/,
  },
  {
    name: '--port-per-member without a Gateway',
    args: ['db', '--port-per-member'],
    error: /^--port-per-member applies only with --gateway or --gateway-class$/,
  },
  {
    name: '--dns-ttl that is not a duration',
    args: ['db', '--type', 'NodePort', '--hostname', '{pod}.example.com', '--dns-ttl', 'soon'],
    error: /^invalid --dns-ttl "soon": use a duration of at least a second, such as 60s or 5m$/,
  },
  {
    name: 'annotation without a value',
    args: ['db', '--annotations', 'novalue'],
    error: /^invalid --annotations "novalue": use key=value$/,
  },
  {
    name: 'label the plugin owns',
    args: ['db', '--labels', 'app.kubernetes.io/managed-by=me'],
    error: /^--labels cannot set app.kubernetes.io\/managed-by: expose-sts sets it/,
  },
  {
    name: 'invalid --timeout',
    args: ['db', '--timeout', 'soon'],
    error: /^invalid --timeout "soon": use a duration such as 30s, 5m or 1h$/,
  },
  {
    name: '--prune without --watch',
    args: ['db', '--prune'],
    error:
      /^--prune deletes what a scale-down leaves while --watch follows the StatefulSet: give --watch too, or run kubectl expose-sts prune once$/,
  },
  {
    name: '--watch with a dry run',
    args: ['db', '--watch', '--dry-run=server'],
    error: /^--watch keeps the Services in step, and --dry-run writes nothing: give one of them$/,
  },
  {
    name: 'status --watch with --exit-code',
    args: ['status', 'db', '--watch', '--exit-code'],
    error: /^--exit-code ends with the state of one moment, and --watch follows it: give one of them$/,
  },
  {
    name: 'invalid --request-timeout',
    args: ['db', '--request-timeout', 'forever'],
    error: /^invalid --request-timeout "forever": use a duration such as 30s or 1m, or 0 for none$/,
  },
  {
    name: 'invalid --output',
    args: ['db', '-o', 'xml'],
    error: /^invalid argument "xml" for "--output": must be one of wide, json, yaml, name, endpoints$/,
  },
  {
    name: 'invalid --dry-run',
    args: ['db', '--dry-run=maybe'],
    error: /^invalid argument "maybe" for "--dry-run": must be one of none, client, server$/,
  },
  {
    name: 'invalid -v',
    args: ['db', '-v', 'loud'],
    error: /^invalid argument "loud" for "-v": use a whole number such as 4 or 6$/,
  },
  {
    name: '--as-group without --as',
    args: ['db', '--as-group', 'devs'],
    error: /^--as-group needs --as$/,
  },
  {
    name: '--as-uid without --as',
    args: ['db', '--as-uid', '1234'],
    error: /^--as-uid needs --as$/,
  },
  { name: 'unknown flag', args: ['db', '--tpye', 'NodePort'], error: /^unknown flag: --tpye$/ },
  {
    name: 'unknown shorthand flag',
    args: ['db', '-x'],
    error: /^unknown shorthand flag: 'x' in -x$/,
  },
  {
    name: 'flag of another command',
    args: ['status', 'db', '--type', 'NodePort'],
    error: /^unknown flag: --type$/,
  },
  {
    name: 'a value that begins with -',
    args: ['db', '--type', 'NodePort', '--hostname', '{pod}.ex', '--dns-ttl', '-5s'],
    error: /^invalid --dns-ttl "-5s": use a duration of at least a second, such as 60s or 5m$/,
  },
  {
    name: 'completion with a shell',
    args: ['completion', 'bash'],
    error:
      /^completion takes no shell: kubectl's own completion \(kubectl completion bash\) completes kubectl expose-sts/,
  },
  {
    name: 'help for no command',
    args: ['help', 'nosuch'],
    error: /^unknown help topic "nosuch": the commands are status, prune, completion, options$/,
  },
  {
    name: '--dns-ttl longer than DNS holds',
    args: ['db', '--type', 'NodePort', '--hostname', '{pod}.ex', '--dns-ttl', '999999999999s'],
    error: /^invalid --dns-ttl "999999999999s": a DNS TTL is at most 2147483647s$/,
  },
  {
    name: 'an empty --load-balancer-ip',
    args: ['db', '--type', 'LoadBalancer', '--load-balancer-ip='],
    error: /^--load-balancer-ip is given without a value$/,
  },
  {
    name: 'a list of commas for --load-balancer-ip',
    args: ['db', '--type', 'LoadBalancer', '--load-balancer-ip', ','],
    error: /^--load-balancer-ip is given without a value$/,
  },
  {
    name: 'an annotation --load-balancer-ip sets',
    args: [
      'db',
      '--type',
      'LoadBalancer',
      '--load-balancer-ip',
      '198.18.2.10-198.18.2.11',
      '--annotations',
      'metallb.io/loadBalancerIPs=198.18.2.12',
    ],
    error:
      /^--annotations cannot set metallb.io\/loadBalancerIPs with --load-balancer-ip, which sets it: give one of them$/,
  },
  {
    name: 'a ConfigMap without waiting for the addresses',
    args: ['db', '--type', 'LoadBalancer', '--wait=false', '--publish-configmap'],
    error: /^--publish-configmap writes the addresses once they are in, and --wait=false does not wait for them/,
  },
  { name: 'no StatefulSet name', args: [], error: /^a StatefulSet name is required/ },
  {
    name: 'invalid StatefulSet name',
    args: ['status', 'DB_1'],
    error: /^invalid StatefulSet name "DB_1"$/,
  },
  {
    name: 'a name across all namespaces',
    args: ['status', '-A', 'db'],
    error: /^a StatefulSet cannot be named across all namespaces: drop -A or the name$/,
  },
  {
    name: 'prune -o other than name',
    args: ['prune', '-o', 'yaml'],
    error: /^invalid argument "yaml" for "--output": must be one of name$/,
  },
  {
    name: 'prune --all without a name',
    args: ['prune', '--all'],
    error: /^--all needs a StatefulSet name/,
  },
  {
    name: 'name template giving one name for all',
    args: ['db', '--name-template', '{sts}-public'],
    error: /^invalid --name-template "\{sts\}-public": it must contain \{pod\} or \{ordinal\}/,
  },
  {
    name: 'invalid namespace name',
    args: ['db', '-n', 'Bad_NS'],
    error: /^invalid namespace "Bad_NS": a namespace name is lower-case letters, digits and '-'$/,
  },
];
