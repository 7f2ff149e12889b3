// Which proxy a request goes through, by Go's rules, which kubectl follows (net/http's ProxyFromEnvironment, whose
// golang.org/x/net/http/httpproxy is written again here because Node's own NODE_USE_ENV_PROXY rules differ: they
// prefer the lower-case variables and know no CIDRs in NO_PROXY). A cluster's proxy-url replaces the environment.
import { BlockList, isIP, isIPv6 } from 'node:net';
import { CommandError } from '../errors.ts';

const defaultPorts: Record<string, string> = { 'http:': '80', 'https:': '443', 'socks5:': '1080' };

/** A proxy address as Go parses one: without a scheme (or with an unknown one) it is an HTTP proxy. */
function parseProxy(text: string, what: string): URL {
  const known = (u: URL) => ['http:', 'https:', 'socks5:', 'socks5h:'].includes(u.protocol) && u.hostname !== '';
  if (URL.canParse(text) && known(new URL(text))) return new URL(text);
  if (URL.canParse(`http://${text}`)) return new URL(`http://${text}`);
  throw new CommandError(`invalid proxy address "${text}" (${what})`);
}

/** The first of the variables that is set and not empty (Go's getEnvAny). */
const envAny = (env: NodeJS.ProcessEnv, ...names: string[]) => names.map((n) => env[n]).find((v) => v) ?? '';

/** Whether NO_PROXY (or no_proxy) exempts host:port, and loopback addresses, which Go never proxies. */
export function bypassed(host: string, port: string, noProxy: string): boolean {
  host = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  const family = isIP(host);
  const ipType = isIPv6(host) ? 'ipv6' : 'ipv4';
  if (family === 4 ? host.startsWith('127.') : family === 6 && (host === '::1' || host === '0:0:0:0:0:0:0:1'))
    return true;
  for (let entry of noProxy.split(',')) {
    entry = entry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const cidr = /^(.+)\/(\d+)$/.exec(entry);
    if (cidr && isIP(cidr[1])) {
      if (!family) continue;
      const list = new BlockList();
      const entryType = isIPv6(cidr[1]) ? 'ipv6' : 'ipv4';
      list.addSubnet(cidr[1], Number(cidr[2]), entryType);
      if (entryType === ipType && list.check(host, ipType)) return true;
      continue;
    }
    // host:port or [v6]:port; a bare IPv6 address has colons of its own.
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    let entryHost = withPort ? withPort[1].replace(/^\[|\]$/g, '') : entry;
    const entryPort = withPort ? withPort[2] : '';
    if (!entryHost) continue;
    const portOk = entryPort === '' || entryPort === port;
    if (isIP(entryHost)) {
      if (family && sameIp(entryHost, host) && portOk) return true;
      continue;
    }
    if (family) continue; // a domain entry never matches an IP address
    if (entryHost.startsWith('*.')) entryHost = entryHost.slice(1);
    const matchHost = !entryHost.startsWith('.');
    const suffix = matchHost ? `.${entryHost}` : entryHost;
    if ((host.endsWith(suffix) || (matchHost && host === entryHost)) && portOk) return true;
  }
  return false;
}

function sameIp(a: string, b: string): boolean {
  const list = new BlockList();
  list.addAddress(a, isIPv6(a) ? 'ipv6' : 'ipv4');
  return list.check(b, isIPv6(b) ? 'ipv6' : 'ipv4');
}

/** The proxy for a request to `url`: the cluster's proxy-url, else HTTPS_PROXY/HTTP_PROXY unless NO_PROXY exempts it. */
export function proxyFor(url: URL, proxyUrl: string | undefined, env: NodeJS.ProcessEnv): URL | undefined {
  if (proxyUrl) return parseProxy(proxyUrl, 'proxy-url');
  const fromEnv =
    url.protocol === 'https:' ? envAny(env, 'HTTPS_PROXY', 'https_proxy') : envAny(env, 'HTTP_PROXY', 'http_proxy');
  if (!fromEnv) return undefined;
  const port = url.port || defaultPorts[url.protocol];
  if (bypassed(url.hostname, port, envAny(env, 'NO_PROXY', 'no_proxy'))) return undefined;
  return parseProxy(fromEnv, url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY');
}
