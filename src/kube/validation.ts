// The checks kubectl makes on the cluster and user it is about to use (client-go's clientcmd/validation.go and the
// transport's TLS set-up), in its words: a kubeconfig that says two things at once is refused before any request,
// rather than one of them winning silently.
import type { ClusterEntry, UserEntry } from './kubeconfig-entries.ts';

/** The exec credential API versions client-go still speaks. */
export const execApiVersions = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

export function clusterProblems(name: string, c: ClusterEntry): string[] {
  const problems: string[] = [];
  if (c['certificate-authority'] && c['certificate-authority-data'])
    problems.push(
      `certificate-authority-data and certificate-authority are both specified for ${name}. certificate-authority-data will override.`,
    );
  if (c['insecure-skip-tls-verify'] && (c['certificate-authority'] || c['certificate-authority-data']))
    problems.push(`specifying a root certificates file with the insecure flag is not allowed (cluster "${name}")`);
  return problems;
}

export function userProblems(name: string, u: UserEntry): string[] {
  const problems: string[] = [];
  const methods = [...(u.token ? ['token'] : []), ...(u.username || u.password ? ['basicAuth'] : [])];
  if (u['client-certificate'] || u['client-certificate-data']) {
    if (u['client-certificate'] && u['client-certificate-data'])
      problems.push(`client-cert-data and client-cert are both specified for ${name}. client-cert-data will override.`);
    if (u['client-key'] && u['client-key-data'])
      problems.push(`client-key-data and client-key are both specified for ${name}; client-key-data will override`);
    if (!u['client-key'] && !u['client-key-data'])
      problems.push(
        `client-key-data or client-key must be specified for ${name} to use the clientCert authentication method.`,
      );
  }
  const exec = u.exec;
  if (exec) {
    if (u['auth-provider'])
      problems.push(`authProvider cannot be provided in combination with an exec plugin for ${name}`);
    if (!exec.command) problems.push(`command must be specified for ${name} to use exec authentication plugin`);
    if (!exec.apiVersion) problems.push(`apiVersion must be specified for ${name} to use exec authentication plugin`);
    if ((exec.env ?? []).some((e) => !e.name))
      problems.push(`env variable name must be specified for ${name} to use exec authentication plugin`);
    const mode = interactiveMode(exec);
    if (!mode) problems.push(`interactiveMode must be specified for ${name} to use exec authentication plugin`);
    else if (!['Never', 'IfAvailable', 'Always'].includes(mode))
      problems.push(`invalid interactiveMode for ${name}: "${mode}"`);
  }
  if (methods.length > 1)
    problems.push(
      `more than one authentication method found for ${name}; found [${methods.join(' ')}], only one is allowed`,
    );
  if (!u.as && (u['as-uid'] || u['as-groups']?.length || Object.keys(u['as-user-extra'] ?? {}).length))
    problems.push(`requesting uid, groups or user-extra for ${name} without impersonating a user`);
  return problems;
}

/** The kubeconfig's interactiveMode, defaulted as client-go's v1 kubeconfig defaults it: only for v1beta1 plugins. */
export function interactiveMode(exec: NonNullable<UserEntry['exec']>): string | undefined {
  return (
    exec.interactiveMode || (exec.apiVersion === 'client.authentication.k8s.io/v1beta1' ? 'IfAvailable' : undefined)
  );
}
