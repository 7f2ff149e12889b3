import { describe, expect, it } from 'vitest';
import { credentialsOf } from '../../../src/kube/credentials.ts';

const cluster = { server: 'https://10.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA').toString('base64') };

describe('credentials from the kubeconfig', () => {
  it('sends a bearer token, and the TLS settings of the cluster', async () => {
    const c = await credentialsOf(cluster, { token: 't0k3n' })();
    expect(c.headers).toEqual({ Authorization: 'Bearer t0k3n' });
    expect(c.tls).toEqual({
      ca: Buffer.from('CA'),
      cert: undefined,
      key: undefined,
      rejectUnauthorized: true,
      servername: undefined,
    });
  });

  it('basic auth from username and password; insecure-skip-tls-verify and tls-server-name', async () => {
    const c = await credentialsOf(
      { server: 'https://h', 'insecure-skip-tls-verify': true, 'tls-server-name': 'api.internal' },
      { username: 'u', password: 'p' },
    )();
    expect(c.headers.Authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(c.tls).toMatchObject({ rejectUnauthorized: false, servername: 'api.internal' });
  });

  it('impersonation: user, uid, every group as its own header value, extras', async () => {
    const c = await credentialsOf(cluster, {
      as: 'jane',
      'as-uid': '42',
      'as-groups': ['devs', 'ops'],
      'as-user-extra': { scopes: ['a', 'b'] },
    })();
    expect(c.headers).toEqual({
      'Impersonate-User': 'jane',
      'Impersonate-Uid': '42',
      'Impersonate-Group': ['devs', 'ops'],
      'Impersonate-Extra-scopes': ['a', 'b'],
    });
  });

  it('the oidc auth provider sends its id-token; other providers fail before any request, with what to use', async () => {
    const c = await credentialsOf(cluster, { 'auth-provider': { name: 'oidc', config: { 'id-token': 'eyJ' } } })();
    expect(c.headers.Authorization).toBe('Bearer eyJ');
    expect(() => credentialsOf(cluster, { 'auth-provider': { name: 'gcp', config: {} } })).toThrow(
      /^the gcp auth provider .* not supported .*exec credential plugin$/,
    );
    expect(() => credentialsOf(cluster, { 'auth-provider': { name: 'oidc', config: {} } })).toThrow(
      /no id-token.*kubelogin/,
    );
  });

  it('a token in the kubeconfig wins over an exec plugin, which then never runs', async () => {
    const c = await credentialsOf(cluster, {
      token: 't',
      exec: { command: '/nonexistent/plugin', apiVersion: 'client.authentication.k8s.io/v1' },
    })();
    expect(c.headers.Authorization).toBe('Bearer t');
  });
});

describe('credentials kubectl would not send', () => {
  it('a plain http:// server gets none, only impersonation', async () => {
    const c = await credentialsOf({ server: 'http://127.0.0.1:8001' }, { token: 't', as: 'jane' })();
    expect(c.headers).toEqual({ 'Impersonate-User': 'jane' });
  });
  it('no exec plugin runs beside a client certificate', async () => {
    const c = await credentialsOf(cluster, {
      'client-certificate-data': Buffer.from('CERT').toString('base64'),
      'client-key-data': Buffer.from('KEY').toString('base64'),
      exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/nonexistent/plugin', interactiveMode: 'Never' },
    })();
    expect(c.tls.cert).toEqual(Buffer.from('CERT'));
    expect(c.renew).toBeUndefined();
  });
  it('an exec plugin of an API version client-go no longer speaks is refused up front', () => {
    expect(() =>
      credentialsOf(cluster, {
        exec: { apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'x', interactiveMode: 'Never' },
      }),
    ).toThrow('exec plugin: invalid apiVersion "client.authentication.k8s.io/v1alpha1"');
  });
});
