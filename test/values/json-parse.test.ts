// Proves a document's integers past 2^53 parse exact (bigints) wherever they stand, and that
// nothing else changes: other numbers, and digits inside strings (keys and values), as
// JSON.parse reads them; and that a JSON function rewriting such a document writes them back.
import { describe, expect, it } from 'vitest';
import { parseJsonExact } from '../../services/values/json-parse.js';
import { jsonDocumentOfValue } from '../../services/values/json-text.js';

describe('parseJsonExact', () => {
  it('keeps integers past 2^53 exact in objects, arrays and alone, of either sign', () => {
    expect(parseJsonExact('{"id": 9007199254740993, "n": [1, -12345678901234567890, 2.5e3]}')).toEqual({ id: 9007199254740993n, n: [1, -12345678901234567890n, 2500] });
    expect(parseJsonExact('18446744073709551615')).toBe(18446744073709551615n);
    expect(parseJsonExact('9007199254740991')).toBe(9007199254740991);
  });

  it('leaves strings, keys, fractions and exponents as JSON.parse reads them', () => {
    const text = '{"9007199254740993": "12345678901234567890", "a\\\\": "x\\"99999999999999999", "f": 12345678901234567.5, "e": 1e300}';
    expect(parseJsonExact(text)).toEqual(JSON.parse(text));
  });

  it('refuses what JSON.parse refuses', () => {
    expect(() => parseJsonExact('{"a": 12345678901234567890')).toThrow();
    expect(() => parseJsonExact('"unterminated 12345678901234567890')).toThrow();
  });

  it('writes the integers back as they were', () => {
    expect(jsonDocumentOfValue(parseJsonExact('{"b": [9007199254740993], "a": -18446744073709551615}')).text).toBe('{"a": -18446744073709551615, "b": [9007199254740993]}');
  });
});
