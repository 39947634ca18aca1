// Scalar functions of the MySQL dialect, over evaluated arguments. NULL in gives NULL out unless
// the function is about NULLs (COALESCE, IFNULL, ISNULL, IF, IS TRUE …). Names are upper case.
// Numeric and NULL functions are here; string and JSON ones in their own modules beside it.
import { TideError } from '../base/errors.js';
import type { Value } from '../storage/types.js';
import { strict } from './function-def.js';
import type { FunctionArity, FunctionDef } from './function-def.js';
import { clockFunctionArity, temporalFunctions } from './temporal-functions.js';
import { castValue, compareValues, toNumeric, truth } from './values.js';
import { Decimal, roundDecimal } from '../values/decimal.js';
import { jsonFunctions } from './json-functions.js';
import { stringFunctions } from './string-functions.js';

function numeric(value: Exclude<Value, null>): bigint | number {
  return toNumeric(value);
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

const numberAndNullFunctions: Readonly<Record<string, FunctionDef>> = {
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
};

const functions: Readonly<Record<string, FunctionDef>> = { ...numberAndNullFunctions, ...stringFunctions, ...jsonFunctions };

export function scalarFunctionArity(name: string): FunctionArity | undefined {
  return functions[name] ?? temporalFunctions[name] ?? clockFunctionArity(name);
}

export function callFunction(name: string, args: readonly Value[]): Value {
  const definition = functions[name] ?? temporalFunctions[name];
  if (definition === undefined) throw new TideError('SQL_UNSUPPORTED', `function ${name}() is not supported yet`);
  return definition.fn(args);
}
