// No credential in any output: with a kubeconfig holding a token, or a client key, every command at -v 9 (which logs
// every request with its headers) prints neither, nor does a failing run.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { runPlugin, testbed, tokenKubeconfig } from './harness.ts';
import { lbArgs } from '../e2e/helpers.ts';

const cluster = inject('cluster');
let ns: string;
let token: string;
let foreign: () => Promise<Record<string, string>>;
const admin = parse(readFileSync(cluster.kubeconfig, 'utf8'));
const keyData: string = admin.users[0].user['client-key-data'];
// The key as it appears in any form: base64 of the PEM, and the PEM's own base64 body lines.
const keyForms = [
  keyData,
  ...Buffer.from(keyData, 'base64')
    .toString()
    .split('\n')
    .filter((l) => l.length > 20 && !l.startsWith('-----')),
];

beforeAll(async () => {
  ({ ns, token, foreign } = await testbed('secrets', 2));
});

const commands = [lbArgs('db'), ['status', 'db', '-o', 'wide'], ['prune', 'db', '--all']];

describe('no credential in any output', () => {
  it('a token kubeconfig: expose, status and prune at -v 9 log every request and its headers, with the token masked', async () => {
    const before = await foreign();
    const kubeconfig = tokenKubeconfig('secrets-token', token, ns);
    for (const args of commands) {
      const res = await runPlugin([...args, '-v=9'], { kubeconfig });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toMatch(/^I (GET|PATCH|DELETE) https:\/\/127\.0\.0\.1:\d+\/\S+ \d{3} \w+/m); // the requests are logged
      expect(res.stderr).toMatch(/^ {4}authorization: Bearer <masked>$/im);
      for (const out of [res.stdout, res.stderr]) expect(out).not.toContain(token);
    }
    expect(await foreign()).toEqual(before);
  });

  it('a client-key kubeconfig: no part of the key is printed', async () => {
    const kubeconfig = cluster.kubeconfig;
    for (const args of commands) {
      const res = await runPlugin([...args, '-n', ns, '-v=9'], { kubeconfig });
      expect(res.code, res.stderr).toBe(0);
      for (const form of keyForms) {
        expect(res.stdout).not.toContain(form);
        expect(res.stderr).not.toContain(form);
      }
    }
  });

  it('a password given by flag is not printed, in clear or encoded, at -v 9', async () => {
    const password = 'expose-sts-secret-password';
    const res = await runPlugin(['status', 'db', '-v=9', '--token', '', '--username', 'jane', '--password', password], {
      kubeconfig: tokenKubeconfig('secrets-basic', '', ns),
    });
    expect(res.code).toBe(1); // this API server takes no basic auth
    expect(res.stderr).toMatch(/^ {4}authorization: Basic <masked>$/im);
    for (const form of [password, Buffer.from(`jane:${password}`).toString('base64')])
      expect(res.stdout + res.stderr).not.toContain(form);
  });

  it('a refused token is not printed either, not even with the stack trace of -v 9', async () => {
    const wrong = `${token.slice(0, -8)}AAAAAAAA`;
    const res = await runPlugin(['db', '-v=9'], { kubeconfig: tokenKubeconfig('secrets-wrong', wrong, ns) });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('error: you must be logged in to the server (Unauthorized)');
    expect(res.stderr).not.toContain(wrong);
    expect(res.stderr).not.toContain(token.slice(0, 40));
  });
});
