import { describe, expect, it } from 'vitest';
import { bypassed, proxyFor } from '../../../src/kube/proxy.ts';

const url = (u: string) => new URL(u);

describe("the proxy for a request, by Go's ProxyFromEnvironment (kubectl's)", () => {
  it('HTTPS_PROXY before https_proxy; http:// servers use HTTP_PROXY only', () => {
    const env = { HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128', HTTP_PROXY: 'plain:8080' };
    expect(proxyFor(url('https://api.example:6443'), undefined, env)?.href).toBe('http://upper:3128/');
    expect(proxyFor(url('https://api.example:6443'), undefined, { https_proxy: 'http://lower:3128' })?.host).toBe(
      'lower:3128',
    );
    expect(proxyFor(url('http://api.example:8080'), undefined, env)?.href).toBe('http://plain:8080/'); // no scheme: http
    expect(proxyFor(url('https://api.example'), undefined, { HTTP_PROXY: 'http://p:1' })).toBeUndefined();
  });

  it("a cluster's proxy-url replaces the environment, socks5 included", () => {
    const env = { HTTPS_PROXY: 'http://upper:3128', NO_PROXY: '*' };
    expect(proxyFor(url('https://127.0.0.1:6443'), 'socks5://s:1080', env)?.href).toBe('socks5://s:1080');
  });

  it('never proxies localhost or loopback addresses', () => {
    for (const host of ['localhost', '127.0.0.1', '127.8.9.1', '[::1]'])
      expect(proxyFor(url(`https://${host}:6443`), undefined, { HTTPS_PROXY: 'http://p:1' }), host).toBeUndefined();
  });

  it('NO_PROXY: CIDRs, addresses, domains and their subdomains, leading dots and *., ports, and *', () => {
    const no = '10.0.0.0/8, 192.168.1.7, example.com, .internal, *.corp.test, api.other:6443, [fd00::1], fc00::/7';
    const cases: [string, string, boolean][] = [
      ['10.1.2.3', '443', true],
      ['11.1.2.3', '443', false],
      ['192.168.1.7', '6443', true],
      ['192.168.1.8', '6443', false],
      ['example.com', '443', true],
      ['api.example.com', '443', true],
      ['notexample.com', '443', false],
      ['internal', '443', false], // a leading dot: subdomains only
      ['k8s.internal', '443', true],
      ['a.corp.test', '443', true],
      ['api.other', '6443', true],
      ['api.other', '443', false],
      ['fd00::1', '443', true],
      ['fd12::5', '443', true],
      ['2001:db8::1', '443', false],
    ];
    for (const [host, port, expected] of cases) expect(bypassed(host, port, no), host).toBe(expected);
    expect(bypassed('anything.example', '443', 'other, *')).toBe(true);
    // a domain entry never matches an address, nor a CIDR a name
    expect(bypassed('10.0.0.1', '443', 'example.com')).toBe(false);
    expect(bypassed('ten.example', '443', '10.0.0.0/8')).toBe(false);
  });

  it('NO_PROXY applies to the environment proxy', () => {
    const env = { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.0.0.0/8' };
    expect(proxyFor(url('https://10.4.0.1:6443'), undefined, env)).toBeUndefined();
    expect(proxyFor(url('https://api.example'), undefined, env)?.host).toBe('p:1');
  });
});
