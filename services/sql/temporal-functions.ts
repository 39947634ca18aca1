// MySQL's date and time functions over TideDB's values (services/values: the arithmetic, the
// formats and the week rules live there; this module reads SQL arguments into them). An
// argument that is not a date reads as one the way MySQL reads it — DATE, DATETIME and TIMESTAMP
// as they are, text by its date or datetime form, integers as YYYYMMDD[HHMMSS] — and one that
// does not read is NULL (MySQL adds a warning), as are NULL arguments.
//
// The clock functions (NOW() and its kin) read the statement's time, one for the whole
// statement as in MySQL, in UTC: TideDB's sessions have no other time zone. A write's rows carry
// the values to followers, which never read a clock of their own.
import { TideError } from '../base/errors.js';
import type { Value } from '../storage/types.js';
import { Decimal } from '../values/decimal.js';
import { dateFormat } from '../values/date-format.js';
import { compositeIntervalUnits, intervalOf, intervalUnits, parseCompositeInterval } from '../values/interval.js';
import type { CompositeIntervalUnit, Interval, IntervalUnit } from '../values/interval.js';
import { addIntervalValue, dateDiff, extract, extractUnits, timestampDiff, weekday } from '../values/temporal-arithmetic.js';
import type { ExtractUnit } from '../values/temporal-arithmetic.js';
import { civilFromDays, daysFromCivil, daysInMonth, microsPerDay, microsPerSecond, parseDateTime, parseTime, SqlDate, SqlDateTime, SqlTime, splitDateTime, timeMicrosMax } from '../values/temporal.js';
import type { TemporalValue } from '../values/temporal.js';
import { strict } from './function-def.js';
import type { FunctionDef } from './function-def.js';

type Present = Exclude<Value, null>;

// --- reading arguments ------------------------------------------------------------------------

// A date or datetime, or null when the value does not read as one.
function dateArgument(value: Present): SqlDate | SqlDateTime | null {
  if (value instanceof SqlDate || value instanceof SqlDateTime) return value;
  if (value instanceof SqlTime) return null;
  try {
    if (typeof value === 'bigint') return dateOrDateTime(value.toString());
    if (typeof value === 'number') return Number.isInteger(value) ? dateOrDateTime(String(value)) : null;
    if (typeof value === 'string') return dateOrDateTime(value);
    return null;
  } catch (error) {
    if (error instanceof TideError) return null;
    throw error;
  }
}

// Text of a date alone is a DATE ('2024-01-31', 20240131); with a time of day a DATETIME, with
// six fractional digits if it has any.
function dateOrDateTime(text: string): SqlDate | SqlDateTime {
  const trimmed = text.trim();
  const fraction = /\.\d/.test(trimmed) && /[: T]|^\d{12,}/.test(trimmed);
  const value = parseDateTime(trimmed, fraction ? 6 : 0);
  const clock = /[: T]/.test(trimmed) || /^\d{12,14}$/.test(trimmed);
  return clock ? value : new SqlDate(splitDateTime(value).days);
}

// A TIME (HOUR() and the other clock units read a TIME too), or a date's: text that starts as a
// time of day ('10:11:12', '2 10:00') is a TIME, as MySQL reads it, other text a date first.
function clockArgument(value: Present): TemporalValue | null {
  if (value instanceof SqlTime) return value;
  const timeFirst = typeof value === 'string' && /^\s*[+-]?(\d+\s+)?\d+:\d/.test(value);
  const date = timeFirst ? null : dateArgument(value);
  if (date !== null) return date;
  if (typeof value !== 'string' && typeof value !== 'bigint' && typeof value !== 'number') return null;
  try {
    return parseTime(String(value), /\.\d/.test(String(value)) ? 6 : 0);
  } catch (error) {
    if (error instanceof TideError) return null;
    throw error;
  }
}

function unitNamed<T extends string>(value: Present, units: readonly T[], what: string): T {
  const name = String(value).toUpperCase();
  if (!(units as readonly string[]).includes(name)) throw new TideError('SQL_UNSUPPORTED', `${what} unit ${name} is not supported`);
  return name as T;
}

// INTERVAL amount unit, as the binder passes it: the amount, then the unit's name.
function intervalArgument(amount: Present, unitName: Present): Interval | null {
  const name = String(unitName).toUpperCase();
  if ((compositeIntervalUnits as readonly string[]).includes(name)) return parseCompositeInterval(String(amount), name as CompositeIntervalUnit);
  const unit = unitNamed<IntervalUnit>(unitName, intervalUnits, 'INTERVAL');
  const whole = typeof amount === 'bigint' ? amount : BigInt(Math.round(Number(amount)));
  return intervalOf(whole, unit);
}

function negated(interval: Interval): Interval {
  return interval.kind === 'months' ? { ...interval, months: -interval.months } : { ...interval, micros: -interval.micros };
}

