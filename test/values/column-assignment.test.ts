// Proves values assigned to DECIMAL and temporal columns are read and checked as MySQL's strict
// mode does, through the SQL layer's coerceToColumn too, and that the JSON forms for results and
// parameters are exact text.
import { describe, expect, it } from 'vitest';
import { coerceToColumn } from '../../services/sql/values.js';
import type { ColumnDef, ColumnType, Value } from '../../services/storage/types.js';
import { Decimal } from '../../services/values/decimal.js';
import { fromJsonParam, toJsonValue } from '../../services/values/json-value.js';
import { SqlDate, SqlDateTime, SqlTime, parseDateTime } from '../../services/values/temporal.js';
import { errorCodeOf } from '../sql/run-on-store.js';

function column(type: ColumnType, extra: Partial<ColumnDef> = {}): ColumnDef {
  return { name: 'c', type, length: null, nullable: true, autoIncrement: false, ...extra };
}

const money = column('DECIMAL', { precision: 6, scale: 2 });
const day = column('DATE');
const clock = column('TIME', { fsp: 1 });
const moment = column('DATETIME', { fsp: 3 });
const stamp = column('TIMESTAMP');

function assigned(target: ColumnDef, value: Value): string | null {
  const result = coerceToColumn(target, value);
  return result === null ? null : String(result);
}

describe('assignment to DECIMAL and temporal columns', () => {
  it('reads text, integers, doubles and values of the type, rounding to the column', () => {
    expect(assigned(money, '12.345')).toBe('12.35');
    expect(assigned(money, ' -1e2 ')).toBe('-100.00');
    expect(assigned(money, 7n)).toBe('7.00');
    expect(assigned(money, 0.1)).toBe('0.10');
    expect(assigned(money, true)).toBe('1.00');
    expect(assigned(money, new Decimal(-12_345_678n, 4))).toBe('-1234.57');
    expect(assigned(day, '2023-07-04 23:59:59')).toBe('2023-07-04');
    expect(assigned(day, 20230704n)).toBe('2023-07-04');
    expect(assigned(day, parseDateTime('2023-07-04 10:00:00', 0))).toBe('2023-07-04');
    expect(assigned(clock, '10:20:30.25')).toBe('10:20:30.3');
    expect(assigned(clock, 102030n)).toBe('10:20:30.0');
    expect(assigned(clock, parseDateTime('2023-07-04 10:20:30.75', 2))).toBe('10:20:30.8');
    expect(assigned(moment, '2023-07-04 10:20:30.12345')).toBe('2023-07-04 10:20:30.123');
    expect(assigned(moment, new SqlDate(0))).toBe('1970-01-01 00:00:00.000');
    expect(assigned(stamp, '2038-01-19 03:14:07')).toBe('2038-01-19 03:14:07');
    expect(assigned(money, null)).toBeNull();
  });

  it('refuses what is not a value of the type with TYPE_MISMATCH (DECIMAL) or DATETIME_INVALID (dates and times)', () => {
    expect(errorCodeOf(() => coerceToColumn(money, 'ten'))).toBe('TYPE_MISMATCH');
    expect(errorCodeOf(() => coerceToColumn(money, new SqlDate(0)))).toBe('TYPE_MISMATCH');
    expect(errorCodeOf(() => coerceToColumn(day, '2023-02-30'))).toBe('DATETIME_INVALID');
    expect(errorCodeOf(() => coerceToColumn(day, 1.5))).toBe('DATETIME_INVALID');
    expect(errorCodeOf(() => coerceToColumn(moment, true))).toBe('DATETIME_INVALID');
    expect(errorCodeOf(() => coerceToColumn(clock, new SqlDate(0)))).toBe('DATETIME_INVALID');
  });

  it("refuses what does not fit with VALUE_OUT_OF_RANGE (DATETIME_INVALID for dates and times: MySQL's 1292), and NULL in a NOT NULL column", () => {
    expect(errorCodeOf(() => coerceToColumn(money, '10000'))).toBe('VALUE_OUT_OF_RANGE');
    expect(errorCodeOf(() => coerceToColumn(money, '9999.995'))).toBe('VALUE_OUT_OF_RANGE');
    expect(errorCodeOf(() => coerceToColumn(stamp, '2038-01-19 03:14:08'))).toBe('DATETIME_INVALID');
    expect(errorCodeOf(() => coerceToColumn(stamp, '1970-01-01 00:00:00'))).toBe('DATETIME_INVALID');
    expect(errorCodeOf(() => coerceToColumn(clock, '900:00:00'))).toBe('DATETIME_INVALID');
    expect(errorCodeOf(() => coerceToColumn({ ...money, nullable: false }, null))).toBe('NOT_NULL_VIOLATION');
  });

  it('gives DECIMAL(10,0) and fsp 0 to columns declared without them', () => {
    const bare = column('DECIMAL');
    expect(assigned(bare, '1234567890.5')).toBe('1234567891');
    expect(errorCodeOf(() => coerceToColumn(bare, '12345678901'))).toBe('VALUE_OUT_OF_RANGE');
    expect(assigned(column('DATETIME'), '2023-07-04 10:20:30.5')).toBe('2023-07-04 10:20:31');
  });
});

describe('JSON forms', () => {
  it('writes DECIMAL as its exact string and dates and times as MySQL text', () => {
    expect(toJsonValue(new Decimal(1250n, 2))).toBe('12.50');
    expect(toJsonValue(new Decimal(10n ** 40n + 1n, 0))).toBe('10000000000000000000000000000000000000001');
    expect(toJsonValue(new SqlDate(0))).toBe('1970-01-01');
    expect(toJsonValue(new SqlTime(-1_500_000n, 1))).toBe('-00:00:01.5');
    expect(toJsonValue(new SqlDateTime(1_500_000n, 3))).toBe('1970-01-01 00:00:01.500');
    expect(toJsonValue(5n)).toBe(5n);
    expect(toJsonValue(null)).toBeNull();
  });

  it('reads parameters as JSON gives them, and exactly once the column is known', () => {
    expect(fromJsonParam(3)).toBe(3n);
    expect(fromJsonParam(0.1)).toBe(0.1);
    expect(fromJsonParam('0.10')).toBe('0.10');
    expect(String(fromJsonParam('0.10', money))).toBe('0.10');
    expect(fromJsonParam('0.10', money)).toBeInstanceOf(Decimal);
    expect(String(fromJsonParam('2023-07-04T10:20:30.5', moment))).toBe('2023-07-04 10:20:30.500');
    expect(fromJsonParam(null, money)).toBeNull();
    expect(fromJsonParam('x', column('VARCHAR', { length: 5 }))).toBe('x');
    expect(errorCodeOf(() => fromJsonParam({ value: 1 }))).toBe('REQUEST_INVALID');
    expect(errorCodeOf(() => fromJsonParam([1]))).toBe('REQUEST_INVALID');
    expect(errorCodeOf(() => fromJsonParam('2023-02-30', day))).toBe('DATETIME_INVALID');
  });
});
