import { describe, expect, it } from 'vitest';
import { dnsAnnotations, hostnameOf } from '../../../src/plan/dns.ts';

const annotated = (annotations: Record<string, string>) => ({ metadata: { annotations } });

describe("external-dns's annotations, under both its prefixes", () => {
  it('writes the name and the TTL under each, and nothing not given', () => {
    expect(dnsAnnotations('db-0.example.test', 60)).toEqual({
      'external-dns.kubernetes.io/hostname': 'db-0.example.test',
      'external-dns.alpha.kubernetes.io/hostname': 'db-0.example.test',
      'external-dns.kubernetes.io/ttl': '60',
      'external-dns.alpha.kubernetes.io/ttl': '60',
    });
    expect(dnsAnnotations(undefined, undefined)).toEqual({});
  });
  it('reads the first name of either: a Service annotated by hand for one external-dns or the other', () => {
    expect(hostnameOf(annotated({ 'external-dns.kubernetes.io/hostname': 'a.example.test,b.example.test' }))).toBe(
      'a.example.test',
    );
    expect(hostnameOf(annotated({ 'external-dns.alpha.kubernetes.io/hostname': ' c.example.test ' }))).toBe(
      'c.example.test',
    );
    expect(hostnameOf(annotated({ 'external-dns.kubernetes.io/hostname': ' ' }))).toBeUndefined();
    expect(hostnameOf({})).toBeUndefined();
  });
});