// --- the functions ----------------------------------------------------------------------------

function ofDate(fn: (value: SqlDate | SqlDateTime) => Value): FunctionDef {
  return strict(1, 1, ([value]) => {
    const date = dateArgument(value!);
    return date === null ? null : fn(date);
  });
}

// YEAR(), HOUR() and the like. Of a negative TIME they give the unit unsigned (HOUR('-10:00')
// is 10), where EXTRACT keeps the sign.
function extracted(unit: ExtractUnit, read: (value: Present) => TemporalValue | null = dateArgument): FunctionDef {
  return strict(1, 1, ([value]) => {
    const temporal = read(value!);
    if (temporal === null) return null;
    const part = extract(unit, temporal);
    return part < 0n ? -part : part;
  });
}

function daysOf(value: SqlDate | SqlDateTime): number {
  return value instanceof SqlDate ? value.days : splitDateTime(value).days;
}

function shifted(sign: 1 | -1): FunctionDef {
  return strict(2, 3, (args) => {
    const date = dateArgument(args[0]!);
    if (date === null) return null;
    // ADDDATE(d, n) and SUBDATE(d, n): n days.
    const interval = intervalArgument(args[1]!, args[2] ?? 'DAY');
    return interval === null ? null : addIntervalValue(date, sign === 1 ? interval : negated(interval));
  });
}

const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

// Seconds since 1970-01-01 UTC: whole, or with the value's fractional digits.
function unixSeconds(value: SqlDate | SqlDateTime): Value {
  const micros = value instanceof SqlDate ? BigInt(value.days) * microsPerDay : value.micros;
  if (value instanceof SqlDate || value.fsp === 0) return micros / microsPerSecond;
  return new Decimal(micros / 10n ** BigInt(6 - value.fsp), value.fsp);
}

export const temporalFunctions: Readonly<Record<string, FunctionDef>> = {
  DATE: ofDate((value) => new SqlDate(daysOf(value))),
  TIME: strict(1, 1, ([value]) => {
    const temporal = clockArgument(value!);
    if (temporal === null || temporal instanceof SqlTime) return temporal;
    // A date alone is at midnight.
    return temporal instanceof SqlDate ? new SqlTime(0n, 0) : new SqlTime(splitDateTime(temporal).timeMicros, temporal.fsp);
  }),
  YEAR: extracted('YEAR'),
  QUARTER: extracted('QUARTER'),
  MONTH: extracted('MONTH'),
  DAY: extracted('DAY'),
  DAYOFMONTH: extracted('DAY'),
  WEEK: extracted('WEEK'),
  HOUR: extracted('HOUR', clockArgument),
  MINUTE: extracted('MINUTE', clockArgument),
  SECOND: extracted('SECOND', clockArgument),
  MICROSECOND: extracted('MICROSECOND', clockArgument),
  // EXTRACT(unit FROM value), as the binder passes it: the unit's name, then the value.
  EXTRACT: strict(2, 2, ([unit, value]) => {
    const name = unitNamed<ExtractUnit>(unit!, extractUnits, 'EXTRACT');
    const temporal = name === 'HOUR' || name === 'MINUTE' || name === 'SECOND' || name === 'MICROSECOND' ? clockArgument(value!) : dateArgument(value!);
    return temporal === null ? null : extract(name, temporal);
  }),
  DAYOFWEEK: ofDate((value) => BigInt(weekday(daysOf(value)) + 1)),
  WEEKDAY: ofDate((value) => BigInt((weekday(daysOf(value)) + 6) % 7)),
  DAYOFYEAR: ofDate((value) => {
    const days = daysOf(value);
    return BigInt(days - daysFromCivil({ year: civilFromDays(days).year, month: 1, day: 1 }) + 1);
  }),
  DAYNAME: ofDate((value) => dayNames[weekday(daysOf(value))]!),
  MONTHNAME: ofDate((value) => monthNames[civilFromDays(daysOf(value)).month - 1]!),
  LAST_DAY: ofDate((value) => {
    const { year, month } = civilFromDays(daysOf(value));
    return new SqlDate(daysFromCivil({ year, month, day: daysInMonth(year, month) }));
  }),
  DATEDIFF: strict(2, 2, ([left, right]) => {
    const [a, b] = [dateArgument(left!), dateArgument(right!)];
    return a === null || b === null ? null : dateDiff(a, b);
  }),
  TIMESTAMPDIFF: strict(3, 3, ([unit, from, to]) => {
    const [a, b] = [dateArgument(from!), dateArgument(to!)];
    return a === null || b === null ? null : timestampDiff(unitNamed<IntervalUnit>(unit!, intervalUnits, 'TIMESTAMPDIFF'), a, b);
  }),
  DATE_ADD: shifted(1),
  ADDDATE: shifted(1),
  DATE_SUB: shifted(-1),
  SUBDATE: shifted(-1),
  DATE_FORMAT: strict(2, 2, ([value, format]) => {
    const date = dateArgument(value!);
    return date === null ? null : dateFormat(date, String(format));
  }),
  FROM_UNIXTIME: strict(1, 1, ([seconds]) => {
    const number = typeof seconds === 'bigint' ? seconds : BigInt(Math.trunc(Number(seconds)));
    return number < 0n ? null : new SqlDateTime(number * microsPerSecond, 0);
  }),
};

