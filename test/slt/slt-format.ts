// Printing results as the reference sqllogictest runner does, so expected blocks compare as
// text: `I` an integer, `R` a real with three decimals, `T` text (`(empty)` for ''), NULL as
// `NULL`, and characters outside printable ASCII as `@`. Then sorting (`rowsort` by rows,
// `valuesort` by single values) and the md5 of long results.
import { createHash } from 'node:crypto';
import type { SortMode } from './slt-script.js';

export function formatValue(value: unknown, type: string): string {
  if (value === null || value === undefined) return 'NULL';
  const number = toNumber(value);
  switch (type) {
    case 'I':
      return Number.isFinite(number) ? String(integerOf(value, number)) : '0';
    case 'R':
      return Number.isFinite(number) ? number.toFixed(3) : '0.000';
    default: {
      const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
      return text === '' ? '(empty)' : text.replace(/[^\x20-\x7e]/g, '@');
    }
  }
}

// An integer column printed from a real or text value takes its integer part, as C's
// conversion does; exact integers (given as digit strings past 2^53) stay exact.
function integerOf(value: unknown, number: number): string {
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return BigInt(value.trim()).toString();
  return String(Math.trunc(number));
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  const parsed = Number.parseFloat(String(value));
  return Number.isNaN(parsed) ? 0 : parsed;
}

export function formatRows(rows: readonly (readonly unknown[])[], types: string): string[][] {
  return rows.map((row) => row.map((value, at) => formatValue(value, types[at] ?? 'T')));
}

// The values in the order the record asks for, flattened.
export function sortedValues(rows: string[][], sort: SortMode): string[] {
  if (sort === 'rowsort') return [...rows].sort(compareRows).flat();
  const values = rows.flat();
  return sort === 'valuesort' ? values.sort(compareText) : values;
}

export function hashValues(values: readonly string[]): string {
  const hash = createHash('md5');
  for (const value of values) hash.update(`${value}\n`);
  return hash.digest('hex');
}

function compareRows(a: readonly string[], b: readonly string[]): number {
  for (let at = 0; at < Math.min(a.length, b.length); at++) {
    const order = compareText(a[at]!, b[at]!);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

// strcmp order: by UTF-16 units, which for the printable ASCII the values hold is byte order.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
