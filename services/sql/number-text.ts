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
  const digits = exact === null ? Number(toNumeric(value)).toFixed(places) : formatDecimal(roundDecimal(exact, places));
  const [whole = '', fraction] = digits.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const grouped = whole.replace('-', '').replace(/\B(?=(\d{3})+$)/g, ',');
  return fraction === undefined ? sign + grouped : `${sign}${grouped}.${fraction}`;
}

// HEX of a number: the integer it rounds to, as 64-bit two's complement (-1 is sixteen Fs).
export function hexOfNumber(value: Exclude<Value, null>): string {
  const exact = exactOf(value);
  const rounded = exact === null ? (Number(toNumeric(value)) < 0 ? -1n : (1n << 64n) - 1n) : roundDecimal(exact, 0).unscaled;
  return BigInt.asUintN(64, rounded).toString(16).toUpperCase();
}
