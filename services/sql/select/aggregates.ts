// Accumulators of the aggregate functions, one per group and call. NULL arguments are skipped;
// an aggregate over no values is NULL, except COUNT (0). SUM of integers stays exact (bigint),
// as MySQL's DECIMAL sum does; anything else sums as doubles.
import { assertNever } from '../../base/assert.js';
import type { Value } from '../../storage/types.js';
import { castValue, compareValues, textOf, toNumeric } from '../values.js';
import { callFunction } from '../functions.js';
import { decimalOf } from '../value-classes.js';
import { Decimal, addDecimals, decimalFromBigint, divideDecimals } from '../../values/decimal.js';
import type { AggregateCall } from './logical-plan.js';
import type { Expr, OrderTerm } from '../plan.js';
import { compareByTerms } from './top-rows.js';
import { valueKey } from './value-key.js';
import { generalCiKeyValue } from './collation-rules.js';

export interface Accumulator {
  // `keys`: the row's values of the call's rowExprs, if it has any.
  add(value: Value, keys?: readonly Value[]): void;
  result(): Value;
}

// What a call reads of each row beside its argument, handed to `add` as its keys: GROUP_CONCAT's
// ORDER BY terms, JSON_OBJECTAGG's value.
export function rowExprs(call: AggregateCall): readonly Expr[] | undefined {
  return call.value !== undefined ? [call.value] : call.order?.map((term) => term.expr);
}

export function newAccumulator(call: AggregateCall): Accumulator {
  const inner = plainAccumulator(call);
  return call.distinct ? new DistinctValues(inner, call.collation) : inner;
}

function plainAccumulator(call: AggregateCall): Accumulator {
  switch (call.fn) {
    case 'COUNT':
      return call.arg === null ? new CountRows() : new CountValues();
    case 'SUM':
      return new Sum();
    case 'AVG':
      return new Average(call.scale);
    case 'MIN':
      return new Extreme(-1, call.collation);
    case 'MAX':
      return new Extreme(1, call.collation);
    case 'GROUP_CONCAT':
      return call.order === undefined ? new Concat(call.separator) : new OrderedConcat(call.order, call.separator);
    case 'STDDEV_POP':
    case 'STDDEV_SAMP':
    case 'VAR_POP':
    case 'VAR_SAMP':
      return new Spread(call.fn);
    case 'BIT_AND':
    case 'BIT_OR':
    case 'BIT_XOR':
      return new Bits(call.fn);
    case 'JSON_ARRAYAGG':
      return new JsonArray();
    case 'JSON_OBJECTAGG':
      return new JsonObject();
    default:
      return assertNever(call.fn);
  }
}

// Each distinct value once: the set is keyed as GROUP BY keys are (strings under general_ci by
// their sort keys, the first of equal ones kept).
class DistinctValues implements Accumulator {
  private readonly seen = new Set<string>();
  constructor(
    private readonly inner: Accumulator,
    private readonly collation: 'utf8mb4_general_ci' | undefined,
  ) {}
  add(value: Value, keys?: readonly Value[]): void {
    if (value === null) return;
    const key = valueKey(this.collation === undefined ? value : generalCiKeyValue(value));
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.inner.add(value, keys);
  }
  result(): Value {
    return this.inner.result();
  }
}

// COUNT(*) is handed a non-NULL marker per row by the operator.
class CountRows implements Accumulator {
  private count = 0n;
  add(): void {
    this.count++;
  }
  result(): Value {
    return this.count;
  }
}

class CountValues implements Accumulator {
  private count = 0n;
  add(value: Value): void {
    if (value !== null) this.count++;
  }
  result(): Value {
    return this.count;
  }
}

// Integers sum exactly as bigint, DECIMALs exactly as a DECIMAL (an integer among them joins
// it); a double or text anywhere makes the sum a double, as in MySQL.
class Sum implements Accumulator {
  private exact: bigint | Decimal | null = null;
  private double: number | null = null;
  add(value: Value): void {
    if (value === null) return;
    if (this.double === null && (value instanceof Decimal || (this.exact instanceof Decimal && typeof value === 'bigint'))) {
      this.exact = addDecimals(decimalOf(this.exact ?? 0n), decimalOf(value as bigint | Decimal));
      return;
    }
    const number = toNumeric(value);
    if (typeof number === 'bigint' && this.double === null && !(this.exact instanceof Decimal)) {
      this.exact = ((this.exact as bigint | null) ?? 0n) + number;
      return;
    }
    this.double = (this.double ?? (this.exact === null ? 0 : Number(toNumeric(this.exact)))) + Number(number);
    this.exact = null;
  }
  result(): Value {
    return this.double ?? this.exact;
  }
}

