import { describe, expect, it } from 'vitest';
import { connectionFlags, requestTimeoutMs } from '../../../src/options/connection.ts';
import { UsageError } from '../../../src/errors.ts';
import { isCidr, parseDuration } from '../../../src/options/values.ts';
import { dns1035Problem, qualifiedNameProblem } from '../../../src/plan/names.ts';

describe('values', () => {
  it('parses Go durations as kubectl does', () => {
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('300ms')).toBe(300);
    expect(parseDuration('1h2m3s')).toBe(3_723_000);
    expect(parseDuration('5')).toBeUndefined();
    expect(parseDuration('5m junk')).toBeUndefined();
  });
  it('accepts a bare number of seconds for --request-timeout, as kubectl', () => {
    expect(requestTimeoutMs('10')).toBe(10_000);
    expect(requestTimeoutMs('2m')).toBe(120_000);
    expect(requestTimeoutMs(connectionFlags.requestTimeout.default)).toBe(0); // not given
    expect(requestTimeoutMs('soon')).toBeInstanceOf(UsageError);
  });
  it('knows DNS-1035 labels', () => {
    expect(dns1035Problem('mydb-0')).toBeUndefined();
    expect(dns1035Problem('0-mydb')).toMatch(/start with an alphabetic/);
    expect(dns1035Problem('a'.repeat(64))).toMatch(/no more than 63/);
    expect(dns1035Problem('My-db')).toBeDefined();
  });
  it('knows qualified names and CIDRs', () => {
    expect(qualifiedNameProblem('example.com/key_1.x')).toBeUndefined();
    expect(qualifiedNameProblem('a/b/c')).toBeDefined();
    expect(qualifiedNameProblem('UPPER.com/x')).toMatch(/prefix/);
    expect(isCidr('0.0.0.0/0')).toBe(true);
    expect(isCidr('::/0')).toBe(true);
    expect(isCidr('300.0.0.0/8')).toBe(false);
  });
});
