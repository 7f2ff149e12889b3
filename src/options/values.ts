// Checks for the kinds of values kubectl's flags take, with kubectl's wording where it has one.
import { isIP } from 'node:net';
import { CommandError, UsageError } from '../errors.ts';
import { v4, v4Text } from '../plan/load-balancer.ts';

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

/** Addresses, one per item, or IPv4 ranges `A-B` expanded in order (at most 4096), or what is wrong. */
export function addressList(items: string[]): string[] | CommandError {
  const out: string[] = [];
  for (const item of items) {
    const range = /^([^-]+)-([^-]+)$/.exec(item);
    if (range) {
      const [from, to] = [range[1], range[2]];
      if (isIP(from) !== 4 || isIP(to) !== 4)
        return new CommandError(`"${item}" is not a range of IPv4 addresses such as 198.51.100.10-198.51.100.14`);
      const [a, b] = [v4(from) as number, v4(to) as number];
      if (b < a || b - a >= 4096) return new CommandError(`"${item}" must run upwards, over at most 4096 addresses`);
      for (let n = a; n <= b; n++) out.push(v4Text(n));
    } else if (isIP(item)) out.push(item);
    else return new CommandError(`"${item}" is not an IP address`);
  }
  const twice = out.find((ip, i) => out.indexOf(ip) !== i);
  return twice ? new CommandError(`${twice} is given twice: each ordinal needs an address of its own`) : out;
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
