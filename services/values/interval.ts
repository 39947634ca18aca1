// MySQL's `INTERVAL expr unit` as one number: calendar months (MONTH, QUARTER, YEAR, YEAR_MONTH)
// or microseconds (every other unit), which is what date arithmetic adds (temporal-arithmetic.ts).
// Composite units take a string of digit groups, as MySQL reads them: any non-digits separate
// the groups, a leading '-' negates the whole, missing groups are the leftmost ones
// ('5' DAY_MINUTE is 5 minutes), and the MICROSECOND group is a fraction of a second
// ('1.5' SECOND_MICROSECOND is 1.5 s). More groups than the unit has, or a value past any
// date, is NULL.
import { microsPerDay, microsPerSecond } from './temporal.js';

export const intervalUnits = ['MICROSECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const;
export type IntervalUnit = (typeof intervalUnits)[number];

export const compositeIntervalUnits = [
  'SECOND_MICROSECOND', 'MINUTE_MICROSECOND', 'MINUTE_SECOND', 'HOUR_MICROSECOND', 'HOUR_SECOND', 'HOUR_MINUTE',
  'DAY_MICROSECOND', 'DAY_SECOND', 'DAY_MINUTE', 'DAY_HOUR', 'YEAR_MONTH',
] as const;
export type CompositeIntervalUnit = (typeof compositeIntervalUnits)[number];

export type Interval =
  | { readonly kind: 'months'; readonly months: bigint }
  // `days`: whole days only (a DATE plus it stays a DATE); `fractional`: it names microseconds,
  // so a DATETIME result shows 6 fractional digits.
  | { readonly kind: 'micros'; readonly micros: bigint; readonly days: boolean; readonly fractional: boolean };

const microsPerUnit: Readonly<Record<Exclude<IntervalUnit, 'MONTH' | 'QUARTER' | 'YEAR'>, bigint>> = {
  MICROSECOND: 1n,
  SECOND: microsPerSecond,
  MINUTE: 60n * microsPerSecond,
  HOUR: 3600n * microsPerSecond,
  DAY: microsPerDay,
  WEEK: 7n * microsPerDay,
};

const monthsPerUnit: Readonly<Record<'MONTH' | 'QUARTER' | 'YEAR', bigint>> = { MONTH: 1n, QUARTER: 3n, YEAR: 12n };

export function isMonthUnit(unit: IntervalUnit): unit is 'MONTH' | 'QUARTER' | 'YEAR' {
  return unit === 'MONTH' || unit === 'QUARTER' || unit === 'YEAR';
}

export function unitMicros(unit: Exclude<IntervalUnit, 'MONTH' | 'QUARTER' | 'YEAR'>): bigint {
  return microsPerUnit[unit];
}

export function unitMonths(unit: 'MONTH' | 'QUARTER' | 'YEAR'): bigint {
  return monthsPerUnit[unit];
}

export function intervalOf(amount: bigint, unit: IntervalUnit): Interval {
  if (isMonthUnit(unit)) return { kind: 'months', months: amount * monthsPerUnit[unit] };
  return { kind: 'micros', micros: amount * microsPerUnit[unit], days: unit === 'DAY' || unit === 'WEEK', fractional: unit === 'MICROSECOND' };
}

// The simple units each composite unit is made of, most significant first.
const fieldsOf: Readonly<Record<CompositeIntervalUnit, readonly IntervalUnit[]>> = {
  SECOND_MICROSECOND: ['SECOND', 'MICROSECOND'],
  MINUTE_MICROSECOND: ['MINUTE', 'SECOND', 'MICROSECOND'],
  MINUTE_SECOND: ['MINUTE', 'SECOND'],
  HOUR_MICROSECOND: ['HOUR', 'MINUTE', 'SECOND', 'MICROSECOND'],
  HOUR_SECOND: ['HOUR', 'MINUTE', 'SECOND'],
  HOUR_MINUTE: ['HOUR', 'MINUTE'],
  DAY_MICROSECOND: ['DAY', 'HOUR', 'MINUTE', 'SECOND', 'MICROSECOND'],
  DAY_SECOND: ['DAY', 'HOUR', 'MINUTE', 'SECOND'],
  DAY_MINUTE: ['DAY', 'HOUR', 'MINUTE'],
  DAY_HOUR: ['DAY', 'HOUR'],
  YEAR_MONTH: ['YEAR', 'MONTH'],
};

// Digits beyond these cannot name a date in years 1–9999 in any unit (10^18 µs is 31,000
// years); refusing them first keeps a statement-sized group from becoming a huge bigint.
const groupDigitsMax = 18;

export function parseCompositeInterval(text: string, unit: CompositeIntervalUnit): Interval | null {
  const fields = fieldsOf[unit];
  const groups = text.match(/\d+/g) ?? [];
  if (groups.length > fields.length) return null;
  const negative = /^\s*-/.test(text);
  // Missing groups are the leftmost fields.
  const offset = fields.length - groups.length;
  let months = 0n;
  let micros = 0n;
  for (const [at, group] of groups.entries()) {
    const field = fields[offset + at]!;
    if (field === 'MICROSECOND') {
      micros += BigInt(group.slice(0, 6).padEnd(6, '0'));
      continue;
    }
    const digits = group.replace(/^0+(?=\d)/, '');
    if (digits.length > groupDigitsMax) return null;
    if (isMonthUnit(field)) months += BigInt(digits) * monthsPerUnit[field];
    else micros += BigInt(digits) * microsPerUnit[field];
  }
  const sign = negative ? -1n : 1n;
  if (unit === 'YEAR_MONTH') return { kind: 'months', months: sign * months };
  return { kind: 'micros', micros: sign * micros, days: false, fractional: fields.includes('MICROSECOND') };
}
