// Numbers written as text by the string functions: FORMAT's grouped digits and HEX of a number.
// Both round half away from zero from the number's decimal digits, so that the literal 1.005,
// a double here but a DECIMAL in MySQL, formats to 2 places as 1.01 as it does there.
import type { Value } from '../storage/types.js';
import { Decimal, decimalFromBigint, decimalFromDouble, formatDecimal, roundDecimal } from '../values/decimal.js';
import { toNumeric } from './values.js';

// MySQL's FORMAT(x, d) holds at most 30 fractional digits.
const formatDecimalsMax = 30;

export function isNumeric(value: Exclude<Value, null>): value is bigint | number | boolean | Decimal {
  return typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Decimal;
}

// The value as a DECIMAL, or null for a double past what a DECIMAL holds.
function exactOf(value: Exclude<Value, null>): Decimal | null {
  if (value instanceof Decimal) return value;
  const number = typeof value === 'boolean' ? BigInt(value) : toNumeric(value);
  if (typeof number === 'bigint') return decimalFromBigint(number);
  try {
    return decimalFromDouble(number);
  } catch {
    return null;
  }
}

// FORMAT(x, d): x rounded to d places (0 to 30), its integer digits grouped by commas.
export function formatNumber(value: Exclude<Value, null>, decimals: number): string {
  const places = Math.min(Math.max(decimals, 0), formatDecimalsMax);
  const exact = exactOf(value);
  const digits = exact === null ? doubleDigits(Number(toNumeric(value)), places) : formatDecimal(roundDecimal(exact, places));
  const [whole = '', fraction] = digits.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const grouped = whole.replace('-', '').replace(/\B(?=(\d{3})+$)/g, ',');
  return fraction === undefined ? sign + grouped : `${sign}${grouped}.${fraction}`;
}

// A double's digits at `places` decimals. toFixed writes an exponent from 1e21 on, where a
// double is a whole number: its shortest digits then, zeros after them (1e70 is a 1 and 70 zeros).
function doubleDigits(number: number, places: number): string {
  if (!Number.isFinite(number) || Math.abs(number) < 1e21) return number.toFixed(places);
  const [mantissa = '', exponent = '0'] = Math.abs(number).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const whole = digits + '0'.repeat(Number(exponent) - (digits.length - 1));
  return `${number < 0 ? '-' : ''}${whole}${places > 0 ? `.${'0'.repeat(places)}` : ''}`;
}

// HEX of a number: the integer it rounds to, as 64-bit two's complement (-1 is sixteen Fs); one
// past the 64-bit range, either way, is sixteen Fs too, as MySQL saturates it.
export function hexOfNumber(value: Exclude<Value, null>): string {
  const exact = exactOf(value);
  const rounded = exact === null ? (Number(toNumeric(value)) < 0 ? -1n : (1n << 64n) - 1n) : roundDecimal(exact, 0).unscaled;
  const inRange = rounded >= -(1n << 63n) && rounded < 1n << 64n;
  return inRange ? BigInt.asUintN(64, rounded).toString(16).toUpperCase() : 'FFFFFFFFFFFFFFFF';
}
