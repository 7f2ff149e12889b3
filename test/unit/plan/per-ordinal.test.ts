import { describe, expect, it } from 'vitest';
import { parsePerOrdinal as parsePerOrdinalAnswer, tooFewProblem, valueFor } from '../../../src/plan/per-ordinal.ts';
import { answering } from '../answer.ts';
const parsePerOrdinal = answering(parsePerOrdinalAnswer);

const at = (ordinal: number, index = ordinal) => ({ statefulSet: 'kafka', ordinal, index, namespace: 'data' });
const parsed = (text: string) => {
  const v = parsePerOrdinal(text);
  if (typeof v === 'string') throw new Error(v);
  return v;
};

describe('per-ordinal values', () => {
  it('replaces {pod}, {sts}, {ordinal} and {namespace} by each Service’s own', () => {
    const v = parsed('{pod}.{sts}.{namespace}.example.test/{ordinal}');
    expect(valueFor(v, at(2))).toBe('kafka-2.kafka.data.example.test/2');
  });
  it('gives each ordinal its item of a list, by position among the ordinals', () => {
    const v = parsed('eipalloc-{0a1, 0b2,0c3}');
    expect([0, 1, 2].map((i) => valueFor(v, at(5 + i, i)))).toEqual(['eipalloc-0a1', 'eipalloc-0b2', 'eipalloc-0c3']);
    expect(tooFewProblem(v, 3)).toBeUndefined();
    expect(tooFewProblem(v, 5)).toBe('its list has 3 items for 5 ordinals: add 2 more');
    expect(tooFewProblem(parsed('fixed'), 5)).toBeUndefined();
  });
  it('keeps JSON and other braces as text, but refuses what looks like a misspelt placeholder', () => {
    expect(valueFor(parsed('{"ingress": true}'), at(0))).toBe('{"ingress": true}');
    expect(valueFor(parsed('{"a":{"b":1}}'), at(0))).toBe('{"a":{"b":1}}');
    expect(valueFor(parsed('a}b{'), at(0))).toBe('a}b{');
    expect(parsePerOrdinal('{ordnial}')).toMatch(
      /^unknown placeholder \{ordnial\}: use \{pod\}, \{sts\}, \{ordinal\}, \{namespace\}, or a list/,
    );
    expect(parsePerOrdinal('{a,,b}')).toBe('the list {a,,b} has an empty item');
  });
});
