// Checks for the kinds of values kubectl's flags take, with kubectl's wording where it has one.
import { isIP } from 'node:net';
import { UsageError } from '../errors.ts';

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const labelName = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Why `name` is not a valid DNS-1035 label (what Service names must be), or undefined when it is. */
export function dns1035Problem(name: string): string | undefined {
  if (name.length > 63) return 'must be no more than 63 characters';
  if (!dns1035Label.test(name))
    return "must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
  return undefined;
}

/** Why `name` is not a DNS subdomain (RFC 1123: what ConfigMap names and DNS host names must be), or undefined. */
export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length > 253) return 'must be no more than 253 characters';
  if (!name.split('.').every((part) => dns1123Label.test(part))) return 'must be a lowercase DNS subdomain';
  return undefined;
}

/** Label and annotation keys: `[prefix/]name`. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'a qualified name has at most one "/"';
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined) {
    const p = dnsSubdomainProblem(prefix);
    if (p) return `prefix ${p}`;
  }
  if (!name || name.length > 63 || !labelName.test(name)) {
    return "name part must be 1-63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric character";
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !labelName.test(value))
    return "must be at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric character";
  return undefined;
}

export function isCidr(text: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return false;
  const family = isIP(m[1]);
  const bits = Number(m[2]);
  return (family === 4 && bits <= 32) || (family === 6 && bits <= 128);
}

export function parsePortNumber(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

const ipv4ToInt = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const intToIpv4 = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** Addresses, one per item, or IPv4 ranges `A-B` expanded in order (at most 4096); a string says what is wrong. */
export function addressList(items: string[]): string[] | string {
  const out: string[] = [];
  for (const item of items) {
    const range = /^([^-]+)-([^-]+)$/.exec(item);
    if (range) {
      const [from, to] = [range[1], range[2]];
      if (isIP(from) !== 4 || isIP(to) !== 4)
        return `"${item}" is not a range of IPv4 addresses such as 198.51.100.10-198.51.100.14`;
      const [a, b] = [ipv4ToInt(from), ipv4ToInt(to)];
      if (b < a || b - a >= 4096) return `"${item}" must run upwards, over at most 4096 addresses`;
      for (let n = a; n <= b; n++) out.push(intToIpv4(n));
    } else if (isIP(item)) out.push(item);
    else return `"${item}" is not an IP address`;
  }
  const twice = out.find((ip, i) => out.indexOf(ip) !== i);
  return twice ? `${twice} is given twice: each ordinal needs an address of its own` : out;
}

/** Go durations as kubectl's --timeout takes them (`30s`, `5m`, `1h30m`, `500ms`, `0`), in milliseconds. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text))) {
    total += Number(m[1]) * unit[m[2] as keyof typeof unit];
    end = re.lastIndex;
  }
  return end === text.length && end > 0 ? total : undefined;
}

/**
 * Splits repeatable list flags that kubectl also accepts comma-separated (`--x a,b --x c`); a comma inside braces
 * (a per-ordinal list, `zone={a,b}`) does not split.
 */
export const splitList = (values: string[] | undefined) =>
  (values ?? [])
    .flatMap((v) => v.split(/,(?![^{]*\})/))
    .map((v) => v.trim())
    .filter(Boolean);

/** kubectl matches enum flags case-insensitively and reports the accepted spellings. */
export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T | UsageError {
  const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  return found ?? new UsageError(`invalid argument "${value}" for "--${flag}": must be one of ${allowed.join(', ')}`);
}
