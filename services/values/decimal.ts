// DECIMAL(p,s) as MySQL computes it: exactly. A value is an unscaled bigint and a scale
// (123.45 = 12345 × 10^-2), so every operation is integer arithmetic; no floating point is on
// the path from a literal to a stored or printed value. The scale travels with the value
// because MySQL's text form shows it ("1.50" is not "1.5"): it is the static scale of the
// expression that produced it, which the binder computes with the same rules (`*ResultScale`).
import { assert } from '../base/assert.js';
import { TideError } from '../base/errors.js';
import { decimalDivScaleIncrement, decimalPrecisionMax, decimalScaleMax } from '../base/limits.js';

export class Decimal {
  constructor(
    readonly unscaled: bigint,
    readonly scale: number,
  ) {
    assert(Number.isInteger(scale) && scale >= 0 && scale <= decimalScaleMax, `decimal scale ${scale}`);
  }

  // Digits before the point, at least 1 ("0.5" has one): what a column's p - s must hold.
  integerDigits(): number {
    const digits = abs(this.unscaled).toString().length;
    return Math.max(1, digits - this.scale);
  }

  toString(): string {
    return formatDecimal(this);
  }
}

export interface DecimalType {
  readonly precision: number;
  readonly scale: number;
}

const ten = 10n;

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

// Powers of ten as far as scales and precisions reach, computed once: arithmetic on DECIMALs
// rescales at almost every step, and a bigint power per step was most of a SUM's time.
const powersOfTen: readonly bigint[] = Array.from({ length: 2 * decimalPrecisionMax + 1 }, (_, exponent) => ten ** BigInt(exponent));

function pow10(exponent: number): bigint {
  assert(exponent >= 0);
  return powersOfTen[exponent] ?? ten ** BigInt(exponent);
}

// The column types MySQL accepts: 1 ≤ p ≤ 65, 0 ≤ s ≤ 30, s ≤ p. DECIMAL alone is (10,0).
export function checkDecimalType(precision: number, scale: number): DecimalType {
  const valid = Number.isInteger(precision) && Number.isInteger(scale) && precision >= 1 && precision <= decimalPrecisionMax && scale >= 0 && scale <= decimalScaleMax && scale <= precision;
  if (!valid) {
    throw new TideError('TABLE_DEFINITION_INVALID', `DECIMAL(${precision},${scale}) is not valid: precision 1 to ${decimalPrecisionMax}, scale 0 to ${decimalScaleMax} and at most the precision`);
  }
  return { precision, scale };
}

// --- parsing ------------------------------------------------------------------------------

// MySQL's numeric text: optional sign, digits with an optional point, an optional exponent;
// spaces around it are allowed (as in a string assigned to a DECIMAL column).
const decimalText = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

// Exact: the result has as many fractional digits as the text shows after the exponent is
// applied (capped at decimalScaleMax, past which it rounds), so "1.50" keeps its scale 2.
// Works on the digits as text first, so that a statement-sized literal (half a megabyte of
// digits) is refused or cut before any bigint is built: BigInt() of that many digits alone
// holds the event loop for hundreds of milliseconds.
export function parseDecimal(text: string): Decimal {
  const match = decimalText.exec(text);
  const whole = match?.[2] ?? '';
  const fraction = match?.[3] ?? '';
  if (match === null || whole + fraction === '') throw new TideError('TYPE_MISMATCH', `'${shorten(text)}' is not a decimal number`);
  // A long exponent is ±Infinity here, which every bound below handles.
  const exponent = Number(match[4] ?? '0');
  const scale = Math.min(Math.max(fraction.length - exponent, 0), decimalScaleMax);
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return new Decimal(0n, scale);
  // Where the point falls in `digits`: after pointAt of them (negative: zeros come first).
  const pointAt = whole.length + exponent - (whole.length + fraction.length - digits.length);
  if (pointAt > decimalPrecisionMax) throw outOfRange(text);
  // Rounding half away from zero reads one digit past the scale; later digits cannot matter.
  const kept = digits.slice(0, Math.max(0, pointAt + scale + 1));
  if (kept === '') return new Decimal(0n, scale);
  const unscaled = BigInt(kept) * (match[1] === '-' ? -1n : 1n);
  const keptScale = kept.length - pointAt;
  const value = keptScale <= scale ? new Decimal(unscaled * pow10(scale - keptScale), scale) : roundToScale(unscaled, keptScale, scale);
  return checkedPrecision(value, text);
}

