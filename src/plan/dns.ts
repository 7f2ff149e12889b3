// DNS names for the members, published by external-dns from annotations on each Service or TCPRoute (what --hostname
// and --dns-ttl set).
//
// Both of external-dns's annotation prefixes are written: v0.22.0 (September 2026) reads `external-dns.kubernetes.io/`
// by default and no longer `external-dns.alpha.kubernetes.io/`, with no fallback, and releases before it read only the
// alpha one. Users run both (a cluster's external-dns is upgraded on its own schedule, or pinned to either prefix with
// --annotation-prefix), so the names are published whichever they run.
const prefixes = ['external-dns.kubernetes.io/', 'external-dns.alpha.kubernetes.io/'] as const;

export const hostnameAnnotations = prefixes.map((p) => `${p}hostname`);
export const ttlAnnotations = prefixes.map((p) => `${p}ttl`);

/** The annotations of a member's name and its records' TTL, each under both prefixes; none for what is not given. */
export function dnsAnnotations(hostname: string | undefined, ttlSeconds: number | undefined): Record<string, string> {
  return Object.fromEntries([
    ...(hostname ? hostnameAnnotations.map((k) => [k, hostname]) : []),
    ...(ttlSeconds !== undefined ? ttlAnnotations.map((k) => [k, String(ttlSeconds)]) : []),
  ]);
}

/** The name clients use for a Service (or TCPRoute): the first of those external-dns publishes for it, either prefix. */
export function hostnameOf(obj: { metadata?: { annotations?: Record<string, string> } }): string | undefined {
  const annotations = obj.metadata?.annotations ?? {};
  const names = hostnameAnnotations.map((k) => annotations[k]).find((v) => v?.trim());
  return names?.split(',')[0]?.trim() || undefined;
}
