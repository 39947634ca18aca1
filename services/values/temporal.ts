// DATE, TIME, DATETIME and TIMESTAMP values: what they are, MySQL's literal forms (strict: an
// invalid date is an error, never a zero date), MySQL's text form, and comparison.
//
// Each is one number on a line, because that is what sorts, subtracts and encodes simply:
// - DATE: days since 1970-01-01 in the proleptic Gregorian calendar (a JS number; ±3 million
//   days covers years 1–9999). DATEDIFF is a subtraction; a key part is 4 bytes.
// - DATETIME and TIMESTAMP: microseconds since 1970-01-01 00:00:00 UTC (bigint: year 9999 is
//   2.5e17 µs, past 2^53). TideDB's session time zone is UTC, so a TIMESTAMP is its UTC
//   instant and the two share a class; the column type keeps TIMESTAMP's narrower range.
// - TIME: signed microseconds (bigint for the same arithmetic as DATETIME), ±838:59:59.999999.
// The fractional-seconds precision (fsp, 0–6) travels with the value, as a DECIMAL's scale
// does, because the text form shows it ("10:00:00.500" for fsp 3); comparison ignores it.
import { assert } from '../base/assert.js';
import { TideError } from '../base/errors.js';
import { fractionalSecondsDigitsMax } from '../base/limits.js';

export class SqlDate {
  constructor(readonly days: number) {
    assert(Number.isInteger(days) && days >= dateDaysMin && days <= dateDaysMax, `date days ${days}`);
  }

  toString(): string {
    return formatDate(this);
  }
}

export class SqlDateTime {
  constructor(
    readonly micros: bigint,
    readonly fsp: number,
  ) {
    assert(micros >= dateTimeMicrosMin && micros <= dateTimeMicrosMax, `datetime micros ${micros}`);
    assertFsp(fsp);
  }

  toString(): string {
    return formatDateTime(this);
  }
}

export class SqlTime {
  constructor(
    readonly micros: bigint,
    readonly fsp: number,
  ) {
    assert(micros >= -timeMicrosMax && micros <= timeMicrosMax, `time micros ${micros}`);
    assertFsp(fsp);
  }

  toString(): string {
    return formatTime(this);
  }
}

export type TemporalValue = SqlDate | SqlDateTime | SqlTime;

function assertFsp(fsp: number): void {
  assert(Number.isInteger(fsp) && fsp >= 0 && fsp <= fractionalSecondsDigitsMax, `fsp ${fsp}`);
}

export const microsPerSecond = 1_000_000n;
export const microsPerDay = 86_400n * microsPerSecond;

// --- the calendar -------------------------------------------------------------------------

export interface CivilDate {
  readonly year: number;
  readonly month: number; // 1–12
  readonly day: number; // 1–31
}

