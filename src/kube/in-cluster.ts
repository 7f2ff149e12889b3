// Inside a pod, kubectl falls back to the pod's own ServiceAccount when no kubeconfig names a server (client-go's
// rest.InClusterConfig and clientcmd's inClusterClientConfig), and takes the pod's namespace when the context names
// none. The kubelet mounts the account's token, the cluster CA and the namespace at this fixed path.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';
export const serviceAccountToken = join(serviceAccountDir, 'token');
export const serviceAccountCa = join(serviceAccountDir, 'ca.crt');

/** client-go's Possible(): the service variables the kubelet sets, and a token file. */
export function inClusterPossible(env: NodeJS.ProcessEnv): boolean {
  if (!env.KUBERNETES_SERVICE_HOST || !env.KUBERNETES_SERVICE_PORT) return false;
  try {
    return statSync(serviceAccountToken).isFile();
  } catch {
    return false;
  }
}

/** The API server's address inside the cluster, https://HOST:PORT (an IPv6 host in brackets). */
export function inClusterServer(env: NodeJS.ProcessEnv): string {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  return `https://${host.includes(':') ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT}`;
}

/** The pod's namespace: POD_NAMESPACE (the downward API), else the ServiceAccount's, else default. */
export function podNamespace(env: NodeJS.ProcessEnv): string {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  try {
    return readFileSync(join(serviceAccountDir, 'namespace'), 'utf8').trim() || 'default';
  } catch {
    return 'default';
  }
}