export function decimalFromBigint(value: bigint): Decimal {
  return checkedPrecision(new Decimal(value, 0), value.toString());
}

// A double as MySQL converts one to DECIMAL: through its shortest exact-round-trip text
// (what JS's String gives), so 0.1 becomes 0.1, not 0.1000000000000000055…
export function decimalFromDouble(value: number): Decimal {
  if (!Number.isFinite(value)) throw new TideError('VALUE_OUT_OF_RANGE', `${value} is not a DECIMAL value`);
  return parseDecimal(String(value));
}

// --- formatting and conversions -------------------------------------------------------------

// MySQL's text form: as many fractional digits as the scale, a leading "0" before the point,
// "-" only for values below zero (there is no negative zero: the unscaled value is a bigint).
export function formatDecimal(value: Decimal): string {
  const digits = abs(value.unscaled).toString().padStart(value.scale + 1, '0');
  const sign = value.unscaled < 0n ? '-' : '';
  if (value.scale === 0) return sign + digits;
  const point = digits.length - value.scale;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

export function decimalToDouble(value: Decimal): number {
  // Number() of the text rounds correctly once; dividing two doubles would round twice.
  return Number(formatDecimal(value));
}

// Integer conversion as MySQL's CAST(… AS SIGNED): rounded half away from zero.
export function decimalToBigint(value: Decimal): bigint {
  return roundToScale(value.unscaled, value.scale, 0).unscaled;
}

// --- comparison and arithmetic ----------------------------------------------------------------

// Unscaled values at a common scale: scaling up is exact.
function aligned(left: Decimal, right: Decimal): readonly [bigint, bigint, number] {
  const scale = Math.max(left.scale, right.scale);
  return [left.unscaled * pow10(scale - left.scale), right.unscaled * pow10(scale - right.scale), scale];
}

export function compareDecimals(left: Decimal, right: Decimal): number {
  const [a, b] = aligned(left, right);
  return a < b ? -1 : a > b ? 1 : 0;
}

export function addDecimals(left: Decimal, right: Decimal): Decimal {
  const [a, b, scale] = aligned(left, right);
  return checkedPrecision(new Decimal(a + b, scale), 'the sum');
}

export function subtractDecimals(left: Decimal, right: Decimal): Decimal {
  const [a, b, scale] = aligned(left, right);
  return checkedPrecision(new Decimal(a - b, scale), 'the difference');
}

// Scale s1 + s2, as in MySQL, up to decimalScaleMax; past it the product is cut to that scale
// (MySQL's decimal_mul truncates there rather than rounding).
export function multiplyDecimals(left: Decimal, right: Decimal): Decimal {
  const product = left.unscaled * right.unscaled;
  const scale = left.scale + right.scale;
  const value = scale <= decimalScaleMax ? new Decimal(product, scale) : new Decimal(product / pow10(scale - decimalScaleMax), decimalScaleMax);
  return checkedPrecision(value, 'the product');
}

// MySQL's `/` on decimals: the quotient at the dividend's scale plus div_precision_increment
// (4), at most decimalScaleMax, rounded half away from zero. Division by zero is SQL NULL (the
// caller decides whether strict mode turns it into an error for a write).
// MySQL computes the quotient in base-10^9 words first: cut (not rounded) after
// s1 + s2 + increment fractional digits taken up to a whole word, then rounded to the result
// scale. So when that cut falls exactly at the result scale (s2 = 0 and s1 + 4 a multiple of 9,
// e.g. 0.06684 / 77) the answer is truncated, not rounded; TideDB gives MySQL's answer.
// `to`: the scale to round to (an expression's static scale may differ from the dividend's +
// 4 when the dividend was itself a quotient kept unrounded), or 'unrounded' for a quotient that
// is an operand of more arithmetic: kept as cut, as MySQL keeps it until the expression's root.
export function divideDecimals(left: Decimal, right: Decimal, to: number | 'unrounded' = divResultScale(left.scale)): Decimal | null {
  if (right.unscaled === 0n) return null;
  const scale = to === 'unrounded' ? divResultScale(left.scale) : to;
  const wordDigits = 9;
  const cutScale = Math.max(scale, Math.ceil((left.scale + right.scale + decimalDivScaleIncrement) / wordDigits) * wordDigits);
  // left / right = (l / 10^ls) / (r / 10^rs); as an unscaled value at cutScale:
  // l × 10^(cutScale - ls + rs) / r, truncated; the exponent is never negative.
  const numerator = left.unscaled * pow10(cutScale - left.scale + right.scale);
  const cut = numerator / right.unscaled;
  if (to !== 'unrounded') return checkedPrecision(roundToScale(cut, cutScale, scale), 'the quotient');
  const kept = Math.min(cutScale, decimalScaleMax);
  return checkedPrecision(new Decimal(cut / pow10(cutScale - kept), kept), 'the quotient');
}

export function divResultScale(dividendScale: number): number {
  return Math.min(dividendScale + decimalDivScaleIncrement, decimalScaleMax);
}

// Integer division rounded half away from zero.
function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = abs(numerator);
  const d = abs(denominator);
  let quotient = n / d;
  if ((n % d) * 2n >= d) quotient += 1n;
  return negative ? -quotient : quotient;
}

