// Canonical text keys of values, for hashing rows where SQL would compare them as equal:
// GROUP BY, DISTINCT, hash joins and IN (subquery). Numbers key by exact value (1, 1.0 and
// TRUE are one key), strings by their code points, NULL by itself (grouping puts NULLs
// together; joins skip NULL keys before asking).
import type { Row, Value } from '../../storage/types.js';
import { Decimal } from '../../values/decimal.js';
import { numericKey } from '../expression.js';

export function valueKey(value: Value): string {
  if (value === null) return 'N';
  if (typeof value === 'string') return `s${value.length}:${value}`;
  if (typeof value === 'boolean') return value ? 'n1' : 'n0';
  if (typeof value === 'bigint' || typeof value === 'number') return `n${numericKey(value)}`;
  // A DECIMAL keys as the number it is (1.50 as 1.5, 2.00 as 2); a date or time by its text.
  if (value instanceof Uint8Array) return `b${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (value instanceof Decimal) return `n${value.toString().replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')}`;
  return `t${value.toString()}`;
}

export function rowKey(values: Row, width: number = values.length): string {
  let key = '';
  for (let at = 0; at < width; at++) key += `${valueKey(values[at] ?? null)}|`;
  return key;
}
