// The Gateway API in the local cluster: its CRDs (experimental channel, for TLSRoute and TCPRoute) and Traefik as the
// controller, run out of cluster with a ServiceAccount's token, as `cluster:up --gateway` and the Gateway mode's tests
// use it. Each Traefik instance serves only the GatewayClasses labelled with its own id, so instances of a test and of
// the shared cluster never program the same Gateway.
//
// Traefik's limits, as found: a Gateway listener's port must be one of its entrypoints' (fixed at start, so a caller
// names every port its Gateways will use), and while any TLSRoute exists it adds a TLS "unknown host" router to every
// entrypoint, which breaks TCPRoute listeners of the same instance: TLS and TCP routes need separate instances.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  loadYaml,
  RbacAuthorizationV1Api,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import type { ClusterInfo } from './cluster.ts';
import { freePort } from './cluster.ts';
import { isAlive, type Started, startProcess, stopProcesses, waitFor } from './process.ts';
import { ensureTraefik } from './traefik.ts';

export const gatewayGroup = 'gateway.networking.k8s.io';
/** Where Traefik's identity lives, and the label its instances select GatewayClasses by. */
const traefikNamespace = 'expose-sts-gateway';
const instanceLabel = 'expose-sts.test/traefik';
const controllerName = 'traefik.io/gateway-controller';

function clients(info: ClusterInfo) {
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfig);
  return {
    ext: kc.makeApiClient(ApiextensionsV1Api),
    core: kc.makeApiClient(CoreV1Api),
    rbac: kc.makeApiClient(RbacAuthorizationV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
  };
}

/** Creates what may exist already (another test file, the shared cluster) and takes an AlreadyExists as done. */
async function ensure(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
}

