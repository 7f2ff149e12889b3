// DNS names for the members, published by external-dns from annotations on each Service (what --hostname and
// --dns-ttl set).

export const hostnameAnnotation = 'external-dns.alpha.kubernetes.io/hostname';
export const ttlAnnotation = 'external-dns.alpha.kubernetes.io/ttl';

/** The name clients use for a Service: the first of those external-dns publishes for it. */
export function hostnameOf(svc: { metadata?: { annotations?: Record<string, string> } }): string | undefined {
  return svc.metadata?.annotations?.[hostnameAnnotation]?.split(',')[0]?.trim() || undefined;
}
