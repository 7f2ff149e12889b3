// Certificates that must be refused: from a CA nobody trusts, and expired ones (made with `openssl ca`, which alone
// of the openssl commands can date a certificate in the past).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export interface KeyPair {
  cert: string;
  key: string;
}

/** A self-signed CA unrelated to the cluster's. */
export async function otherCa(): Promise<KeyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'other-ca-'));
  const p = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  await exec('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    p.key,
    '-out',
    p.cert,
    '-days',
    '30',
    '-subj',
    '/CN=someone-elses-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return p;
}

/**
 * A certificate for `cn` (in group `org`, if given) signed by `ca`, valid for 127.0.0.1, between the two dates
 * (openssl's YYYYMMDDHHMMSSZ); by default from 2020 to 2120.
 */
export async function signedBy(
  ca: KeyPair,
  cn: string,
  opts: { org?: string; from?: string; to?: string } = {},
): Promise<KeyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'cert-'));
  const p = (f: string) => join(dir, f);
  writeFileSync(
    p('ca.cnf'),
    '[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\npolicy = p\n' +
      'default_md = sha256\ncopy_extensions = copy\n[p]\ncommonName = supplied\norganizationName = optional\n',
  );
  writeFileSync(p('index.txt'), '');
  writeFileSync(p('serial'), '01\n');
  await exec('openssl', [
    'req',
    '-new',
    ...ec,
    '-keyout',
    p('leaf.key'),
    '-out',
    p('leaf.csr'),
    '-subj',
    `/CN=${cn}${opts.org ? `/O=${opts.org}` : ''}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  await exec(
    'openssl',
    [
      'ca',
      '-batch',
      '-config',
      p('ca.cnf'),
      '-cert',
      ca.cert,
      '-keyfile',
      ca.key,
      '-in',
      p('leaf.csr'),
      '-out',
      p('leaf.crt'),
      '-startdate',
      opts.from ?? '20200101000000Z',
      '-enddate',
      opts.to ?? '21200101000000Z',
      '-notext',
    ],
    { cwd: dir },
  );
  return { cert: p('leaf.crt'), key: p('leaf.key') };
}
