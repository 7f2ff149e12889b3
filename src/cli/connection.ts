// The kubectl connection flags every command takes, and their reading into ConnectionFlags.
import type { Argv } from 'yargs';
import { last, str, strs } from './argv.ts';
import { connectionFlagSpecs, withFlags } from './flags.ts';
import { UsageError } from '../errors.ts';
import { requestTimeoutMs, type ConnectionFlags } from '../options/connection.ts';

export function withConnectionFlags<T>(y: Argv<T>) {
  return withFlags(y, connectionFlagSpecs, 'Connection options (as kubectl):');
}

export function connectionFlags(argv: Record<string, unknown>): ConnectionFlags | UsageError {
  const timeout = requestTimeoutMs(str(argv.requestTimeout));
  if (timeout instanceof UsageError) return timeout;
  // Read as text: yargs would turn `-v loud` into NaN before we could quote it back.
  const vText = String(last(argv.v) ?? '0');
  if (!/^\d+$/.test(vText)) return new UsageError(`invalid argument "${vText}" for "-v": use a whole number such as 4 or 6`);
  const verbosity = Number(vText);
  const asGroup = strs(argv.asGroup);
  if (asGroup?.length && !str(argv.as)) return new UsageError('--as-group needs --as');
  const namespace = str(argv.namespace);
  if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
    return new UsageError(`invalid namespace "${namespace}": a namespace name is lower-case letters, digits and '-'`);
  }
  return {
    kubeconfig: str(argv.kubeconfig),
    context: str(argv.context),
    cluster: str(argv.cluster),
    user: str(argv.user),
    namespace,
    allNamespaces: argv.allNamespaces === true,
    as: str(argv.as),
    asGroup,
    requestTimeout: str(argv.requestTimeout),
    requestTimeoutMs: timeout,
    server: str(argv.server),
    token: str(argv.token),
    insecureSkipTlsVerify: argv.insecureSkipTlsVerify === true,
    certificateAuthority: str(argv.certificateAuthority),
    clientCertificate: str(argv.clientCertificate),
    clientKey: str(argv.clientKey),
    verbosity,
  };
}