// `unscaled × 10^-from` at scale `to`, rounded half away from zero when `to < from`.
function roundToScale(unscaled: bigint, from: number, to: number): Decimal {
  if (to >= from) return new Decimal(unscaled * pow10(to - from), to);
  return new Decimal(divideRounded(unscaled, pow10(from - to)), to);
}

// ROUND(x, d) with a constant d, as MySQL types it: for d ≥ 0 the result has scale d (up to
// decimalScaleMax), so ROUND(1.5, 3) is 1.500; with a negative d the scale is 0 and the last
// -d integer digits become zeros.
export function roundDecimal(value: Decimal, digits: number): Decimal {
  assert(Number.isInteger(digits));
  if (digits >= 0) return roundToScale(value.unscaled, value.scale, Math.min(digits, decimalScaleMax));
  // Past every digit a DECIMAL can hold the answer is 0; stopping here also keeps 10^-d small.
  if (digits < -decimalPrecisionMax) return new Decimal(0n, 0);
  const step = pow10(-digits);
  return checkedPrecision(new Decimal(divideRounded(value.unscaled, pow10(value.scale) * step) * step, 0), 'the rounded value');
}

// A value assigned to a DECIMAL(p,s) column, as MySQL's strict mode does: excess fractional
// digits round half away from zero (a note, not an error), and a value whose integer part
// needs more than p - s digits after that rounding is VALUE_OUT_OF_RANGE.
export function fitDecimal(value: Decimal, type: DecimalType, columnName: string): Decimal {
  const fitted = roundToScale(value.unscaled, value.scale, type.scale);
  if (abs(fitted.unscaled) >= pow10(type.precision)) {
    throw new TideError('VALUE_OUT_OF_RANGE', `value ${shorten(formatDecimal(value))} is out of range for DECIMAL(${type.precision},${type.scale}) column '${columnName}'`);
  }
  return fitted;
}

// --- static result types, the same rules the values above follow ---------------------------

// MySQL's result precision for + and -: the wider integer part, one digit of carry, the wider
// scale; for *: the sum of both; for /: the dividend's integer digits, the divisor's scale and
// the scale rule above. Each is capped at the maximum precision.
export function sumType(left: DecimalType, right: DecimalType): DecimalType {
  const scale = Math.max(left.scale, right.scale);
  const integer = Math.max(left.precision - left.scale, right.precision - right.scale) + 1;
  return { precision: Math.min(integer + scale, decimalPrecisionMax), scale };
}

export function productType(left: DecimalType, right: DecimalType): DecimalType {
  const scale = Math.min(left.scale + right.scale, decimalScaleMax);
  return { precision: Math.min(left.precision + right.precision, decimalPrecisionMax), scale };
}

export function quotientType(left: DecimalType, right: DecimalType): DecimalType {
  const scale = divResultScale(left.scale);
  const integer = left.precision - left.scale + right.scale;
  return { precision: Math.min(integer + scale, decimalPrecisionMax), scale };
}

// --- errors ----------------------------------------------------------------------------------

// A DECIMAL holds at most decimalPrecisionMax digits: arithmetic past it is an error (strict
// mode), never a silent loss of digits.
function checkedPrecision(value: Decimal, what: string): Decimal {
  if (abs(value.unscaled) >= pow10(decimalPrecisionMax)) throw outOfRange(what);
  return value;
}

function outOfRange(what: string): TideError {
  return new TideError('VALUE_OUT_OF_RANGE', `DECIMAL value ${shorten(what)} is out of range (more than ${decimalPrecisionMax} digits)`);
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
