// Assigning a value to a DECIMAL, DATE, TIME, DATETIME or TIMESTAMP column, as MySQL's strict
// mode does for INSERT and UPDATE: text and numbers are read in the column's type, excess
// fractional digits round, and what does not fit is an error with a stable code
// (TYPE_MISMATCH for what is not a DECIMAL, DATETIME_INVALID for what is no date or time, VALUE_OUT_OF_RANGE for what is too big).
import { assertNever } from '../base/assert.js';
import { TideError } from '../base/errors.js';
import type { ColumnDef, Value } from '../storage/types.js';
import { Decimal, decimalFromBigint, decimalFromDouble, fitDecimal, parseDecimal } from './decimal.js';
import { SqlDate, SqlDateTime, SqlTime, dateOfDateTime, dateTimeFromInteger, dateTimeOfDate, fitDateTime, fitTime, parseDate, parseDateTime, parseTime, splitDateTime, timeFromInteger } from './temporal.js';

export type ValueColumnType = 'DECIMAL' | 'DATE' | 'TIME' | 'DATETIME' | 'TIMESTAMP';

export function isValueColumnType(type: ColumnDef['type']): type is ValueColumnType {
  return type === 'DECIMAL' || type === 'DATE' || type === 'TIME' || type === 'DATETIME' || type === 'TIMESTAMP';
}

// MySQL's DECIMAL without (p,s) is DECIMAL(10,0); a temporal type without (fsp) has fsp 0.
export function decimalTypeOf(column: ColumnDef): { readonly precision: number; readonly scale: number } {
  return { precision: column.precision ?? 10, scale: column.scale ?? 0 };
}

export function fspOf(column: ColumnDef): number {
  return column.fsp ?? 0;
}

export function assignToColumn(column: ColumnDef & { readonly type: ValueColumnType }, value: Exclude<Value, null>): Value {
  switch (column.type) {
    case 'DECIMAL':
      return fitDecimal(toDecimal(column, value), decimalTypeOf(column), column.name);
    case 'DATE':
      return toDate(column, value);
    case 'TIME':
      return fitTime(toTime(column, value), fspOf(column), column.name);
    case 'DATETIME':
    case 'TIMESTAMP':
      return fitDateTime(toDateTime(column, value), fspOf(column), column.type === 'TIMESTAMP', column.name);
    default:
      return assertNever(column.type);
  }
}

// MySQL's 1366 (incorrect value) for a DECIMAL, its 1292 (incorrect datetime value) for a date
// or time.
function mismatch(column: ColumnDef, value: Exclude<Value, null>): TideError {
  const shown = String(value);
  return new TideError(column.type === 'DECIMAL' ? 'TYPE_MISMATCH' : 'DATETIME_INVALID', `'${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}' is not a valid ${column.type} for column '${column.name}'`);
}

function toDecimal(column: ColumnDef, value: Exclude<Value, null>): Decimal {
  if (value instanceof Decimal) return value;
  if (typeof value === 'bigint') return decimalFromBigint(value);
  if (typeof value === 'number') return decimalFromDouble(value);
  if (typeof value === 'boolean') return decimalFromBigint(value ? 1n : 0n);
  if (typeof value === 'string') return parseDecimal(value);
  throw mismatch(column, value);
}

// A datetime's time of day is dropped (MySQL keeps the date, with a note).
function toDate(column: ColumnDef, value: Exclude<Value, null>): SqlDate {
  if (value instanceof SqlDate) return value;
  if (value instanceof SqlDateTime) return dateOfDateTime(value);
  if (typeof value === 'string') return parseDate(value);
  if (typeof value === 'bigint') return dateOfDateTime(dateTimeFromInteger(value, 0));
  throw mismatch(column, value);
}

function toDateTime(column: ColumnDef, value: Exclude<Value, null>): SqlDateTime {
  if (value instanceof SqlDateTime) return value;
  if (value instanceof SqlDate) return dateTimeOfDate(value);
  // Read at the column's precision directly, so the fraction is rounded once.
  if (typeof value === 'string') return parseDateTime(value, fspOf(column));
  if (typeof value === 'bigint') return dateTimeFromInteger(value, fspOf(column));
  throw mismatch(column, value);
}

// A datetime's time of day is its TIME, as in MySQL.
function toTime(column: ColumnDef, value: Exclude<Value, null>): SqlTime {
  if (value instanceof SqlTime) return value;
  if (value instanceof SqlDateTime) return new SqlTime(splitDateTime(value).timeMicros, value.fsp);
  if (typeof value === 'string') return parseTime(value, fspOf(column));
  if (typeof value === 'bigint') return timeFromInteger(value, fspOf(column));
  throw mismatch(column, value);
}
