import { describe, expect, it } from 'vitest';
import { ApiError, isTransient, translate } from '../../../src/kube/errors.ts';

const kube = { server: 'https://127.0.0.1:6443', namespace: 'data', user: 'jane' };
const api = (code: number, message: string, headers: Record<string, string> = {}) =>
  new ApiError(code, JSON.stringify({ kind: 'Status', message }), headers);

describe('translate', () => {
  it('keeps the API server’s words for 403, which name the verb, resource and user', () => {
    const msg =
      'services is forbidden: User "jane" cannot patch resource "services" in API group "" in the namespace "data"';
    expect(translate(api(403, msg), kube, 'apply service "mydb-0"').message).toBe(
      `${msg} (needed to apply service "mydb-0"; ask an administrator for that permission)`,
    );
  });
  it('adds the namespace to a 404', () => {
    expect(translate(api(404, 'services "x" not found'), kube, 'get').message).toBe(
      'services "x" not found in namespace "data"',
    );
  });
  it('keeps the HTTP status as a field of the translated error, so callers never dig into its cause', () => {
    expect(translate(api(409, 'conflict'), kube, 'delete').status).toBe(409);
    expect(translate(new Error('socket hang up'), kube, 'get').status).toBeUndefined();
  });
  it('names the server, never credentials, when it cannot connect', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }),
    });
    expect(translate(refused, kube, 'get').message).toBe(
      "cannot connect to the server https://127.0.0.1:6443: connection refused (is the cluster running, and is the kubeconfig's server right?)",
    );
    const cert = new TypeError('fetch failed', {
      cause: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
    });
    expect(translate(cert, kube, 'get').message).toMatch(
      /^cannot verify the certificate of https:\/\/127.0.0.1:6443: self-signed certificate/,
    );
  });
  it('says which scheme to use when http and https are mixed up', () => {
    expect(translate(new ApiError(400, 'Client sent an HTTP request to an HTTPS server.\n'), kube, 'get').message).toBe(
      'the server https://127.0.0.1:6443 speaks HTTPS: use https:// in the server URL',
    );
    const tlsToPlain = Object.assign(
      new Error('C0:5A:00:00:error:0A00010B:SSL routines:ssl3_get_record:wrong version number'),
      { code: 'EPROTO' },
    );
    expect(translate(tlsToPlain, kube, 'get').message).toBe(
      'cannot connect to the server https://127.0.0.1:6443: it does not speak TLS (for a plain HTTP server, such as kubectl proxy, use http://)',
    );
  });
  it('treats 429, 5xx and reset connections as transient, and nothing else', () => {
    expect(isTransient(api(429, 'slow down', { 'retry-after': '1' }))).toBe(true);
    expect(isTransient(api(503, 'unavailable'))).toBe(true);
    expect(isTransient(api(409, 'conflict'))).toBe(false);
    expect(isTransient(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }))).toBe(true);
    expect(isTransient(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))).toBe(false);
  });
});
