// kubectl's request log (-v 6: one line per request with its status and time; -v 8: the request headers), with every
// credential masked: a debug log gets pasted into issues.
import { STATUS_CODES } from 'node:http';

const secretHeaders = /^(authorization|proxy-authorization|cookie|x-.*token.*)$/i;

export function requestHeaderLines(headers: Record<string, string | string[]>): string[] {
  // Only an auth scheme (Bearer, Basic) survives; a value without one is all secret.
  const mask = (v: string) => (/^[A-Za-z][\w-]* \S/.test(v) ? `${v.split(' ')[0]} <masked>` : '<masked>');
  return Object.entries(headers).flatMap(([k, values]) =>
    (Array.isArray(values) ? values : [values]).map((v) => `    ${k}: ${secretHeaders.test(k) ? mask(v) : v}`),
  );
}

export function responseLine(request: string, status: number, message: string, ms: number): string {
  return `${request} ${status} ${message || STATUS_CODES[status] || ''} in ${ms} milliseconds`;
}
