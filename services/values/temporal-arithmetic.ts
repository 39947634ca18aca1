// The date and time arithmetic of MySQL's common functions: DATE_ADD/DATE_SUB (and `+ INTERVAL`),
// DATEDIFF, TIMESTAMPDIFF and EXTRACT. Dates are days and datetimes microseconds
// (temporal.ts), so units of fixed length are additions; months and years go through the
// calendar and clamp the day to the month's end (2023-01-31 + 1 MONTH = 2023-02-28), as MySQL.
import { assertNever } from '../base/assert.js';
import { TideError } from '../base/errors.js';
import {
  SqlDate,
  SqlDateTime,
  SqlTime,
  civilFromDays,
  dateDaysMax,
  dateDaysMin,
  dateTimeMicrosMax,
  dateTimeMicrosMin,
  daysFromCivil,
  daysInMonth,
  floorDiv,
  microsPerDay,
  microsPerSecond,
  splitDateTime,
  yearMax,
  yearMin,
} from './temporal.js';
import type { TemporalValue } from './temporal.js';
import { intervalOf, isMonthUnit, unitMicros, unitMonths } from './interval.js';
import type { Interval, IntervalUnit } from './interval.js';

// `value + INTERVAL amount unit` (a negative amount subtracts).
export function addInterval(value: SqlDate | SqlDateTime, amount: bigint, unit: IntervalUnit): SqlDate | SqlDateTime | null {
  return addIntervalValue(value, intervalOf(amount, unit));
}

// A DATE stays a DATE for whole days and months and becomes a DATETIME otherwise; a DATETIME
// gains fractional digits only from an interval of microseconds. A result outside years
// 1–9999 is NULL, as in MySQL (with a warning).
export function addIntervalValue(value: SqlDate | SqlDateTime, interval: Interval): SqlDate | SqlDateTime | null {
  if (value instanceof SqlDate && (interval.kind === 'months' || interval.days)) {
    const days = interval.kind === 'months' ? addMonths(value.days, interval.months) : BigInt(value.days) + interval.micros / microsPerDay;
    return days === null || days < dateDaysMin || days > dateDaysMax ? null : new SqlDate(Number(days));
  }
  const start = value instanceof SqlDate ? new SqlDateTime(BigInt(value.days) * microsPerDay, 0) : value;
  let micros: bigint;
  if (interval.kind === 'months') {
    const { days, timeMicros } = splitDateTime(start);
    const moved = addMonths(days, interval.months);
    if (moved === null) return null;
    micros = moved * microsPerDay + timeMicros;
  } else {
    micros = start.micros + interval.micros;
  }
  const fsp = interval.kind === 'micros' && interval.fractional ? 6 : start.fsp;
  return micros < dateTimeMicrosMin || micros > dateTimeMicrosMax ? null : new SqlDateTime(micros, fsp);
}

// Days of the date `months` calendar months after `days`, the day clamped to the month's
// length; null past the years a date may have.
function addMonths(days: number, months: bigint): bigint | null {
  const { year, month, day } = civilFromDays(days);
  const index = BigInt(year) * 12n + BigInt(month - 1) + months;
  if (index < BigInt(yearMin) * 12n || index > BigInt(yearMax) * 12n + 11n) return null;
  const newYear = Number(index / 12n);
  const newMonth = Number(index % 12n) + 1;
  return BigInt(daysFromCivil({ year: newYear, month: newMonth, day: Math.min(day, daysInMonth(newYear, newMonth)) }));
}

function daysOf(value: SqlDate | SqlDateTime): number {
  return value instanceof SqlDate ? value.days : splitDateTime(value).days;
}

function microsOf(value: SqlDate | SqlDateTime): bigint {
  return value instanceof SqlDate ? BigInt(value.days) * microsPerDay : value.micros;
}

// DATEDIFF(a, b): days from b to a, times of day ignored.
export function dateDiff(left: SqlDate | SqlDateTime, right: SqlDate | SqlDateTime): bigint {
  return BigInt(daysOf(left) - daysOf(right));
}

// TIMESTAMPDIFF(unit, from, to): whole units from `from` to `to`, truncated toward zero. For
// months, quarters and years a month counts only once its day and time of day are reached
// (from 01-31 to 02-28 is 0 months), as MySQL counts.
export function timestampDiff(unit: IntervalUnit, from: SqlDate | SqlDateTime, to: SqlDate | SqlDateTime): bigint {
  const [start, end] = [microsOf(from), microsOf(to)];
  if (!isMonthUnit(unit)) return (end - start) / unitMicros(unit);
  const [a, b] = [monthPosition(start), monthPosition(end)];
  let months = b.month - a.month;
  if (months > 0n && b.within < a.within) months -= 1n;
  if (months < 0n && b.within > a.within) months += 1n;
  return months / unitMonths(unit);
}

