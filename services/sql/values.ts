// SQL value semantics in the MySQL dialect, as far as TideDB supports it: assigning a value to a
// column (with its checks), comparing values, and arithmetic. Integers are bigint throughout.
import { TideError } from '../base/errors.js';
import { decimalScaleMax } from '../base/limits.js';
import { holdsUnsignedBigint, integerRangeOf, integerRanges } from '../storage/types.js';
import type { ColumnDef, Value } from '../storage/types.js';
import { compareGeneralCi } from '../values/collation.js';
import { assignToColumn } from '../values/column-assignment.js';
import type { CastTarget } from './plan.js';
import { castTemporal } from './temporal-functions.js';
import { compareValueClasses, decimalArithmetic, decimalQuotient, exactDecimalOf, isValueClass, numericOf, valueClassText } from './value-classes.js';
import { Decimal, decimalFromDouble, decimalToBigint, roundDecimal } from '../values/decimal.js';
import type { DecimalType } from '../values/decimal.js';
import { JsonDocument, parseJsonDocument } from '../values/json-document.js';

const { min: bigintMin, max: bigintMax } = integerRanges.BIGINT;
const textBytesMax = 65_535;

// Converts a value to what `column` stores, or says why it cannot: the same rules for INSERT
// and UPDATE, so a stored row always satisfies its table's definition.
export function coerceToColumn(column: ColumnDef, value: Value): Value {
  if (value === null) {
    if (!column.nullable) throw new TideError('NOT_NULL_VIOLATION', `column '${column.name}' cannot be null`);
    return null;
  }
  switch (column.type) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'MEDIUMINT':
    case 'INT':
    case 'BIGINT': {
      const integer = checkRange(column, toInteger(column, value), integerRangeOf(column.type, column));
      // BIGINT UNSIGNED holds Decimals of scale 0 (storage/types.ts, holdsUnsignedBigint).
      return holdsUnsignedBigint(column) ? new Decimal(integer, 0) : integer;
    }
    case 'DOUBLE':
      return toDouble(column, value);
    case 'CHAR':
      // MySQL pads a CHAR with spaces to its length and strips trailing spaces when it reads
      // one back, so what a client gets is the value without them; storing that is the same
      // answer. Trailing spaces past the length are dropped, not refused (as in MySQL, in
      // strict mode too): only other characters make a value too long.
      return checkLength(column, toText(column, value).replace(/ +$/, ''));
    case 'VARCHAR':
    case 'TEXT':
      return checkLength(column, toText(column, value));
    case 'BOOLEAN':
      return toBoolean(column, value);
    case 'BINARY':
    case 'VARBINARY':
    case 'BLOB':
      return checkBytes(column, toBytes(column, value));
    case 'JSON':
      // As MySQL: a document or text that parses as JSON; a number or boolean needs a CAST.
      if (value instanceof JsonDocument) return value;
      if (typeof value === 'string') return parseJsonDocument(value);
      throw new TideError('JSON_INVALID', `a JSON column '${column.name}' takes JSON text, not ${describe(value)}`);
    default:
      return assignToColumn(column as ColumnDef & { readonly type: typeof column.type }, value);
  }
}

function mismatch(column: ColumnDef, value: Value): TideError {
  return new TideError('TYPE_MISMATCH', `${describe(value)} is not a valid ${column.type} for column '${column.name}'`);
}

function describe(value: Value): string {
  return typeof value === 'string' ? `string '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'` : `${typeof value === 'bigint' ? 'integer' : typeof value} ${String(value)}`;
}

function toInteger(column: ColumnDef, value: Value): bigint {
  if (typeof value === 'bigint') return value;
  // Rounded half away from zero, as MySQL assigns a DECIMAL to an integer column.
  if (value instanceof Decimal) return decimalToBigint(value);
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw mismatch(column, value);
    // MySQL rounds a fractional value assigned to an integer column, half away from zero.
    return BigInt(Math.sign(value) * Math.round(Math.abs(value)));
  }
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return BigInt(value.trim());
  throw mismatch(column, value);
}

function checkRange(column: ColumnDef, value: bigint, { min, max }: { readonly min: bigint; readonly max: bigint }): bigint {
  if (value < min || value > max) {
    throw new TideError('VALUE_OUT_OF_RANGE', `value ${value} is out of range for ${column.type}${column.unsigned === true ? ' UNSIGNED' : ''} column '${column.name}'`);
  }
  return value;
}

