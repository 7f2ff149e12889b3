// kubectl's request log (-v 6: one line per request with its status and time; -v 8: the request headers), with every
// credential masked: a debug log gets pasted into issues.
import { STATUS_CODES } from 'node:http';
import type { Dispatcher } from 'undici';

const secretHeaders = /^(authorization|proxy-authorization|cookie|x-.*token.*)$/i;

function headerLines(headers: Dispatcher.DispatchOptions['headers']): string[] {
  const pairs: [string, string][] = [];
  if (Array.isArray(headers)) for (let i = 0; i + 1 < headers.length; i += 2) pairs.push([String(headers[i]), String(headers[i + 1])]);
  else if (headers && typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, string | string[] | undefined]>) pairs.push([k, String(v)]);
  } else for (const [k, v] of Object.entries(headers ?? {})) pairs.push([k, String(v)]);
  // Only an auth scheme (Bearer, Basic) survives; a value without one is all secret.
  const mask = (v: string) => (/^[A-Za-z][\w-]* \S/.test(v) ? `${v.split(' ')[0]} <masked>` : '<masked>');
  return pairs.map(([k, v]) => `    ${k}: ${secretHeaders.test(k) ? mask(v) : v}`);
}

export function requestLog(verbosity: number, log: (level: number, message: string) => void): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const started = performance.now();
    const line = `${opts.method} ${opts.origin ?? ''}${opts.path}`;
    if (verbosity >= 8) log(8, `${line}\nRequest Headers:\n${headerLines(opts.headers).join('\n')}`);
    const elapsed = () => Math.round(performance.now() - started);
    return dispatch(opts, {
      onRequestStart: (c, ctx) => handler.onRequestStart?.(c, ctx),
      onRequestUpgrade: (c, status, headers, socket) => handler.onRequestUpgrade?.(c, status, headers, socket),
      onResponseStart: (c, status, headers, message) => {
        log(6, `${line} ${status} ${message || STATUS_CODES[status] || ''} in ${elapsed()} milliseconds`);
        return handler.onResponseStart?.(c, status, headers, message);
      },
      onResponseData: (c, chunk) => handler.onResponseData?.(c, chunk),
      onResponseEnd: (c, trailers) => handler.onResponseEnd?.(c, trailers),
      onResponseError: (c, err) => {
        if (err.name !== 'AbortError') log(6, `${line} failed after ${elapsed()} milliseconds: ${err.message}`);
        return handler.onResponseError?.(c, err);
      },
    });
  };
}
