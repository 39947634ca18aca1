// Scalar functions of the MySQL dialect, over evaluated arguments. NULL in gives NULL out unless
// the function is about NULLs (COALESCE, IFNULL, ISNULL, IF, IS TRUE …). Names are upper case.
import { TideError } from '../base/errors.js';
import { stringResultCharsMax } from '../base/limits.js';
import type { Value } from '../storage/types.js';
import { strict } from './function-def.js';
import type { FunctionDef } from './function-def.js';
import { clockFunctionArity, temporalFunctions } from './temporal-functions.js';
import { castValue, compareValues, textOf, toNumeric, truth } from './values.js';
import { Decimal, roundDecimal } from '../values/decimal.js';
import { JsonDocument, jsonExtract, jsonUnquote, parseJsonDocument } from '../values/json-document.js';


function numeric(value: Exclude<Value, null>): bigint | number {
  return toNumeric(value);
}

function text(value: Exclude<Value, null>): string {
  return textOf(value);
}

// A JSON function's document argument: a JSON value, or text that must parse as one (3140).
function jsonDocumentOf(value: Exclude<Value, null>): JsonDocument {
  return value instanceof JsonDocument ? value : parseJsonDocument(text(value));
}

function integer(value: Exclude<Value, null>): number {
  const number = Number(numeric(value));
  return Number.isFinite(number) ? Math.round(number) : 0;
}

// Half away from zero to `digits` places, as MySQL rounds exact numbers.
function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  const scaled = Math.abs(value) * factor;
  // Correct for binary representation (2.675 is 2.67499…): round the decimal text instead.
  const rounded = Math.round(Number(scaled.toPrecision(15)));
  return (Math.sign(value) * rounded) / factor;
}

function round(args: readonly Exclude<Value, null>[]): Value {
  const digits = args.length > 1 ? integer(args[1]!) : 0;
  // A DECIMAL rounds exactly, half away from zero, to scale max(digits, 0).
  if (args[0] instanceof Decimal) return roundDecimal(args[0], digits);
  const value = numeric(args[0]!);
  if (typeof value === 'bigint') {
    if (digits >= 0) return value;
    const factor = 10n ** BigInt(-digits);
    const half = factor / 2n;
    const magnitude = value < 0n ? -value : value;
    const rounded = ((magnitude + half) / factor) * factor;
    return value < 0n ? -rounded : rounded;
  }
  return roundTo(value, digits);
}

function floorOrCeil(value: Exclude<Value, null>, up: boolean): Value {
  if (value instanceof Decimal) {
    const whole = value.unscaled / 10n ** BigInt(value.scale);
    const remainder = value.unscaled - whole * 10n ** BigInt(value.scale);
    return remainder === 0n ? whole : up === remainder > 0n ? whole + (up ? 1n : -1n) : whole;
  }
  const number = numeric(value);
  if (typeof number === 'bigint') return number;
  const result = up ? Math.ceil(number) : Math.floor(number);
  return Number.isSafeInteger(result) ? BigInt(result) : result;
}

function extreme(args: readonly Exclude<Value, null>[], sign: 1 | -1): Value {
  let best = args[0]!;
  for (const arg of args.slice(1)) if (compareValues(arg, best) * sign > 0) best = arg;
  return best;
}

// SUBSTRING(s, pos[, len]): positions count from 1, a negative one from the end; 0 gives ''.
function substring(args: readonly Exclude<Value, null>[]): Value {
  const chars = [...text(args[0]!)];
  const position = integer(args[1]!);
  const length = args.length > 2 ? integer(args[2]!) : chars.length;
  if (position === 0 || length <= 0) return '';
  const start = position > 0 ? position - 1 : chars.length + position;
  if (start < 0 || start >= chars.length) return '';
  return chars.slice(start, start + length).join('');
}

