import { describe, expect, it } from 'vitest';
import { warningTexts } from '../../../src/kube/client.ts';

describe('warningTexts', () => {
  it("reads the API server's Warning header as kubectl does: each 299 text, quotes unescaped", () => {
    expect(warningTexts(undefined)).toEqual([]);
    expect(warningTexts('299 - "spec.loadBalancerIP is deprecated"')).toEqual(['spec.loadBalancerIP is deprecated']);
    expect(warningTexts(['299 - "a, b"', '299 - "say \\"hi\\""'])).toEqual(['a, b', 'say "hi"']);
    expect(warningTexts('299 - "one", 299 - "two"')).toEqual(['one', 'two']);
  });
});