// CAST(value AS DATE | DATETIME(fsp) | TIME(fsp)): NULL for a value that does not read as one.
export function castTemporal(value: Present, target: 'DATE' | 'DATETIME' | 'TIME', fsp: number): Value {
  if (target === 'TIME') {
    const temporal = clockArgument(value);
    if (temporal === null) return null;
    const micros = temporal instanceof SqlTime ? temporal.micros : temporal instanceof SqlDate ? 0n : splitDateTime(temporal).timeMicros;
    return new SqlTime(truncated(micros, fsp), fsp);
  }
  const date = dateArgument(value);
  if (date === null) return null;
  if (target === 'DATE') return new SqlDate(daysOf(date));
  return dateTime(date instanceof SqlDate ? BigInt(date.days) * microsPerDay : date.micros, fsp);
}

// --- the clock ----------------------------------------------------------------------------------

// NOW() and the other functions that read the statement's time, with their forms without
// parentheses (CURRENT_TIMESTAMP): what each gives, from the time and an optional precision.
const clockFunctions: Readonly<Record<string, { readonly max: number; readonly at: (micros: bigint, fsp: number) => Value }>> = {
  NOW: { max: 1, at: dateTime },
  CURRENT_TIMESTAMP: { max: 1, at: dateTime },
  LOCALTIME: { max: 1, at: dateTime },
  LOCALTIMESTAMP: { max: 1, at: dateTime },
  SYSDATE: { max: 1, at: dateTime },
  UTC_TIMESTAMP: { max: 1, at: dateTime },
  CURDATE: { max: 0, at: (micros) => new SqlDate(Number(micros / microsPerDay)) },
  CURRENT_DATE: { max: 0, at: (micros) => new SqlDate(Number(micros / microsPerDay)) },
  UTC_DATE: { max: 0, at: (micros) => new SqlDate(Number(micros / microsPerDay)) },
  CURTIME: { max: 1, at: time },
  CURRENT_TIME: { max: 1, at: time },
  UTC_TIME: { max: 1, at: time },
};

function truncated(micros: bigint, fsp: number): bigint {
  const unit = 10n ** BigInt(6 - fsp);
  return micros - (micros % unit);
}

function dateTime(micros: bigint, fsp: number): SqlDateTime {
  return new SqlDateTime(truncated(micros, fsp), fsp);
}

function time(micros: bigint, fsp: number): SqlTime {
  return new SqlTime(truncated(micros % microsPerDay, fsp) % (timeMicrosMax + 1n), fsp);
}

export function isClockFunction(name: string): boolean {
  return name in clockFunctions || name === 'UNIX_TIMESTAMP';
}

export function clockFunctionArity(name: string): { readonly min: number; readonly max: number } | undefined {
  if (name === 'UNIX_TIMESTAMP') return { min: 0, max: 1 };
  const clock = clockFunctions[name];
  return clock === undefined ? undefined : { min: 0, max: clock.max };
}

// The statement's time `nowMs` as a DATETIME of `fsp` digits, cut, not rounded, as MySQL's
// NOW(fsp) reads it (and a CURRENT_TIMESTAMP default, row-rules.ts).
export function dateTimeAt(nowMs: number, fsp: number): SqlDateTime {
  return dateTime(microsAt(nowMs), fsp);
}

function microsAt(nowMs: number): bigint {
  return BigInt(Math.floor(nowMs)) * 1000n;
}

// A clock function's value at the statement's time `nowMs`.
export function clockValue(name: string, args: readonly Value[], nowMs: number): Value {
  const micros = microsAt(nowMs);
  if (name === 'UNIX_TIMESTAMP') {
    if (args.length === 0) return micros / microsPerSecond;
    if (args[0] === null || args[0] === undefined) return null;
    const date = dateArgument(args[0]);
    return date === null ? null : unixSeconds(date);
  }
  const fspArg = args[0];
  const fsp = fspArg === undefined || fspArg === null ? 0 : Number(fspArg);
  if (!Number.isInteger(fsp) || fsp < 0 || fsp > 6) throw new TideError('SQL_SYNTAX', `${name}() takes a precision of 0 to 6 digits`);
  return clockFunctions[name]!.at(micros, fsp);
}