// Days since 1970-01-01 of a proleptic Gregorian date, counting in 400-year eras that start on
// March 1st, so that the leap day is the last day of its year and needs no special case.
export function daysFromCivil({ year, month, day }: CivilDate): number {
  const marchYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(marchYear / 400);
  const yearOfEra = marchYear - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

export function civilFromDays(days: number): CivilDate {
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153); // 0 = March
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

// The years a value may have: 0001 to 9999. MySQL also takes year 0000 but counts it as a
// common year (its day numbers are not the proleptic calendar's there, and MariaDB's
// DATE_FORMAT refuses it), so TideDB refuses it rather than give other answers.
export const yearMin = 1;
export const yearMax = 9999;
export const dateDaysMin = daysFromCivil({ year: yearMin, month: 1, day: 1 });
export const dateDaysMax = daysFromCivil({ year: yearMax, month: 12, day: 31 });
export const dateTimeMicrosMin = BigInt(dateDaysMin) * microsPerDay;
export const dateTimeMicrosMax = BigInt(dateDaysMax + 1) * microsPerDay - 1n;
export const timeMicrosMax = (838n * 3600n + 59n * 60n + 59n) * microsPerSecond;
// TIMESTAMP is a 32-bit count of seconds in MySQL: 1970-01-01 00:00:01 to 2038-01-19 03:14:07.999999 UTC.
export const timestampMicrosMin = microsPerSecond;
export const timestampMicrosMax = (2n ** 31n - 1n) * microsPerSecond + microsPerSecond - 1n;

// The date and time of day of a DATETIME.
export function splitDateTime(value: SqlDateTime): { readonly days: number; readonly timeMicros: bigint } {
  const days = floorDiv(value.micros, microsPerDay);
  return { days: Number(days), timeMicros: value.micros - days * microsPerDay };
}

export function floorDiv(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  return numerator % denominator !== 0n && numerator < 0n !== denominator < 0n ? quotient - 1n : quotient;
}

export function dateTimeOfDate(date: SqlDate): SqlDateTime {
  return new SqlDateTime(BigInt(date.days) * microsPerDay, 0);
}

export function dateOfDateTime(value: SqlDateTime): SqlDate {
  return new SqlDate(splitDateTime(value).days);
}

// --- parsing ----------------------------------------------------------------------------------

function invalid(kind: string, text: string): TideError {
  return new TideError('DATETIME_INVALID', `incorrect ${kind} value: '${text.length > 40 ? `${text.slice(0, 40)}…` : text}'`);
}

// A two-digit year as MySQL reads it: 70–99 are 1970–1999, 00–69 are 2000–2069.
function fullYear(digits: string): number {
  const year = Number(digits);
  return digits.length > 2 ? year : year < 70 ? 2000 + year : 1900 + year;
}

function checkedDays(year: number, month: number, day: number, kind: string, text: string): number {
  if (year < yearMin || year > yearMax || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw invalid(kind, text);
  return daysFromCivil({ year, month, day });
}

// A time of day or a TIME's hours, minutes, seconds and fraction, in microseconds rounded to
// `fsp` digits (MySQL rounds a longer fraction, half up; the carry may reach the next second).
function timeMicros(hours: number, minutes: number, seconds: number, fraction: string, fsp: number): bigint {
  assertFsp(fsp);
  const whole = BigInt(((hours * 60 + minutes) * 60 + seconds) * 1_000_000);
  const digits = fraction.padEnd(fsp + 1, '0');
  let kept = BigInt(digits.slice(0, fsp) || '0');
  if (digits.charCodeAt(fsp) >= '5'.charCodeAt(0)) kept += 1n;
  return whole + kept * 10n ** BigInt(6 - fsp);
}

// Dates: YYYY-MM-DD or YY-MM-DD with any punctuation between parts (MySQL's relaxed form), or
// digits alone: YYYYMMDD[HHMMSS] or YYMMDD[HHMMSS], the year's width told by the count.
const delimitedDate = /^(\d{1,4})[\p{P}\p{S}](\d{1,2})[\p{P}\p{S}](\d{1,2})/u;
const compactDates = { 2: /^(\d{2})(\d{2})(\d{2})/, 4: /^(\d{4})(\d{2})(\d{2})/ } as const;
// After the date of a DATETIME: 'T' or spaces, then hours, minutes and seconds with any
// punctuation, or HHMMSS without delimiters, and an optional fraction after a point.
const delimitedClock = /^(?:T|\s+)(\d{1,2})[\p{P}\p{S}](\d{1,2})(?:[\p{P}\p{S}](\d{1,2}))?(?:\.(\d*))?$/u;
const compactClock = /^(\d{2})(\d{2})(\d{2})(?:\.(\d*))?$/;

interface DateTimeParts {
  readonly days: number;
  readonly clock: readonly [number, number, number, string] | null;
}

function dateTimeParts(text: string, kind: string): DateTimeParts {
  const trimmed = text.trim();
  const delimited = delimitedDate.exec(trimmed);
  const digitCount = /^\d*/.exec(trimmed)![0].length;
  const compact = delimited === null ? compactDates[digitCount === 6 || digitCount === 12 ? 2 : 4].exec(trimmed) : null;
  const date = delimited ?? compact;
  if (date === null) throw invalid(kind, text);
  const days = checkedDays(fullYear(date[1]!), Number(date[2]), Number(date[3]), kind, text);
  const rest = trimmed.slice(date[0].length);
  if (rest === '') return { days, clock: null };
  const clock = (delimited !== null ? delimitedClock : compactClock).exec(rest);
  if (clock === null) throw invalid(kind, text);
  const [hours, minutes, seconds] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? '0')];
  if (hours > 23 || minutes > 59 || seconds > 59) throw invalid(kind, text);
  return { days, clock: [hours, minutes, seconds, clock[4] ?? ''] };
}

