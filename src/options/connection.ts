// kubectl's connection flags, shared by every command (../shared/conventions.md, Kubernetes client behaviour).
import { UsageError } from '../errors.ts';
import { parseDuration } from './values.ts';

export interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  allNamespaces?: boolean;
  as?: string;
  asGroup?: string[];
  requestTimeout?: string;
  server?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  certificateAuthority?: string;
  clientCertificate?: string;
  clientKey?: string;
  /** From --request-timeout, checked; 0 for none. */
  requestTimeoutMs: number;
  /** kubectl's -v: 0 quiet; 4 shows retries; 6 and up shows each request (never its credentials) and stack traces. */
  verbosity: number;
}

/** Milliseconds for --request-timeout (kubectl: "0" means no timeout; a bare number is seconds). */
export function requestTimeoutMs(text: string | undefined): number | UsageError {
  if (text === undefined || text === '0') return 0;
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseDuration(text);
  return ms === undefined ? new UsageError(`invalid --request-timeout "${text}": use a duration such as 30s or 1m, or 0 for none`) : ms;
}
