// The control plane's audit log (cluster.ts: one JSON line per request stage, level Metadata, everyone but the
// cluster's own components), read for what the plugin asked of the API server.
import { readFileSync } from 'node:fs';

/** The fields of an audit entry the tests and benchmarks read. */
export interface AuditEntry {
  auditID: string;
  verb: string;
  requestURI: string;
  userAgent?: string;
  objectRef?: { resource?: string; namespace?: string };
}

/**
 * The whole lines written since `offset` (bytes into the log, its size read earlier): not the line `offset` fell
 * inside (the API server was writing it then: it belongs to before), nor a last one it has not finished yet.
 */
export function auditLinesSince(auditLog: string, offset: number): string[] {
  const log = readFileSync(auditLog);
  const next = log.indexOf(0x0a, offset);
  const start = offset === 0 || log[offset - 1] === 0x0a ? offset : next < 0 ? log.length : next + 1;
  const end = log.lastIndexOf(0x0a) + 1;
  return end > start ? log.subarray(start, end).toString('utf8').split('\n').filter(Boolean) : [];
}

/**
 * The plugin's requests logged since `offset` (bytes into the log) that `keep` accepts, counted by verb: one per
 * request, however many stages it was logged at (a watch is logged when its answer starts and when it ends).
 */
export function pluginRequestsSince(
  auditLog: string,
  offset: number,
  keep: (e: AuditEntry) => boolean = () => true,
): Record<string, number> {
  const seen = new Map<string, string>();
  for (const line of auditLinesSince(auditLog, offset)) {
    const e = JSON.parse(line) as AuditEntry;
    if (e.userAgent?.startsWith('kubectl-expose_sts') && keep(e)) seen.set(e.auditID, e.verb);
  }
  const counts: Record<string, number> = {};
  for (const verb of seen.values()) counts[verb] = (counts[verb] ?? 0) + 1;
  return counts;
}
