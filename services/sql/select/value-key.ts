// Canonical text keys of values, for hashing rows where SQL would compare them as equal:
// GROUP BY, DISTINCT, hash joins and IN (subquery). Numbers key by exact value (1, 1.0 and
// TRUE are one key), strings by their code points, NULL by itself (grouping puts NULLs
// together; joins skip NULL keys before asking).
import type { Row, Value } from '../../storage/types.js';
import { numericKey } from '../expression.js';

export function valueKey(value: Value): string {
  if (value === null) return 'N';
  if (typeof value === 'string') return `s${value.length}:${value}`;
  if (typeof value === 'boolean') return value ? 'n1' : 'n0';
  return `n${numericKey(value)}`;
}

export function rowKey(values: Row, width: number = values.length): string {
  let key = '';
  for (let at = 0; at < width; at++) key += `${valueKey(values[at] ?? null)}|`;
  return key;
}