// A DATE from its text; a time after the date is dropped, as MySQL does (with a note).
export function parseDate(text: string): SqlDate {
  return new SqlDate(dateTimeParts(text, 'DATE').days);
}

// A DATETIME (or TIMESTAMP) of `fsp` digits from its text; a date alone is at midnight.
export function parseDateTime(text: string, fsp: number): SqlDateTime {
  const { days, clock } = dateTimeParts(text, 'DATETIME');
  const micros = BigInt(days) * microsPerDay + (clock === null ? 0n : timeMicros(...clock, fsp));
  // Rounding the fraction may carry past 9999-12-31 23:59:59.
  if (micros > dateTimeMicrosMax) throw invalid('DATETIME', text);
  return new SqlDateTime(micros, fsp);
}

// TIME: [-][D ]HH:MM[:SS][.f], or digits read from the right as [[H…H]MM]SS[.f].
const delimitedTime = /^([+-]?)(?:(\d+)\s+)?(\d+):(\d{1,2})(?::(\d{1,2}))?(?:\.(\d*))?$/;
const compactTime = /^([+-]?)(\d+)(?:\.(\d*))?$/;

export function parseTime(text: string, fsp: number): SqlTime {
  const trimmed = text.trim();
  let sign: string;
  let hours: number;
  let minutes: number;
  let seconds: number;
  let fraction: string;
  const delimited = delimitedTime.exec(trimmed);
  if (delimited !== null) {
    sign = delimited[1]!;
    hours = Number(delimited[2] ?? '0') * 24 + Number(delimited[3]);
    [minutes, seconds, fraction] = [Number(delimited[4]), Number(delimited[5] ?? '0'), delimited[6] ?? ''];
  } else {
    const compact = compactTime.exec(trimmed);
    if (compact === null) throw invalid('TIME', text);
    sign = compact[1]!;
    // Read from the right: two digits are seconds, four MMSS, more HH…MMSS.
    const digits = compact[2]!.padStart(6, '0');
    [hours, minutes, seconds, fraction] = [Number(digits.slice(0, -4)), Number(digits.slice(-4, -2)), Number(digits.slice(-2)), compact[3] ?? ''];
  }
  if (minutes > 59 || seconds > 59) throw invalid('TIME', text);
  // Well formed but past ±838:59:59: a SELECT's CAST clamps it with a warning in MySQL; a
  // strict write refuses it, and so does TideDB everywhere.
  const magnitude = hours > 838 ? timeMicrosMax + 1n : timeMicros(hours, minutes, seconds, fraction, fsp);
  if (magnitude > timeMicrosMax) throw new TideError('DATETIME_INVALID', `TIME value '${text.length > 40 ? `${text.slice(0, 40)}…` : text}' is out of range (±838:59:59)`);
  return new SqlTime(sign === '-' ? -magnitude : magnitude, fsp);
}

// Numbers as MySQL reads them in a temporal context: 20230115 is a date, 20230115103000 a
// datetime (YYYYMMDDHHMMSS), and for TIME 103000 is 10:30:00.
export function dateTimeFromInteger(value: bigint, fsp: number): SqlDateTime {
  const digits = value.toString();
  if (![6, 8, 12, 14].includes(digits.length)) throw invalid('DATETIME', digits);
  return parseDateTime(digits, fsp);
}

