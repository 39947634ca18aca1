// A parsed JSON value written as MySQL 8 writes a JSON value it computed: `, ` between
// elements, `: ` after a key, and an object's keys in MySQL's storage order (shorter keys
// first, then by their UTF-8 bytes), so a document built or changed by a JSON function reads
// the same as on MySQL. MariaDB keeps keys in the order given; MySQL is the reference here.
import { JsonDocument } from './json-document.js';

function jsonText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return value.toString();
  // MySQL writes a double's exponent without the `+` (1e300, not 1e+300).
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).replace('e+', 'e') : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jsonText).join(', ')}]`;
  const members = sortedKeys(value as Record<string, unknown>).map((key) => `${JSON.stringify(key)}: ${jsonText((value as Record<string, unknown>)[key])}`);
  return `{${members.join(', ')}}`;
}

export function sortedKeys(object: Record<string, unknown>): string[] {
  return Object.keys(object).sort(compareKeys);
}

function compareKeys(left: string, right: string): number {
  const [a, b] = [Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8')];
  return a.byteLength - b.byteLength || Buffer.compare(a, b);
}

export function jsonDocumentOfValue(value: unknown): JsonDocument {
  return new JsonDocument(jsonText(value));
}

// An own member, even one named `__proto__` (plain assignment would set the prototype instead).
export function setMember(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}
