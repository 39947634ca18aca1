// How DECIMAL and date/time values meet each other and the primitives in comparisons and
// arithmetic, as MySQL converts them (values.ts asks here first, and keeps the rules of the
// primitives). The values themselves and their exact operations live in services/values.
//
// - A DECIMAL against an integer, a boolean or another DECIMAL compares and computes exactly.
//   A double meeting a DECIMAL is read by its shortest decimal text (decimalFromDouble), so
//   that a literal such as 0.1 — a double in this engine — stays the exact 0.1 that MySQL's
//   decimal literal is; MySQL would compute in double when the operand is a DOUBLE column,
//   which can differ past the 15th significant digit.
// - A date or time against text reads the text as a value of its kind (DATE and DATETIME as a
//   DATETIME, TIME as a TIME); text that is no such value compares as text, as MySQL does.
//   Against a number it is its number (20230704, 20230704102030, 102030), as in MySQL.
import { Decimal, addDecimals, compareDecimals, decimalFromBigint, decimalFromDouble, decimalToDouble, divideDecimals, formatDecimal, multiplyDecimals, parseDecimal, subtractDecimals } from '../values/decimal.js';
import { SqlDate, SqlDateTime, SqlTime, compareTemporal, formatDate, formatDateTime, formatTime, parseDateTime, parseTime, splitDateTime } from '../values/temporal.js';
import type { TemporalValue } from '../values/temporal.js';
import type { Value } from '../storage/types.js';
import { TideError } from '../base/errors.js';

type Present = Exclude<Value, null>;

export function isValueClass(value: Present): value is Decimal | TemporalValue {
  return value instanceof Decimal || isTemporal(value);
}

export function isTemporal(value: Present): value is TemporalValue {
  return value instanceof SqlDate || value instanceof SqlDateTime || value instanceof SqlTime;
}

// The text a DECIMAL or temporal value reads as (CONCAT, LIKE, a text column).
export function valueClassText(value: Decimal | TemporalValue): string {
  if (value instanceof Decimal) return formatDecimal(value);
  if (value instanceof SqlDate) return formatDate(value);
  if (value instanceof SqlDateTime) return formatDateTime(value);
  return formatTime(value);
}

// --- comparison ---------------------------------------------------------------------------------

// Three-way comparison when either side is a DECIMAL or a temporal value.
export function compareValueClasses(left: Present, right: Present): number {
  if (isTemporal(left) || isTemporal(right)) return compareTemporalWith(left, right);
  const a = exactOrNull(left);
  const b = exactOrNull(right);
  if (a !== null && b !== null) return compareDecimals(a, b);
  // A DECIMAL against text that is a number compares exactly (MariaDB does so for
  // '9223372036854775808' against a BIGINT UNSIGNED); other text compares as a double.
  const [textA, textB] = [a ?? decimalOfText(left), b ?? decimalOfText(right)];
  if (textA !== null && textB !== null) return compareDecimals(textA, textB);
  return compareNumbers(numericOf(left), numericOf(right));
}

function compareTemporalWith(left: Present, right: Present): number {
  if (isTemporal(left) && isTemporal(right)) {
    if (left instanceof SqlTime === right instanceof SqlTime) return compareTemporal(left, right);
    // A TIME against a date: MySQL puts the TIME on today's date, which needs a clock a
    // statement does not read; their texts compare instead, which orders within each kind.
    return compareStrings(valueClassText(left), valueClassText(right));
  }
  if (typeof left === 'string' || typeof right === 'string') {
    const [temporal, text, sign] = isTemporal(left) ? [left, right as string, 1] : [right as TemporalValue, left as string, -1];
    const read = readAs(temporal, text);
    return sign * (read === null ? compareStrings(valueClassText(temporal), text) : compareTemporal(temporal, read));
  }
  return compareNumbers(numericOf(left), numericOf(right));
}

function readAs(temporal: TemporalValue, text: string): TemporalValue | null {
  try {
    return temporal instanceof SqlTime ? parseTime(text, 6) : parseDateTime(text, 6);
  } catch (error) {
    if (error instanceof TideError) return null;
    throw error;
  }
}

function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function compareNumbers(left: number | bigint, right: number | bigint): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

// An exact DECIMAL for a value that has one: integers, booleans, DECIMALs, and finite doubles
// by their shortest text (a double past DECIMAL's 65 digits has none).
function exactOrNull(value: Present): Decimal | null {
  if (value instanceof Decimal) return value;
  if (typeof value === 'bigint') return new Decimal(value, 0);
  if (typeof value === 'boolean') return new Decimal(value ? 1n : 0n, 0);
  if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 1e60) return decimalFromDouble(value);
  return null;
}