function toDouble(column: ColumnDef, value: Value): number {
  const double = toDoubleUnchecked(column, value);
  if (!Number.isFinite(double)) throw new TideError('VALUE_OUT_OF_RANGE', `DOUBLE value is out of range for column '${column.name}'`);
  return double;
}

function toDoubleUnchecked(column: ColumnDef, value: Value): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw mismatch(column, value);
}

function toText(column: ColumnDef, value: Exclude<Value, null>): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  // A lone surrogate has no UTF-8 form: keys and stored rows would each replace it differently.
  if (typeof value === 'string' && !value.isWellFormed()) throw new TideError('TYPE_MISMATCH', `a string for column '${column.name}' holds a lone surrogate (not valid Unicode)`);
  // Bytes into a text column must be UTF-8 (MySQL's 1366 otherwise).
  if (value instanceof Uint8Array) return utf8Text(column, value);
  return String(value);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8Text(column: ColumnDef, value: Uint8Array): string {
  try {
    return strictUtf8.decode(value);
  } catch {
    throw new TideError('TYPE_MISMATCH', `bytes for column '${column.name}' are not valid UTF-8`);
  }
}

// A value's text as string functions, LIKE and CAST(… AS CHAR) read it: bytes as UTF-8 (bad
// sequences replaced), DECIMAL and dates in MySQL's text form.
export function textOf(value: Exclude<Value, null>): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  return isValueClass(value) ? valueClassText(value) : String(value);
}

function checkLength(column: ColumnDef, value: string): string {
  const tooLong = column.length === null ? Buffer.byteLength(value, 'utf8') > textBytesMax : [...value].length > column.length;
  if (tooLong) throw new TideError('VALUE_TOO_LONG', `value is too long for column '${column.name}'`);
  return value;
}

// Bytes as given, or a value's text in UTF-8 (as MySQL stores a string in a binary column).
function toBytes(column: ColumnDef, value: Exclude<Value, null>): Uint8Array {
  return value instanceof Uint8Array ? value : Buffer.from(toText(column, value), 'utf8');
}

// BINARY(n) is padded with zero bytes to n, as MySQL stores it; VARBINARY(n) holds n bytes at
// most and BLOB 65,535.
function checkBytes(column: ColumnDef, value: Uint8Array): Uint8Array {
  const max = column.length ?? textBytesMax;
  if (value.byteLength > max) throw new TideError('VALUE_TOO_LONG', `value is too long for column '${column.name}' (${value.byteLength} bytes, at most ${max})`);
  if (column.type !== 'BINARY' || value.byteLength === max) return value;
  const padded = Buffer.alloc(max);
  padded.set(value);
  return padded;
}

function toBoolean(column: ColumnDef, value: Value): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'number' && Number.isFinite(value)) return value !== 0;
  throw mismatch(column, value);
}

// --- comparison and arithmetic ------------------------------------------------------------

// Three-way comparison of two non-null values, MySQL style: numbers (and booleans, which are
// TINYINT there) compare numerically; a string against a number compares as numbers; two
// strings compare by code point (utf8mb4_bin), or by their sort keys under utf8mb4_general_ci.
export function compareValues(left: Exclude<Value, null>, right: Exclude<Value, null>, collation?: 'utf8mb4_general_ci'): number {
  if (typeof left === 'string' && typeof right === 'string') return collation === undefined ? compareCodePoints(left, right) : compareGeneralCi(left, right);
  // Bytes compare as bytes (a binary comparison, as MySQL's), the other side as its UTF-8 text.
  if (left instanceof Uint8Array || right instanceof Uint8Array) return Buffer.compare(bytesOf(left), bytesOf(right));
  // A JSON scalar compares as the SQL value it is ('"x"' = 'x', '5' = 5); an object or an
  // array by its text.
  if (left instanceof JsonDocument || right instanceof JsonDocument) return compareValues(jsonScalarOf(left), jsonScalarOf(right));
  if (isValueClass(left) || isValueClass(right)) return compareValueClasses(left, right);
  const a = typeof left === 'string' && typeof right === 'bigint' ? integerTextOrNumber(left) : toNumeric(left);
  const b = typeof right === 'string' && typeof left === 'bigint' ? integerTextOrNumber(right) : toNumeric(right);
  return a < b ? -1 : a > b ? 1 : 0;
}

