// npm run cluster:up | cluster:down | cluster:build
//   eval "$(npm run -s cluster:up)"   starts (or reuses) the local cluster; prints only shell lines on stdout
//   npm run cluster:down              stops it; nothing is left running
// Options for up: --lb metallb|ip|hostname|none, --lb-delay 2s, --nodes N, --dns (external-dns publishes names under
// example.test, answered by a DNS server on 127.0.0.1 that up names), --gateway (the Gateway API with Traefik as its
// controller, GatewayClasses traefik-tls and traefik-tcp, and the pod range made local), --kubernetes v1.32.9 (the
// API server's release; default: EXPOSE_STS_KUBERNETES, else the pinned one). EXPOSE_STS_CLUSTER names the record
// (default: shared). build builds the control plane (of --kubernetes) and MetalLB (with --dns, external-dns and
// CoreDNS too; with --gateway, Traefik) without starting anything.
import { parseArgs } from 'node:util';
import { ensureToolchain } from './build.ts';
import { clusterKubernetes } from './versions.ts';
import {
  ensureCluster,
  loadBalancers,
  readRecord,
  shellEnv,
  stopCluster,
  type ClusterInfo,
  type LoadBalancers,
} from './cluster.ts';
import { parseDelay } from './lb-addresses.ts';
import { ensureDnsTools } from './dns.ts';
import { ensureMetallb } from './metallb.ts';
import { ensureTraefik } from './traefik.ts';

const name = process.env.EXPOSE_STS_CLUSTER || 'shared';
function fail(message: string, code = 1): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

const usage = () =>
  `usage: cli.ts up|down|build [--lb ${loadBalancers.join('|')}] [--lb-delay D] [--nodes N] [--dns] [--gateway] [--kubernetes vX.Y.Z]`;

/** An unknown option is a usage line, not a Node stack trace (npm run cluster:up -- --bogus). */
function readArgs() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        lb: { type: 'string', default: 'metallb' },
        'lb-delay': { type: 'string', default: '0' },
        nodes: { type: 'string', default: '3' },
        dns: { type: 'boolean', default: false },
        gateway: { type: 'boolean', default: false },
        kubernetes: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return fail(`${(err as Error).message.split(/\. To specify|\n/)[0]}\n${usage()}`, 2);
  }
}
const { positionals, values } = readArgs();
// -h asks for the usage: on stdout, exit 0, as kubectl's -h; the options are described in this file's opening comment.
if (values.help) {
  process.stdout.write(`${usage()}\n`);
  process.exit(0);
}

function kubernetes(): string {
  try {
    return clusterKubernetes({ EXPOSE_STS_KUBERNETES: values.kubernetes ?? process.env.EXPOSE_STS_KUBERNETES });
  } catch (err) {
    fail((err as Error).message, 2);
  }
}

async function up(): Promise<void> {
  const lb = values.lb as LoadBalancers;
  if (!loadBalancers.includes(lb)) fail(`invalid --lb "${values.lb}": use one of ${loadBalancers.join(', ')}`, 2);
  try {
    parseDelay(values['lb-delay']!);
  } catch (err) {
    fail((err as Error).message, 2);
  }
  const nodes = Number(values.nodes);
  if (!Number.isInteger(nodes) || nodes < 1)
    fail(`invalid --nodes "${values.nodes}": use a whole number of at least 1`, 2);

  // Ctrl-C while starting: stop whatever has started, as recorded so far, before exiting.
  const interrupted = async () => {
    const partial = readRecord(name);
    if (partial) await stopCluster(partial).catch(() => undefined);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const { dns, gateway } = values;
  const { info, reused } = await ensureCluster({
    name,
    lb,
    lbDelay: values['lb-delay'],
    nodes,
    dns,
    gateway,
    kubernetes: kubernetes(),
    persistent: true,
  });
  if (reused)
    process.stderr.write(
      `reusing running cluster ${info.name}: ${info.server} (lb ${info.lb}; cluster:down stops it)\n`,
    );
  if (
    reused &&
    (info.lb !== lb ||
      info.lbDelay !== values['lb-delay'] ||
      Boolean(info.dns) !== dns ||
      Boolean(info.gateway) !== gateway ||
      info.kubernetes !== kubernetes())
  ) {
    process.stderr.write(
      `warning: it runs with --lb ${info.lb} --lb-delay ${info.lbDelay}${info.dns ? ' --dns' : ''}${info.gateway ? ' --gateway' : ''} --kubernetes ${info.kubernetes}; run cluster:down first to change that\n`,
    );
  }
  if (info.dns) {
    const [host, port] = info.dns.server.split(':');
    process.stderr.write(
      `names under ${info.dns.zone} (--hostname '{pod}.${info.dns.zone}') answer on ${info.dns.server}: dig @${host} -p ${port} NAME\n`,
    );
  }
  if (info.gateway) {
    const { tls, tcp } = info.gateway;
    process.stderr.write(
      `Gateway API: GatewayClass ${tls.gatewayClass} serves TLS passthrough listeners on port ${tls.ports[0]}, ` +
        `${tcp.gatewayClass} TCP listeners on ports ${tcp.ports[0]}-${tcp.ports.at(-1)} (127.0.0.1; pod addresses are local): ` +
        `kubectl expose-sts NAME --gateway-class ${tcp.gatewayClass} --port-per-member, with container ports from ${tcp.ports[0]}\n`,
    );
  }
  process.stdout.write(shellEnv(info));
}

async function down(): Promise<void> {
  const info: ClusterInfo | undefined = readRecord(name);
  if (!info) {
    process.stderr.write(`no cluster ${name} is running\n`);
    return;
  }
  await stopCluster(info);
  process.stderr.write(`cluster ${name} stopped\n`);
}

const build = async () => {
  await ensureToolchain(undefined, kubernetes());
  await ensureMetallb();
  if (values.dns) await ensureDnsTools();
  if (values.gateway) await ensureTraefik();
};
const commands: Record<string, () => Promise<unknown>> = { up, down, build };
const command = commands[positionals[0] ?? ''];
if (!command || positionals.length !== 1) fail(usage(), 2);
await command().catch((err: unknown) => fail((err as Error).message));