/** The Gateway API's CRDs, established; the ServiceAccount Traefik reads and writes status as, and its token. */
async function installGatewayApi(info: ClusterInfo, crdsDir: string): Promise<void> {
  const { ext, core, rbac } = clients(info);
  const crds = readdirSync(crdsDir).map((f) =>
    loadYaml<V1CustomResourceDefinition>(readFileSync(join(crdsDir, f), 'utf8')),
  );
  await Promise.all(crds.map((body) => ensure(() => ext.createCustomResourceDefinition({ body }))));
  await waitFor(
    "the Gateway API's CRDs established",
    async () => {
      const all = await Promise.all(crds.map((c) => ext.readCustomResourceDefinition({ name: c.metadata!.name! })));
      return all.every((c) => c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'));
    },
    30_000,
    () => undefined,
  );
  await ensure(() => core.createNamespace({ body: { metadata: { name: traefikNamespace } } }));
  await ensure(() =>
    core.createNamespacedServiceAccount({ namespace: traefikNamespace, body: { metadata: { name: 'traefik' } } }),
  );
  // Traefik's documented ClusterRole for the Gateway provider (without pods, which it does not read).
  const kinds = [
    'gatewayclasses',
    'gateways',
    'httproutes',
    'grpcroutes',
    'tlsroutes',
    'tcproutes',
    'referencegrants',
    'backendtlspolicies',
  ];
  await ensure(() =>
    rbac.createClusterRole({
      body: {
        metadata: { name: 'expose-sts-traefik' },
        rules: [
          {
            apiGroups: [''],
            resources: ['namespaces', 'services', 'secrets', 'configmaps'],
            verbs: ['get', 'list', 'watch'],
          },
          { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: [gatewayGroup], resources: kinds, verbs: ['get', 'list', 'watch'] },
          { apiGroups: [gatewayGroup], resources: kinds.map((k) => `${k}/status`), verbs: ['update'] },
        ],
      },
    }),
  );
  await ensure(() =>
    rbac.createClusterRoleBinding({
      body: {
        metadata: { name: 'expose-sts-traefik' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'expose-sts-traefik' },
        subjects: [{ kind: 'ServiceAccount', name: 'traefik', namespace: traefikNamespace }],
      },
    }),
  );
}

async function traefikToken(info: ClusterInfo): Promise<string> {
  const { core } = clients(info);
  const answer = await core.createNamespacedServiceAccountToken({
    name: 'traefik',
    namespace: traefikNamespace,
    body: { spec: { audiences: [], expirationSeconds: 86_400 } },
  });
  const token = answer.status?.token;
  if (!token) throw new Error("no token for Traefik's ServiceAccount");
  return token;
}

/** A GatewayClass for createClusterCustomObject: served by the controller that calls itself `controllerName`. */
export function gatewayClassObject(name: string, controllerName: string, labels: Record<string, string> = {}) {
  return {
    group: gatewayGroup,
    version: 'v1',
    plural: 'gatewayclasses',
    body: {
      apiVersion: `${gatewayGroup}/v1`,
      kind: 'GatewayClass',
      metadata: { name, labels },
      spec: { controllerName },
    },
  };
}

export interface Traefik {
  /** The GatewayClass this instance serves (Accepted when start resolves). */
  gatewayClass: string;
  /** Its entrypoints' ports on 127.0.0.1, each a port Gateways of the class may listen on. */
  ports: number[];
  /** Its log, for a test's failure message. */
  log: () => string;
  stop(): Promise<void>;
}

/**
 * One Traefik instance for the GatewayClass `traefik-<id>` (created here), with an entrypoint on 127.0.0.1 for each of
 * `ports`. Gateways of the class get 127.0.0.1 as their address, where the entrypoints answer. `start`: how to start a
 * process (a cluster's own, recorded with it); by default one of the caller's, stopped by stop().
 */
export async function startTraefik(
  info: ClusterInfo,
  opts: {
    id: string;
    ports: number[];
    start?: (name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv) => Started;
  },
): Promise<Traefik> {
  const build = await ensureTraefik();
  await installGatewayApi(info, build.crds);
  const dir = mkdtempSync(join(tmpdir(), `expose-sts-traefik-${opts.id}-`));
  const pingPort = await freePort();
  const gatewayClass = `traefik-${opts.id}`;
  const gw = '--providers.kubernetesgateway';
  const args = [
    `${gw}=true`,
    `${gw}.endpoint=${info.server}`,
    `${gw}.token=${await traefikToken(info)}`,
    `${gw}.certauthfilepath=${info.caFile}`,
    `${gw}.experimentalchannel=true`,
    `${gw}.labelselector=${instanceLabel}=${opts.id}`,
    `${gw}.statusaddress.ip=127.0.0.1`,
    // Traefik applies a change at most once per this long (2 s by default): routes answer sooner in tests.
    '--providers.providersthrottleduration=100ms',
    ...opts.ports.map((p) => `--entrypoints.p${p}.address=127.0.0.1:${p}`),
    `--entrypoints.traefik.address=127.0.0.1:${pingPort}`,
    '--ping=true',
    '--api.dashboard=false',
    '--global.checknewversion=false',
    '--global.sendanonymoususage=false',
    '--log.level=INFO',
  ];
  // With KUBECONFIG set, Traefik ignores the endpoint and token given.
  const { KUBECONFIG: _, ...env } = process.env;
  const start = opts.start ?? ((name, cmd, a, e) => startProcess(name, cmd, a, join(dir, 'traefik.log'), e));
  const proc = start(`traefik-${opts.id}`, build.traefik, args, env);
  // The log is where the starter put it: the instance's folder, or cluster:up's logs/ folder.
  const log = () => {
    try {
      return readFileSync(proc.logFile, 'utf8');
    } catch {
      return '(no log)';
    }
  };
  const stop = async () => {
    if (!opts.start) await stopProcesses([proc.pid].filter(isAlive), () => true);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const crashed = () => (proc.exited() ? `traefik exited:\n${log().slice(-2000)}` : undefined);
    await waitFor('Traefik ping', async () => (await fetch(`http://127.0.0.1:${pingPort}/ping`)).ok, 30_000, crashed);
    const { custom } = clients(info);
    await ensure(() =>
      custom.createClusterCustomObject(gatewayClassObject(gatewayClass, controllerName, { [instanceLabel]: opts.id })),
    );
    await waitFor(
      `GatewayClass ${gatewayClass} Accepted`,
      async () => {
        const gc = (await custom.getClusterCustomObject({
          group: gatewayGroup,
          version: 'v1',
          plural: 'gatewayclasses',
          name: gatewayClass,
        })) as {
          status?: { conditions?: { type: string; status: string }[] };
        };
        return !!gc.status?.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True');
      },
      30_000,
      crashed,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { gatewayClass, ports: opts.ports, log, stop };
}