// Text beside a BIGINT: the integer it spells, exactly, as MariaDB compares it (clients send
// 64-bit ids as text, and beyond 2^53 a double is not the integer); any other text as the
// number it starts with.
function integerTextOrNumber(text: string): bigint | number {
  return integerOfText(text) ?? toNumeric(text);
}

// The integer a text spells whole (blanks around it allowed), or null: what compares exactly
// with an integer column, and so may be looked up as its key (select/access-path.ts).
export function integerOfText(text: string): bigint | null {
  return integerText.test(text) ? BigInt(text.trim()) : null;
}

const integerText = /^\s*[+-]?\d{1,30}\s*$/;

function jsonScalarOf(value: Exclude<Value, null>): Exclude<Value, null | JsonDocument> {
  if (!(value instanceof JsonDocument)) return value;
  const parsed: unknown = JSON.parse(value.text);
  if (typeof parsed === 'string' || typeof parsed === 'boolean') return parsed;
  if (typeof parsed === 'number') return Number.isSafeInteger(parsed) ? BigInt(parsed) : parsed;
  return value.text;
}

function bytesOf(value: Exclude<Value, null>): Uint8Array {
  return value instanceof Uint8Array ? value : Buffer.from(textOf(value), 'utf8');
}

// Code-point order, which is also the order of the UTF-8 bytes in primary keys. JS `<` compares
// UTF-16 units, which puts code points above U+FFFF (surrogate pairs, 0xD800-0xDFFF) below
// U+E000..U+FFFF; the first differing unit is shifted to restore code-point order.
export function compareCodePoints(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let at = 0; at < length; at++) {
    let a = left.charCodeAt(at);
    let b = right.charCodeAt(at);
    if (a === b) continue;
    if (a >= 0xd800 && b >= 0xd800) {
      a = a >= 0xe000 ? a - 0x800 : a + 0x2000;
      b = b >= 0xe000 ? b - 0x800 : b + 0x2000;
    }
    return a < b ? -1 : 1;
  }
  return left.length === right.length ? 0 : left.length < right.length ? -1 : 1;
}

// The number a value is in arithmetic: a DECIMAL as a double here (its exact operations are in
// value-classes.ts), a date or time as MySQL's digits.
export function toNumeric(value: Exclude<Value, null>): bigint | number {
  return numericOf(value);
}

export function arithmetic(operator: '+' | '-' | '*' | '/' | '%' | 'DIV', left: Exclude<Value, null>, right: Exclude<Value, null>): Value {
  const exact = decimalArithmetic(operator, left, right);
  if (exact !== undefined) return exact;
  const a = toNumeric(left);
  const b = toNumeric(right);
  if (operator === '/') {
    // Division yields a decimal in MySQL; division by zero yields NULL.
    return Number(b) === 0 ? null : Number(a) / Number(b);
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    switch (operator) {
      case '+': return checkedBigint(a + b);
      case '-': return checkedBigint(a - b);
      case '*': return checkedBigint(a * b);
      case '%': return b === 0n ? null : a % b;
      case 'DIV': return b === 0n ? null : checkedBigint(a / b);
    }
  }
  const x = Number(a);
  const y = Number(b);
  switch (operator) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    case '%': return y === 0 ? null : x % y;
    case 'DIV': {
      if (y === 0) return null;
      const quotient = Math.trunc(x / y);
      if (!Number.isFinite(quotient)) throw new TideError('VALUE_OUT_OF_RANGE', 'DIV result is out of range');
      return checkedBigint(BigInt(quotient));
    }
  }
}

// `/`: NULL for a zero divisor (as MySQL without ERROR_FOR_DIVISION_BY_ZERO in a SELECT).
// Exact operands give MySQL a DECIMAL with `scale` digits after the point (`scale` null: an
// operand is a double). An `intermediate` quotient, an operand of more arithmetic, is left
// unrounded for the expression's root to round: cut as MySQL cuts a decimal one, a double's in
// a double.
export function divide(left: Exclude<Value, null>, right: Exclude<Value, null>, scale: number | null, intermediate = false): Value {
  // A DECIMAL operand divides exactly; so do two integers of exact types, so that 7/2 is 3.5000
  // and a quotient of 64-bit integers keeps every digit.
  const exact = decimalQuotient(left, right, scale !== null, intermediate ? 'unrounded' : (scale ?? undefined));
  if (exact !== undefined) return exact;
  const divisor = Number(toNumeric(right));
  if (divisor === 0) return null;
  const quotient = Number(toNumeric(left)) / divisor;
  return scale === null || intermediate ? quotient : exactResult(quotient, scale);
}