const functions: Readonly<Record<string, FunctionDef>> = {
  ABS: strict(1, 1, ([value]) => {
    if (value instanceof Decimal) return value.unscaled < 0n ? new Decimal(-value.unscaled, value.scale) : value;
    const number = numeric(value!);
    return typeof number === 'bigint' ? (number < 0n ? -number : number) : Math.abs(number);
  }),
  SIGN: strict(1, 1, ([value]) => {
    const number = Number(numeric(value!));
    return BigInt(Math.sign(number));
  }),
  MOD: strict(2, 2, ([left, right]) => {
    const a = numeric(left!);
    const b = numeric(right!);
    if (typeof a === 'bigint' && typeof b === 'bigint') return b === 0n ? null : a % b;
    return Number(b) === 0 ? null : Number(a) % Number(b);
  }),
  ROUND: strict(1, 2, round),
  FLOOR: strict(1, 1, ([value]) => floorOrCeil(value!, false)),
  CEIL: strict(1, 1, ([value]) => floorOrCeil(value!, true)),
  CEILING: strict(1, 1, ([value]) => floorOrCeil(value!, true)),
  SQRT: strict(1, 1, ([value]) => {
    const number = Number(numeric(value!));
    return number < 0 ? null : Math.sqrt(number);
  }),
  POWER: strict(2, 2, ([base, exponent]) => Number(numeric(base!)) ** Number(numeric(exponent!))),
  POW: strict(2, 2, ([base, exponent]) => Number(numeric(base!)) ** Number(numeric(exponent!))),
  GREATEST: strict(2, Infinity, (args) => extreme(args, 1)),
  LEAST: strict(2, Infinity, (args) => extreme(args, -1)),
  COALESCE: { min: 1, max: Infinity, fn: (args) => args.find((arg) => arg !== null) ?? null },
  IFNULL: { min: 2, max: 2, fn: ([value, otherwise]) => (value !== null ? value! : otherwise ?? null) },
  NULLIF: { min: 2, max: 2, fn: ([left, right]) => (left !== null && right !== null && compareValues(left!, right!) === 0 ? null : left ?? null) },
  IF: { min: 3, max: 3, fn: ([condition, then, otherwise]) => (truth(condition ?? null) === true ? then ?? null : otherwise ?? null) },
  ISNULL: { min: 1, max: 1, fn: ([value]) => (value === null ? 1n : 0n) },
  IS_TRUE: { min: 1, max: 1, fn: ([value]) => truth(value ?? null) === true },
  IS_FALSE: { min: 1, max: 1, fn: ([value]) => truth(value ?? null) === false },
  BIT_NOT: strict(1, 1, ([value]) => {
    // MySQL's ~ works on 64-bit unsigned integers (its argument as CAST … AS SIGNED reads it, a
    // negative one in two's complement): an integer up to 2^64 - 1, which the MySQL protocol
    // announces UNSIGNED past the signed range.
    return BigInt.asUintN(64, ~(castValue(value!, 'SIGNED') as bigint));
  }),
  LENGTH: strict(1, 1, ([value]) => BigInt(value instanceof Uint8Array ? value.byteLength : Buffer.byteLength(text(value!), 'utf8'))),
  CHAR_LENGTH: strict(1, 1, ([value]) => BigInt([...text(value!)].length)),
  CHARACTER_LENGTH: strict(1, 1, ([value]) => BigInt([...text(value!)].length)),
  UPPER: strict(1, 1, ([value]) => text(value!).toUpperCase()),
  UCASE: strict(1, 1, ([value]) => text(value!).toUpperCase()),
  LOWER: strict(1, 1, ([value]) => text(value!).toLowerCase()),
  LCASE: strict(1, 1, ([value]) => text(value!).toLowerCase()),
  CONCAT: strict(1, Infinity, (args) => args.map(text).join('')),
  CONCAT_WS: { min: 2, max: Infinity, fn: ([separator, ...rest]) => (separator === null || separator === undefined ? null : rest.filter((arg) => arg !== null).map((arg) => text(arg!)).join(text(separator))) },
  SUBSTRING: strict(2, 3, substring),
  SUBSTR: strict(2, 3, substring),
  LEFT: strict(2, 2, ([value, count]) => [...text(value!)].slice(0, Math.max(0, integer(count!))).join('')),
  RIGHT: strict(2, 2, ([value, count]) => {
    const chars = [...text(value!)];
    const take = Math.max(0, integer(count!));
    return take === 0 ? '' : chars.slice(-take).join('');
  }),
  TRIM: strict(1, 1, ([value]) => text(value!).replace(/^ +| +$/g, '')),
  LTRIM: strict(1, 1, ([value]) => text(value!).replace(/^ +/, '')),
  RTRIM: strict(1, 1, ([value]) => text(value!).replace(/ +$/, '')),
  REVERSE: strict(1, 1, ([value]) => [...text(value!)].reverse().join('')),
  REPEAT: strict(2, 2, ([value, count]) => repeated(text(value!), integer(count!))),
  SPACE: strict(1, 1, ([count]) => repeated(' ', integer(count!))),
  LPAD: strict(3, 3, ([value, length, pad]) => padded(text(value!), integer(length!), text(pad!), 'left')),
  RPAD: strict(3, 3, ([value, length, pad]) => padded(text(value!), integer(length!), text(pad!), 'right')),
  REPLACE: strict(3, 3, ([value, from, to]) => (text(from!) === '' ? text(value!) : text(value!).split(text(from!)).join(text(to!)))),
  // JSON_EXTRACT of one path (MySQL's several-path form, an array of the parts, is not read yet).
  JSON_EXTRACT: strict(2, 2, ([document, path]) => jsonExtract(jsonDocumentOf(document!), text(path!))),
  JSON_UNQUOTE: strict(1, 1, ([document]) => jsonUnquote(document instanceof JsonDocument ? document : new JsonDocument(text(document!)))),
  JSON_VALID: strict(1, 1, ([document]) => {
    if (document instanceof JsonDocument) return true;
    try {
      parseJsonDocument(text(document!));
      return true;
    } catch {
      return false;
    }
  }),
  INSTR: strict(2, 2, ([value, part]) => {
    const at = text(value!).indexOf(text(part!));
    // Positions count characters from 1, not UTF-16 units.
    return at < 0 ? 0n : BigInt([...text(value!).slice(0, at)].length + 1);
  }),
};