// The exact number a value is, its text read exactly ('1.005' is 1.005, not the double
// nearest it), or null for a value with no exact reading (text that is not a plain number).
export function exactDecimalOf(value: Present): Decimal | null {
  return exactOrNull(value) ?? decimalOfText(value);
}

function decimalOfText(value: Present): Decimal | null {
  if (typeof value !== 'string' || !exactNumberText.test(value)) return null;
  try {
    return parseDecimal(value);
  } catch (error) {
    // More digits than a DECIMAL holds: compared as a double instead.
    if (error instanceof TideError) return null;
    throw error;
  }
}

// Digits with an optional point, within a DECIMAL's 65 digits: what parseDecimal reads exactly.
const exactNumberText = /^\s*[+-]?(?=\d|\.\d)\d{0,65}(?:\.\d{0,30})?\s*$/;

// The number a value is in a numeric context: a DECIMAL as a double (callers that need it exact
// ask exactOrNull first), a date or time as MySQL's digits (20230704, 20230704102030.5, 102030).
export function numericOf(value: Present): number | bigint {
  if (typeof value === 'bigint' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (value instanceof Decimal) return decimalToDouble(value);
  if (isTemporal(value)) return temporalNumber(value);
  const parsed = Number.parseFloat(value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : String(value));
  return Number.isNaN(parsed) ? 0 : parsed;
}

function temporalNumber(value: TemporalValue): number | bigint {
  if (value instanceof SqlDate) return BigInt(formatDate(value).replaceAll('-', ''));
  // A negative TIME keeps its sign (-01:30:00 is -13000); only separators go.
  const negative = value instanceof SqlTime && value.micros < 0n;
  const text = value instanceof SqlDateTime ? formatDateTime(new SqlDateTime(value.micros, 6)) : formatTime(new SqlTime(negative ? -value.micros : value.micros, 6));
  const digits = text.replace(/[-: ]/g, '');
  const fraction = value instanceof SqlDateTime ? splitDateTime(value).timeMicros % 1_000_000n : (negative ? -value.micros : value.micros) % 1_000_000n;
  const sign = negative ? -1 : 1;
  return fraction === 0n ? BigInt(sign) * BigInt(digits.replace(/\..*$/, '')) : sign * Number(digits);
}

// --- arithmetic ---------------------------------------------------------------------------------

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%' | 'DIV';

// Exact arithmetic when one side is a DECIMAL and the other has an exact value; undefined when
// the operation is the primitives' (a double, text or a temporal value on either side).
export function decimalArithmetic(operator: ArithmeticOperator, left: Present, right: Present): Value | undefined {
  if (!(left instanceof Decimal) && !(right instanceof Decimal)) return undefined;
  const a = exactOrNull(left);
  const b = exactOrNull(right);
  if (a === null || b === null) return undefined;
  switch (operator) {
    case '+': return addDecimals(a, b);
    case '-': return subtractDecimals(a, b);
    case '*': return multiplyDecimals(a, b);
    case '/': return divideDecimals(a, b);
    case '%': return remainderDecimals(a, b);
    case 'DIV': return b.unscaled === 0n ? null : integerQuotient(a, b);
  }
}

// `/` over exact numbers, as MySQL divides DECIMALs (values/decimal.ts divideDecimals): when an
// operand is a DECIMAL, or both are integers of exact types (`integersExact`); undefined when
// the quotient is a double's. `to` as divideDecimals takes it (absent: the dividend's scale + 4).
export function decimalQuotient(left: Present, right: Present, integersExact: boolean, to?: number | 'unrounded'): Decimal | null | undefined {
  const integers = integersExact && typeof left === 'bigint' && typeof right === 'bigint';
  if (!integers && !(left instanceof Decimal) && !(right instanceof Decimal)) return undefined;
  const a = exactOrNull(left);
  const b = exactOrNull(right);
  if (a === null || b === null) return undefined;
  return divideDecimals(a, b, to);
}

// MySQL's % on decimals: the sign of the dividend, the larger scale.
function remainderDecimals(left: Decimal, right: Decimal): Decimal | null {
  if (right.unscaled === 0n) return null;
  const scale = Math.max(left.scale, right.scale);
  const a = left.unscaled * 10n ** BigInt(scale - left.scale);
  const b = right.unscaled * 10n ** BigInt(scale - right.scale);
  return new Decimal(a % b, scale);
}

// DIV: the quotient truncated toward zero, an integer.
function integerQuotient(left: Decimal, right: Decimal): bigint {
  const scale = Math.max(left.scale, right.scale);
  const a = left.unscaled * 10n ** BigInt(scale - left.scale);
  const b = right.unscaled * 10n ** BigInt(scale - right.scale);
  return a / b;
}

// A DECIMAL for an integer, for sums that meet a DECIMAL.
export function decimalOf(value: bigint | Decimal): Decimal {
  return value instanceof Decimal ? value : decimalFromBigint(value);
}