class Average implements Accumulator {
  private readonly sum = new Sum();
  private count = 0;
  constructor(private readonly scale: number | null) {}
  add(value: Value): void {
    if (value === null) return;
    this.sum.add(value);
    this.count++;
  }
  result(): Value {
    const sum = this.sum.result();
    if (sum === null || this.count === 0) return null;
    // The average of integers and of DECIMALs is an exact DECIMAL, at their scale + 4 (MySQL's
    // div_precision_increment): AVG over 7 is 7.0000.
    if (sum instanceof Decimal) return divideDecimals(sum, decimalFromBigint(BigInt(this.count)));
    if (typeof sum === 'bigint' && this.scale !== null) return divideDecimals(decimalFromBigint(sum), decimalFromBigint(BigInt(this.count)));
    const average = Number(sum) / this.count;
    return this.scale === null ? average : Number(average.toFixed(Math.min(this.scale, 100)));
  }
}

class Extreme implements Accumulator {
  private best: Value = null;
  constructor(
    private readonly sign: 1 | -1,
    private readonly collation: 'utf8mb4_general_ci' | undefined,
  ) {}
  add(value: Value): void {
    if (value === null) return;
    if (this.best === null || compareValues(value, this.best, this.collation) * this.sign > 0) this.best = value;
  }
  result(): Value {
    return this.best;
  }
}

class Concat implements Accumulator {
  private parts: string[] | null = null;
  constructor(private readonly separator = ',') {}
  add(value: Value): void {
    if (value === null) return;
    (this.parts ??= []).push(textOf(value));
  }
  result(): Value {
    return this.parts === null ? null : this.parts.join(this.separator);
  }
}

// GROUP_CONCAT … ORDER BY: the values in the order of their rows' keys, NULLs first as ORDER BY
// sorts them, equal keys in the rows' order (a stable sort).
class OrderedConcat implements Accumulator {
  private readonly parts: { readonly text: string; readonly keys: readonly Value[] }[] = [];
  constructor(
    private readonly order: readonly OrderTerm[],
    private readonly separator = ',',
  ) {}
  add(value: Value, keys: readonly Value[] = []): void {
    if (value !== null) this.parts.push({ text: textOf(value), keys });
  }
  result(): Value {
    if (this.parts.length === 0) return null;
    const order = this.order;
    this.parts.sort((a, b) => compareByTerms(a.keys, b.keys, order));
    return this.parts.map((part) => part.text).join(this.separator);
  }
}

// STDDEV_POP, STDDEV_SAMP, VAR_POP and VAR_SAMP: doubles, as in MySQL, by Welford's running
// mean and sum of squared deviations (no cancellation from summing squares). A sample's
// variance needs two values; NULL otherwise, as over no values.
class Spread implements Accumulator {
  private count = 0;
  private mean = 0;
  private squares = 0;
  constructor(private readonly fn: 'STDDEV_POP' | 'STDDEV_SAMP' | 'VAR_POP' | 'VAR_SAMP') {}
  add(value: Value): void {
    if (value === null) return;
    const x = Number(toNumeric(value));
    this.count++;
    const delta = x - this.mean;
    this.mean += delta / this.count;
    this.squares += delta * (x - this.mean);
  }
  result(): Value {
    const sample = this.fn === 'STDDEV_SAMP' || this.fn === 'VAR_SAMP';
    if (this.count === 0 || (sample && this.count < 2)) return null;
    const variance = this.squares / (sample ? this.count - 1 : this.count);
    return this.fn === 'VAR_POP' || this.fn === 'VAR_SAMP' ? variance : Math.sqrt(variance);
  }
}

// BIT_AND, BIT_OR and BIT_XOR over 64-bit unsigned integers (each value converted as CAST(… AS
// UNSIGNED) converts it); over no values BIT_AND is every bit set and the others 0, as in MySQL.
class Bits implements Accumulator {
  private bits: bigint;
  constructor(private readonly fn: 'BIT_AND' | 'BIT_OR' | 'BIT_XOR') {
    this.bits = fn === 'BIT_AND' ? allBits : 0n;
  }
  add(value: Value): void {
    if (value === null) return;
    // Held to 64 bits whatever the conversion gives (a double past 2^64).
    const bits = BigInt.asUintN(64, castValue(value, 'UNSIGNED') as bigint);
    this.bits = this.fn === 'BIT_AND' ? this.bits & bits : this.fn === 'BIT_OR' ? this.bits | bits : this.bits ^ bits;
  }
  result(): Value {
    return this.bits;
  }
}

const allBits = (1n << 64n) - 1n;

// JSON_ARRAYAGG: every value, NULLs included, as JSON_ARRAY writes them; NULL over no rows.
class JsonArray implements Accumulator {
  private readonly values: Value[] = [];
  private added = false;
  add(value: Value): void {
    this.added = true;
    this.values.push(value);
  }
  result(): Value {
    return this.added ? callFunction('JSON_ARRAY', this.values) : null;
  }
}

// JSON_OBJECTAGG(key, value): a member per row, as JSON_OBJECT writes them (a NULL key is its
// error; of duplicate keys the last wins, as in MySQL 8); NULL over no rows.
class JsonObject implements Accumulator {
  private readonly members: Value[] = [];
  add(key: Value, keys: readonly Value[] = []): void {
    this.members.push(key, keys[0] ?? null);
  }
  result(): Value {
    return this.members.length === 0 ? null : callFunction('JSON_OBJECT', this.members);
  }
}