export function timeFromInteger(value: bigint, fsp: number): SqlTime {
  return parseTime(value.toString(), fsp);
}

// --- formatting -------------------------------------------------------------------------------

function pad(value: number | bigint, width: number): string {
  return value.toString().padStart(width, '0');
}

function fractionText(micros: bigint, fsp: number): string {
  if (fsp === 0) return '';
  return `.${pad(micros, 6).slice(0, fsp)}`;
}

export function formatDate(value: SqlDate): string {
  const { year, month, day } = civilFromDays(value.days);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function formatClock(micros: bigint, fsp: number, hourWidth: number): string {
  const seconds = micros / microsPerSecond;
  return `${pad(seconds / 3600n, hourWidth)}:${pad((seconds / 60n) % 60n, 2)}:${pad(seconds % 60n, 2)}${fractionText(micros % microsPerSecond, fsp)}`;
}

export function formatDateTime(value: SqlDateTime): string {
  const { days, timeMicros: clock } = splitDateTime(value);
  return `${formatDate(new SqlDate(days))} ${formatClock(clock, value.fsp, 2)}`;
}

export function formatTime(value: SqlTime): string {
  const sign = value.micros < 0n ? '-' : '';
  return sign + formatClock(value.micros < 0n ? -value.micros : value.micros, value.fsp, 2);
}

// --- fitting a value to a column and comparing ----------------------------------------------

// A value with fewer fractional digits, rounded half up as MySQL does on assignment (so
// 23:59:59.9 into DATETIME(0) is the next day).
function roundMicros(micros: bigint, fsp: number): bigint {
  const unit = 10n ** BigInt(6 - fsp);
  const remainder = ((micros % unit) + unit) % unit;
  const floor = micros - remainder;
  return remainder * 2n >= unit ? floor + unit : floor;
}

export function fitDateTime(value: SqlDateTime, fsp: number, timestamp: boolean, columnName: string): SqlDateTime {
  assertFsp(fsp);
  const micros = roundMicros(value.micros, fsp);
  const [min, max] = timestamp ? [timestampMicrosMin, timestampMicrosMax] : [dateTimeMicrosMin, dateTimeMicrosMax];
  if (micros < min || micros > max) {
    throw new TideError('DATETIME_INVALID', `${formatDateTime(value)} is out of range for ${timestamp ? 'TIMESTAMP' : 'DATETIME'} column '${columnName}'`);
  }
  return new SqlDateTime(micros, fsp);
}

export function fitTime(value: SqlTime, fsp: number, columnName: string): SqlTime {
  assertFsp(fsp);
  // A TIME rounds its magnitude (-00:00:01.5 becomes -00:00:02), as its text reads.
  const micros = value.micros < 0n ? -roundMicros(-value.micros, fsp) : roundMicros(value.micros, fsp);
  if (micros < -timeMicrosMax || micros > timeMicrosMax) throw new TideError('DATETIME_INVALID', `${formatTime(value)} is out of range for TIME column '${columnName}'`);
  return new SqlTime(micros, fsp);
}

// Values of one class compare by their number; a DATE against a DATETIME compares as the
// date's midnight, as MySQL does. A TIME against a date is for the caller to convert first
// (MySQL puts the TIME on the current date, which needs a clock this module does not read).
export function compareTemporal(left: TemporalValue, right: TemporalValue): number {
  const [a, b] = [ordinal(left, right), ordinal(right, left)];
  return a < b ? -1 : a > b ? 1 : 0;
}

function ordinal(value: TemporalValue, other: TemporalValue): bigint {
  if (value instanceof SqlDate) return other instanceof SqlDate ? BigInt(value.days) : BigInt(value.days) * microsPerDay;
  if (value instanceof SqlTime !== other instanceof SqlTime) throw new TideError('TYPE_MISMATCH', 'a TIME is compared with a date; convert one of them first');
  return value.micros;
}