// A datetime as (months since year 0, microseconds into its month): what TIMESTAMPDIFF compares.
function monthPosition(micros: bigint): { readonly month: bigint; readonly within: bigint } {
  const days = floorDiv(micros, microsPerDay);
  const { year, month, day } = civilFromDays(Number(days));
  return { month: BigInt(year) * 12n + BigInt(month - 1), within: BigInt(day - 1) * microsPerDay + (micros - days * microsPerDay) };
}

export const extractUnits = ['MICROSECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR', 'YEAR_MONTH'] as const;
export type ExtractUnit = (typeof extractUnits)[number];

// EXTRACT(unit FROM value). WEEK is MySQL's default mode 0 (weeks start on Sunday, days before
// the year's first Sunday are week 0). A TIME has only the clock units, its hours unbounded by
// a day (EXTRACT(HOUR FROM '100:00:00') is 100) and signed like the TIME.
export function extract(unit: ExtractUnit, value: TemporalValue): bigint {
  if (value instanceof SqlTime) return extractFromTime(unit, value);
  const { days, timeMicros } = value instanceof SqlDate ? { days: value.days, timeMicros: 0n } : splitDateTime(value);
  const { year, month, day } = civilFromDays(days);
  switch (unit) {
    case 'MICROSECOND': return timeMicros % microsPerSecond;
    case 'SECOND': return (timeMicros / microsPerSecond) % 60n;
    case 'MINUTE': return (timeMicros / unitMicros('MINUTE')) % 60n;
    case 'HOUR': return timeMicros / unitMicros('HOUR');
    case 'DAY': return BigInt(day);
    case 'WEEK': return BigInt(weekOfYearSundayFirst(days));
    case 'MONTH': return BigInt(month);
    case 'QUARTER': return BigInt(Math.ceil(month / 3));
    case 'YEAR': return BigInt(year);
    case 'YEAR_MONTH': return BigInt(year * 100 + month);
    default: return assertNever(unit);
  }
}

function extractFromTime(unit: ExtractUnit, value: SqlTime): bigint {
  const sign = value.micros < 0n ? -1n : 1n;
  const micros = value.micros * sign;
  switch (unit) {
    case 'MICROSECOND': return sign * (micros % microsPerSecond);
    case 'SECOND': return sign * ((micros / microsPerSecond) % 60n);
    case 'MINUTE': return sign * ((micros / unitMicros('MINUTE')) % 60n);
    case 'HOUR': return sign * (micros / unitMicros('HOUR'));
    default: throw new TideError('TYPE_MISMATCH', `EXTRACT(${unit} FROM …) needs a date, not a TIME`);
  }
}

// 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
export function weekday(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

// Week numbers in MySQL's modes, from one rule: weeks start on `firstDay` (0 Sunday, 1 Monday);
// week 1 starts on the year's first `firstDay`, or, under the four-day rule (ISO 8601), on the
// `firstDay` of the first week holding 4 days of the year. Days before week 1 are week 0 of
// their year (`wrap` false: modes 0 and 1, %U and %u) or the last week of the year before
// (`wrap` true: modes 2 and 3, %V/%X and %v/%x), which with the four-day rule also moves the
// last days of December into week 1 of the next year.
export interface YearWeek {
  readonly year: number;
  readonly week: number;
}

function weekOneStart(year: number, firstDay: number, fourDays: boolean): number {
  const januaryFirst = daysFromCivil({ year, month: 1, day: 1 });
  const behind = (weekday(januaryFirst) - firstDay + 7) % 7; // days since the week's start
  if (!fourDays) return januaryFirst + ((7 - behind) % 7);
  return januaryFirst - behind + (behind <= 3 ? 0 : 7);
}

export function weekOfYear(days: number, firstDay: number, fourDays: boolean, wrap: boolean): YearWeek {
  let { year } = civilFromDays(days);
  if (wrap && fourDays && days >= weekOneStart(year + 1, firstDay, fourDays)) return { year: year + 1, week: 1 };
  let start = weekOneStart(year, firstDay, fourDays);
  if (days < start) {
    if (!wrap) return { year, week: 0 };
    year -= 1;
    start = weekOneStart(year, firstDay, fourDays);
  }
  return { year, week: Math.floor((days - start) / 7) + 1 };
}

// Mode 0 (%U, EXTRACT(WEEK), WEEK(d)): Sunday first, 0 before the first Sunday.
export function weekOfYearSundayFirst(days: number): number {
  return weekOfYear(days, 0, false, false).week;
}

// Mode 1 (%u): Monday first, week 1 the first with 4 or more days of the year, 0 before it.
export function weekOfYearMondayFirst(days: number): number {
  return weekOfYear(days, 1, true, false).week;
}