// The root of exact arithmetic as MySQL's DECIMAL of the expression's scale: computed in doubles
// (a literal with a point is held as a double) or as a DECIMAL of another scale (a quotient kept
// unrounded below it), 1.50 + 1 is 2.50 and 1/3*3 is 1.0000. A double beyond what a DECIMAL
// holds stays the double it is.
export function exactResult(value: number | Decimal, scale: number): Value {
  if (value instanceof Decimal) return value.scale === scale ? value : roundDecimal(value, scale);
  if (!Number.isFinite(value) || Math.abs(value) >= exactResultMax) return value;
  return roundDecimal(decimalFromDouble(value), Math.min(scale, decimalScaleMax));
}

// Well inside DECIMAL's 65 digits, with room for the scale.
const exactResultMax = 1e30;

// CAST(value AS target) for the targets TideDB has: integers take a string's leading digits
// and round a double half away from zero, as MySQL does; a DECIMAL(p,s) is exact, rounded half
// away from zero to s digits and held to the largest value p digits write (MySQL's CAST clamps
// there with a warning rather than failing); DATE, DATETIME and TIME read their argument as the
// date functions do (temporal-functions.ts), NULL when it is none.
export function castValue(value: Exclude<Value, null>, target: CastTarget, decimal: DecimalType = plainDecimal, fsp = 0): Value {
  switch (target) {
    case 'SIGNED':
    case 'UNSIGNED': {
      const integer = castInteger(value);
      return target === 'UNSIGNED' && integer < 0n ? BigInt.asUintN(64, integer) : integer;
    }
    case 'DOUBLE':
      return Number(toNumeric(value));
    case 'DECIMAL':
      return castDecimal(value, decimal);
    case 'CHAR':
      return textOf(value);
    case 'DATE':
    case 'DATETIME':
    case 'TIME':
      return castTemporal(value, target, fsp);
  }
}

const plainDecimal: DecimalType = { precision: 10, scale: 0 };

function castDecimal(value: Exclude<Value, null>, type: DecimalType): Decimal {
  const largest = 10n ** BigInt(type.precision) - 1n;
  const double = Number(toNumeric(value));
  // A double too large for a DECIMAL's digits is past any precision's largest value.
  const number = exactDecimalOf(value) ?? (Math.abs(double) < 1e60 ? decimalFromDouble(double) : new Decimal(double < 0 ? -largest : largest, type.scale));
  const rounded = roundDecimal(number, type.scale);
  if (rounded.unscaled > largest) return new Decimal(largest, type.scale);
  if (rounded.unscaled < -largest) return new Decimal(-largest, type.scale);
  return rounded;
}

function castInteger(value: Exclude<Value, null>): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'string') {
    const digits = /^\s*[+-]?\d+/.exec(value);
    if (digits !== null && !/^\s*[+-]?\d+[.eE]/.test(value)) return BigInt(digits[0].trim());
  }
  const number = Number(toNumeric(value));
  if (!Number.isFinite(number)) return 0n;
  return BigInt(Math.sign(number) * Math.round(Math.abs(number)));
}

function checkedBigint(value: bigint): bigint {
  if (value < bigintMin || value > bigintMax) throw new TideError('VALUE_OUT_OF_RANGE', `BIGINT value ${value} is out of range`);
  return value;
}

// True, false or unknown (null) as WHERE and the logical operators see a value.
export function truth(value: Value): boolean | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'number') return value !== 0;
  if (value instanceof Decimal) return value.unscaled !== 0n;
  // A date or time is its number (20230704), never zero here: TideDB refuses zero dates.
  if (typeof value === 'object') return Number(numericOf(value)) !== 0;
  const parsed = Number.parseFloat(value);
  return !Number.isNaN(parsed) && parsed !== 0;
}