// `part` `times` times; NULL past stringResultCharsMax, as MySQL answers NULL past
// max_allowed_packet rather than build the string.
function repeated(part: string, times: number): string | null {
  if (times <= 0 || part === '') return '';
  return part.length * times > stringResultCharsMax ? null : part.repeat(times);
}

// `value` cut or padded to `length` characters with `pad` on one side; NULL for a negative
// length, for padding needed but none given, or past stringResultCharsMax.
function padded(value: string, length: number, pad: string, side: 'left' | 'right'): string | null {
  if (length < 0 || length > stringResultCharsMax) return null;
  const chars = [...value];
  if (chars.length >= length) return chars.slice(0, length).join('');
  const padChars = [...pad];
  if (padChars.length === 0) return null;
  const needed = length - chars.length;
  const fill = Array.from({ length: needed }, (_, at) => padChars[at % padChars.length]).join('');
  return side === 'left' ? fill + value : value + fill;
}

export function scalarFunctionArity(name: string): { readonly min: number; readonly max: number } | undefined {
  return functions[name] ?? temporalFunctions[name] ?? clockFunctionArity(name);
}

export function callFunction(name: string, args: readonly Value[]): Value {
  const definition = functions[name] ?? temporalFunctions[name];
  if (definition === undefined) throw new TideError('SQL_UNSUPPORTED', `function ${name}() is not supported yet`);
  return definition.fn(args);
}
