// The one class a computed result column is announced as, read off all of its values, and each
// value made that class before it is written. One column may hold values of different classes
// (the branches of a UNION, the arms of IF, CASE or COALESCE): announced as the first value's,
// the others would be decoded as garbage, and in the binary protocol a value written in other
// bytes than its announced type's shifts every later value of the row. The choice follows
// MySQL's type aggregation where TideDB has the classes, and always gives a class every value
// can be written as without losing what it shows: integers with decimals are DECIMAL, numbers
// with doubles DOUBLE, DATE with DATETIME DATETIME, bytes with anything bytes (a binary string),
// and any other mix text.
import type { Row, Value } from '../storage/types.js';
import { Decimal, decimalToDouble } from '../values/decimal.js';
import { JsonDocument } from '../values/json-document.js';
import { microsPerDay, SqlDate, SqlDateTime, SqlTime } from '../values/temporal.js';
import { textOf } from './value-text.js';

export type ColumnClass =
  | { readonly kind: 'none' } // no non-NULL value
  | { readonly kind: 'boolean' }
  | { readonly kind: 'integer'; readonly unsigned: boolean }
  | { readonly kind: 'decimal'; readonly scale: number }
  | { readonly kind: 'double' }
  | { readonly kind: 'date' }
  | { readonly kind: 'datetime'; readonly fsp: number }
  | { readonly kind: 'time'; readonly fsp: number }
  | { readonly kind: 'json' }
  | { readonly kind: 'bytes' }
  | { readonly kind: 'text' };

type ValueKind = 'boolean' | 'integer' | 'decimal' | 'double' | 'date' | 'datetime' | 'time' | 'json' | 'bytes' | 'text';

// LONGLONG's ranges: signed, and with the UNSIGNED flag.
const signedMin = -(2n ** 63n);
const signedMax = 2n ** 63n - 1n;
const unsignedMax = 2n ** 64n - 1n;

// The class of the values at `position` in `rows`, and whether every value already is of it as
// it will be written (one kind, one scale, one precision): then no value needs conforming, the
// common case, and rows are written as they are.
export function classOfValues(rows: readonly Row[], position: number): { readonly columnClass: ColumnClass; readonly uniform: boolean } {
  const kinds = new Set<ValueKind>();
  const scales = new Set<number>();
  const fsps = new Set<number>();
  let min = 0n;
  let max = 0n;
  for (const row of rows) {
    const value = row[position];
    if (value === null || value === undefined) continue;
    kinds.add(kindOf(value));
    if (typeof value === 'bigint') {
      if (value < min) min = value;
      if (value > max) max = value;
    } else if (value instanceof Decimal) {
      scales.add(value.scale);
    } else if (value instanceof SqlDateTime || value instanceof SqlTime) {
      fsps.add(value.fsp);
    }
  }
  const columnClass = classOf(kinds, Math.max(0, ...scales), Math.max(0, ...fsps), min, max);
  // Integers past both LONGLONG ranges are written as a DECIMAL: made Decimals first.
  const uniform = kinds.size <= 1 && scales.size <= 1 && fsps.size <= 1 && !(kinds.has('integer') && columnClass.kind === 'decimal');
  return { columnClass, uniform };
}

function classOf(kinds: ReadonlySet<ValueKind>, scale: number, fsp: number, min: bigint, max: bigint): ColumnClass {
  const only = (...allowed: readonly ValueKind[]): boolean => [...kinds].every((kind) => allowed.includes(kind));
  if (kinds.size === 0) return { kind: 'none' };
  if (kinds.has('bytes')) return { kind: 'bytes' };
  if (only('boolean')) return { kind: 'boolean' };
  if (only('boolean', 'integer')) return integerClass(min, max);
  if (only('boolean', 'integer', 'decimal')) return { kind: 'decimal', scale };
  if (only('boolean', 'integer', 'decimal', 'double')) return { kind: 'double' };
  if (only('date')) return { kind: 'date' };
  if (only('date', 'datetime')) return { kind: 'datetime', fsp };
  if (only('time')) return { kind: 'time', fsp };
  if (only('json')) return { kind: 'json' };
  return { kind: 'text' };
}

// LONGLONG when every value fits it, LONGLONG UNSIGNED when they are not negative and some do
// not fit the signed range (a client reads a value past 2^63 - 1 as negative otherwise), and a
// DECIMAL of scale 0, which holds any integer, when neither holds them all.
function integerClass(min: bigint, max: bigint): ColumnClass {
  if (min >= signedMin && max <= signedMax) return { kind: 'integer', unsigned: false };
  if (min >= 0n && max <= unsignedMax) return { kind: 'integer', unsigned: true };
  return { kind: 'decimal', scale: 0 };
}

function kindOf(value: Exclude<Value, null>): ValueKind {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return 'double';
  if (typeof value === 'string') return 'text';
  if (value instanceof Decimal) return 'decimal';
  if (value instanceof SqlDate) return 'date';
  if (value instanceof SqlDateTime) return 'datetime';
  if (value instanceof SqlTime) return 'time';
  if (value instanceof JsonDocument) return 'json';
  return 'bytes';
}

// `row` with each value made its column's class (null: a column announced as declared, whose
// values are already of its type).
export function conformRow(row: Row, classes: readonly (ColumnClass | null)[]): Row {
  return row.map((value, position) => {
    const columnClass = classes[position];
    return value === null || columnClass === undefined || columnClass === null ? value : conformValue(value, columnClass);
  });
}

function conformValue(value: Exclude<Value, null>, columnClass: ColumnClass): Value {
  switch (columnClass.kind) {
    case 'none':
    case 'boolean':
    case 'integer':
    case 'date':
    case 'json':
      return value; // only values of the class itself (a boolean is an integer's 0 or 1)
    case 'decimal':
      return decimalAtScale(value, columnClass.scale);
    case 'double':
      return typeof value === 'number' ? value : value instanceof Decimal ? decimalToDouble(value) : Number(value);
    case 'datetime':
      if (value instanceof SqlDate) return new SqlDateTime(BigInt(value.days) * microsPerDay, columnClass.fsp);
      return value instanceof SqlDateTime && value.fsp !== columnClass.fsp ? new SqlDateTime(value.micros, columnClass.fsp) : value;
    case 'time':
      return value instanceof SqlTime && value.fsp !== columnClass.fsp ? new SqlTime(value.micros, columnClass.fsp) : value;
    case 'bytes':
      return value instanceof Uint8Array ? value : Buffer.from(textOf(value), 'utf8');
    case 'text':
      return typeof value === 'string' ? value : textOf(value as Exclude<Value, null | Uint8Array>);
  }
}

// An integer or a decimal at the column's scale, which is at least the value's (as MySQL shows
// every value of a DECIMAL column with the column's fractional digits).
function decimalAtScale(value: Exclude<Value, null>, scale: number): Decimal {
  if (value instanceof Decimal) return value.scale === scale ? value : new Decimal(value.unscaled * 10n ** BigInt(scale - value.scale), scale);
  const integer = typeof value === 'boolean' ? (value ? 1n : 0n) : (value as bigint);
  return new Decimal(integer * 10n ** BigInt(scale), scale);
}
