// A throw-away certificate authority for one cluster, made with the openssl CLI (Node can make keys but not
// certificates). Every component gets its own client certificate so the audit log can tell the plugin's requests
// from the controllers' (see audit-policy in cluster.ts).
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface Identity {
  name: string;
  user: string;
  groups: string[];
}

/** Users that the cluster's own parts run as; the audit log leaves them out. */
export const componentIdentities: Identity[] = [
  { name: 'kube-controller-manager', user: 'system:kube-controller-manager', groups: [] },
  { name: 'kube-scheduler', user: 'system:kube-scheduler', groups: [] },
  { name: 'kwok', user: 'expose-sts:kwok', groups: ['system:masters'] },
  { name: 'lb-simulator', user: 'expose-sts:lb-simulator', groups: ['system:masters'] },
  { name: 'metallb-controller', user: 'expose-sts:metallb-controller', groups: ['system:masters'] },
  { name: 'external-dns', user: 'expose-sts:external-dns', groups: ['system:masters'] },
];
export const adminIdentity: Identity = { name: 'admin', user: 'admin', groups: ['system:masters'] };

export interface Pki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  saKey: string;
  saPub: string;
  client: (name: string) => { cert: string; key: string };
}

const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
const subject = (cn: string, orgs: string[] = []) => `/CN=${cn}${orgs.map((o) => `/O=${o}`).join('')}`;

export async function makePki(dir: string, serviceIP: string): Promise<Pki> {
  const p = (f: string) => join(dir, f);
  await exec('openssl', [
    'req',
    '-x509',
    ...keyArgs,
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.crt'),
    '-days',
    '3650',
    '-subj',
    subject('expose-sts-test-ca'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);

  const leaf = (name: string, subj: string, ext: string[]) =>
    exec('openssl', [
      'req',
      '-x509',
      ...keyArgs,
      '-CA',
      p('ca.crt'),
      '-CAkey',
      p('ca.key'),
      '-keyout',
      p(`${name}.key`),
      '-out',
      p(`${name}.crt`),
      '-days',
      '3650',
      '-subj',
      subj,
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      ...ext.flatMap((e) => ['-addext', e]),
    ]);

  const sans = [
    'DNS:localhost',
    'DNS:kubernetes',
    'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc',
    'DNS:kubernetes.default.svc.cluster.local',
    'IP:127.0.0.1',
    `IP:${serviceIP}`,
  ];
  await Promise.all([
    leaf('apiserver', subject('kube-apiserver'), [`subjectAltName=${sans.join(',')}`, 'extendedKeyUsage=serverAuth']),
    ...[adminIdentity, ...componentIdentities].map((id) =>
      leaf(`client-${id.name}`, subject(id.user, id.groups), ['extendedKeyUsage=clientAuth']),
    ),
    exec('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('sa.key')]),
  ]);
  const { stdout } = await exec('openssl', ['pkey', '-in', p('sa.key'), '-pubout']);
  writeFileSync(p('sa.pub'), stdout);

  return {
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    serverCert: p('apiserver.crt'),
    serverKey: p('apiserver.key'),
    saKey: p('sa.key'),
    saPub: p('sa.pub'),
    client: (name) => ({ cert: p(`client-${name}.crt`), key: p(`client-${name}.key`) }),
  };
}

function kubeconfigYaml(
  server: string,
  caFile: string,
  user: string,
  cert: string,
  key: string,
  context = 'expose-sts-local',
): string {
  const b64 = (f: string) => readFileSync(f).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: ${context}
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(caFile)}
users:
- name: ${user}
  user:
    client-certificate-data: ${b64(cert)}
    client-key-data: ${b64(key)}
contexts:
- name: ${context}
  context:
    cluster: ${context}
    user: ${user}
    namespace: default
current-context: ${context}
`;
}

export function writeKubeconfig(path: string, server: string, pki: Pki, identity: Identity): string {
  const { cert, key } = pki.client(identity.name);
  writeFileSync(path, kubeconfigYaml(server, pki.caCert, identity.name, cert, key), { mode: 0o600 });
  return path;
}
