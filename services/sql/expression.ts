// Evaluation of planned expressions over one row, with SQL's three-valued logic: a comparison
// involving NULL is NULL, and WHERE keeps a row only when its condition is true.
import { assertNever } from '../base/assert.js';
import type { Row, Value } from '../storage/types.js';
import type { Expr } from './plan.js';
import { compileLike, matchLike } from './like-matcher.js';
import type { LikePattern } from './like-matcher.js';
import { arithmetic, compareValues } from './values.js';

export function evaluate(expr: Expr, row: Row, params: readonly Value[]): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'param':
      return params[expr.position] ?? null;
    case 'column':
      return row[expr.position] ?? null;
    case 'binary':
      return evaluateBinary(expr, row, params);
    case 'not': {
      const operand = truth(evaluate(expr.operand, row, params));
      return operand === null ? null : !operand;
    }
    case 'negate': {
      const operand = evaluate(expr.operand, row, params);
      return operand === null ? null : arithmetic('-', 0n, operand);
    }
    case 'is_null':
      return (evaluate(expr.operand, row, params) === null) !== expr.negated;
    case 'in_list': {
      const operand = evaluate(expr.operand, row, params);
      if (operand === null) return null;
      const found = constantListLookup(expr, operand);
      if (found !== undefined) return found !== expr.negated;
      let sawNull = false;
      for (const item of expr.list) {
        const value = evaluate(item, row, params);
        if (value === null) sawNull = true;
        else if (compareValues(operand, value) === 0) return !expr.negated;
      }
      return sawNull ? null : expr.negated;
    }
    case 'between': {
      const operand = evaluate(expr.operand, row, params);
      const low = evaluate(expr.low, row, params);
      const high = evaluate(expr.high, row, params);
      if (operand === null || low === null || high === null) return null;
      const inside = compareValues(operand, low) >= 0 && compareValues(operand, high) <= 0;
      return inside !== expr.negated;
    }
    case 'like': {
      // A LIKE of two constants (a literal or a parameter each side) has one answer for the
      // whole statement: match once, not once per row scanned.
      const constant = isConstant(expr.operand) && isConstant(expr.pattern);
      const known = constant ? constantLikes.get(expr) : undefined;
      if (known !== undefined && known.params === params) return known.value;
      const operand = evaluate(expr.operand, row, params);
      const pattern = evaluate(expr.pattern, row, params);
      const value = operand === null || pattern === null ? null : matchLike(likePattern(String(pattern)), String(operand)) !== expr.negated;
      if (constant) constantLikes.set(expr, { params, value });
      return value;
    }
    default:
      return assertNever(expr);
  }
}

// An IN list of constants, hashed once, so that testing a row costs one lookup instead of a
// comparison per item (a 10,000-item list over a table is otherwise 10,000 comparisons a row).
// Keys are canonical under compareValues: numbers by exact value (1 and 1.0 are one key),
// strings by their code points. Only an operand of the list's own kind uses the set; any other
// pairing (a string against numbers) compares item by item as MySQL converts.
interface ConstantList {
  readonly kind: 'numeric' | 'text';
  readonly keys: ReadonlySet<string>;
}
const constantLists = new WeakMap<Expr, ConstantList | null>();
const constantListItemsMin = 16;

function constantListLookup(expr: Extract<Expr, { kind: 'in_list' }>, operand: Exclude<Value, null>): boolean | undefined {
  let list = constantLists.get(expr);
  if (list === undefined) {
    list = hashConstantList(expr.list);
    constantLists.set(expr, list);
  }
  if (list === null) return undefined;
  if (list.kind === 'text') return typeof operand === 'string' ? list.keys.has(operand) : undefined;
  return typeof operand === 'bigint' || typeof operand === 'number' ? list.keys.has(numericKey(operand)) : undefined;
}

function hashConstantList(items: readonly Expr[]): ConstantList | null {
  if (items.length < constantListItemsMin) return null;
  const values: Value[] = [];
  for (const item of items) {
    if (item.kind !== 'literal' || item.value === null) return null;
    values.push(item.value);
  }
  if (values.every((value) => typeof value === 'string')) return { kind: 'text', keys: new Set(values as string[]) };
  if (values.every((value) => typeof value === 'bigint' || (typeof value === 'number' && Number.isFinite(value)))) {
    return { kind: 'numeric', keys: new Set((values as (bigint | number)[]).map(numericKey)) };
  }
  return null;
}

function numericKey(value: bigint | number): string {
  if (typeof value === 'bigint') return value.toString();
  return Number.isInteger(value) ? BigInt(value).toString() : String(value);
}

// True, false or unknown (null) as WHERE and the logical operators see a value.
export function truth(value: Value): boolean | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'number') return value !== 0;
  const parsed = Number.parseFloat(String(value));
  return !Number.isNaN(parsed) && parsed !== 0;
}

function evaluateBinary(expr: Extract<Expr, { kind: 'binary' }>, row: Row, params: readonly Value[]): Value {
  if (expr.operator === 'AND' || expr.operator === 'OR') {
    const left = truth(evaluate(expr.left, row, params));
    // Short-circuit where the result is already known, as SQL allows.
    if (expr.operator === 'AND' && left === false) return false;
    if (expr.operator === 'OR' && left === true) return true;
    const right = truth(evaluate(expr.right, row, params));
    if (expr.operator === 'AND') return right === false ? false : left === null || right === null ? null : true;
    return right === true ? true : left === null || right === null ? null : false;
  }
  const left = evaluate(expr.left, row, params);
  const right = evaluate(expr.right, row, params);
  if (left === null || right === null) return null;
  switch (expr.operator) {
    case '=': return compareValues(left, right) === 0;
    case '<>': return compareValues(left, right) !== 0;
    case '<': return compareValues(left, right) < 0;
    case '<=': return compareValues(left, right) <= 0;
    case '>': return compareValues(left, right) > 0;
    case '>=': return compareValues(left, right) >= 0;
    default: return arithmetic(expr.operator, left, right);
  }
}

// The answer of each constant LIKE for the statement execution it was computed in (the params
// array is that execution's own).
const constantLikes = new WeakMap<Expr, { readonly params: readonly Value[]; readonly value: Value }>();

function isConstant(expr: Expr): boolean {
  return expr.kind === 'literal' || expr.kind === 'param';
}

// Compiled patterns by text: a parameterized LIKE sees the same few patterns again and again.
// Only short ones are kept, so the cache's memory stays small whatever clients send.
const likePatterns = new Map<string, LikePattern>();
const likePatternsMax = 1_000;
const likePatternCachedLengthMax = 1_024;

function likePattern(pattern: string): LikePattern {
  let compiled = likePatterns.get(pattern);
  if (compiled === undefined) {
    compiled = compileLike(pattern);
    if (likePatterns.size < likePatternsMax && pattern.length <= likePatternCachedLengthMax) likePatterns.set(pattern, compiled);
  }
  return compiled;
}
