// Evaluation of planned expressions over one row, with SQL's three-valued logic: a comparison
// involving NULL is NULL, and WHERE keeps a row only when its condition is true.
import { assertNever } from '../base/assert.js';
import { TideError } from '../base/errors.js';
import type { Row, Value } from '../storage/types.js';
import type { Expr } from './plan.js';
import { compileLike, defaultLikeEscape, matchLike } from './like-matcher.js';
import { clockValue, isClockFunction } from './temporal-functions.js';
import type { LikePattern } from './like-matcher.js';
import { callFunction } from './functions.js';
import { distinctRowKeyCall, distinctRowKeyValue, generalCiKeyCall, generalCiKeyValue } from './select/collation-rules.js';
import { generalCiFold, generalCiSortKey } from '../values/collation.js';
import { Decimal } from '../values/decimal.js';
import { arithmetic, castValue, compareValues, divide, exactResult, textOf, toNumeric, truth } from './values.js';

export { truth } from './values.js';

// What evaluating an expression may need beyond its row: the rows of the enclosing queries
// (for correlated subqueries; outer[0] is the nearest) and a way to run subqueries.
export interface EvalContext {
  readonly outer: readonly Row[];
  readonly subqueries: SubqueryRunner;
  // The statement's time, for NOW() and its kin (temporal-functions.ts); absent: the clock's.
  readonly nowMs?: number;
}

export interface SubqueryRunner {
  // The first value of the query's single row (NULL without rows; an error past one row).
  scalar(expr: Extract<Expr, { kind: 'subquery' }>, outer: readonly Row[]): Value;
  exists(expr: Extract<Expr, { kind: 'subquery' }>, outer: readonly Row[]): boolean;
  // IN (subquery) with SQL's NULL rules: true if found, NULL if not found but a NULL was seen.
  // A NULL operand is in no set but an empty one's complement: NULL IN (empty) is false.
  contains(expr: Extract<Expr, { kind: 'in_subquery' }>, operand: Value, outer: readonly Row[]): boolean | null;
}

const noSubqueries: EvalContext = {
  outer: [],
  subqueries: {
    scalar: () => refuseSubquery(),
    exists: () => refuseSubquery(),
    contains: () => refuseSubquery(),
  },
};

function refuseSubquery(): never {
  throw new TideError('SQL_UNSUPPORTED', 'a subquery is not supported here yet');
}

// Kept small, as evaluateBinary is: a chain of a thousand terms recurses through both once
// per term, and their frames are what the stack must hold (base/limits.ts).
export function evaluate(expr: Expr, row: Row, params: readonly Value[], context: EvalContext = noSubqueries): Value {
  return expr.kind === 'binary' ? evaluateBinary(expr, row, params, context) : evaluateOther(expr, row, params, context);
}

function evaluateOther(expr: Exclude<Expr, { kind: 'binary' }>, row: Row, params: readonly Value[], context: EvalContext): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'param':
      return params[expr.position] ?? null;
    case 'column':
      return row[expr.position] ?? null;
    case 'outer_column':
      return context.outer[expr.depth - 1]?.[expr.position] ?? null;
    case 'divide': {
      const left = evaluate(expr.left, row, params, context);
      const right = evaluate(expr.right, row, params, context);
      if (left === null || right === null) return null;
      return expr.double === true ? arithmetic('/', toNumeric(left), toNumeric(right)) : divide(left, right, expr.scale, expr.intermediate === true);
    }
    case 'not': {
      const operand = truth(evaluate(expr.operand, row, params, context));
      return operand === null ? null : !operand;
    }
    case 'negate': {
      const operand = evaluate(expr.operand, row, params, context);
      return operand === null ? null : arithmetic('-', 0n, operand);
    }
    case 'is_null':
      return (evaluate(expr.operand, row, params, context) === null) !== expr.negated;
    case 'case':
      return evaluateCase(expr, row, params, context);
    case 'call':
      if (expr.name === generalCiKeyCall) return generalCiKeyValue(evaluate(expr.args[0]!, row, params, context));
      if (expr.name === distinctRowKeyCall) return distinctRowKeyValue(expr.args.map((arg) => evaluate(arg, row, params, context)));
      if (isClockFunction(expr.name)) return clockValue(expr.name, expr.args.map((arg) => evaluate(arg, row, params, context)), context.nowMs ?? Date.now());
      return callFunction(expr.name, expr.args.map((arg) => evaluate(arg, row, params, context)));
    case 'cast': {
      const operand = evaluate(expr.operand, row, params, context);
      return operand === null ? null : castValue(operand, expr.target, expr.decimal, expr.fsp);
    }
    case 'subquery':
      return expr.mode === 'scalar' ? context.subqueries.scalar(expr, [row, ...context.outer]) : context.subqueries.exists(expr, [row, ...context.outer]);
    case 'in_subquery': {
      const operand = evaluate(expr.operand, row, params, context);
      const found = context.subqueries.contains(expr, operand, [row, ...context.outer]);
      return found === null ? null : found !== expr.negated;
    }
    case 'in_list': {
      const operand = evaluate(expr.operand, row, params, context);
      if (operand === null) return null;
      const found = constantListLookup(expr, operand);
      if (found !== undefined) return found !== expr.negated;
      let sawNull = false;
      for (const item of expr.list) {
        const value = evaluate(item, row, params, context);
        if (value === null) sawNull = true;
        else if (compareValues(operand, value, expr.collation) === 0) return !expr.negated;
      }
      return sawNull ? null : expr.negated;
    }
    case 'between': {
      const operand = evaluate(expr.operand, row, params, context);
      const low = evaluate(expr.low, row, params, context);
      const high = evaluate(expr.high, row, params, context);
      // x BETWEEN a AND b is x >= a AND x <= b, with AND's NULL rules: a NULL bound leaves the
      // answer unknown only while the other comparison is not already false.
      const aboveLow = operand === null || low === null ? null : compareValues(operand, low, expr.collation) >= 0;
      const belowHigh = operand === null || high === null ? null : compareValues(operand, high, expr.collation) <= 0;
      const inside = aboveLow === false || belowHigh === false ? false : aboveLow === null || belowHigh === null ? null : true;
      return inside === null ? null : inside !== expr.negated;
    }
    case 'like': {
      // A LIKE of two constants (a literal or a parameter each side) has one answer for the
      // whole statement: match once, not once per row scanned.
      const constant = isConstant(expr.operand) && isConstant(expr.pattern);
      const known = constant ? constantLikes.get(expr) : undefined;
      if (known !== undefined && known.params === params) return known.value;
      const operand = evaluate(expr.operand, row, params, context);
      const pattern = evaluate(expr.pattern, row, params, context);
      const value = operand === null || pattern === null ? null : matchLike(likePattern(likeText(pattern, expr.collation), likeEscape(expr)), likeText(operand, expr.collation)) !== expr.negated;
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
    list = hashConstantList(expr.list, expr.collation);
    constantLists.set(expr, list);
  }
  if (list === null) return undefined;
  if (list.kind === 'text') return typeof operand === 'string' ? list.keys.has(expr.collation === undefined ? operand : generalCiSortKey(operand)) : undefined;
  return typeof operand === 'bigint' || typeof operand === 'number' ? list.keys.has(numericKey(operand)) : undefined;
}

function hashConstantList(items: readonly Expr[], collation: 'utf8mb4_general_ci' | undefined): ConstantList | null {
  if (items.length < constantListItemsMin) return null;
  const values: Value[] = [];
  for (const item of items) {
    if (item.kind !== 'literal' || item.value === null) return null;
    values.push(item.value);
  }
  if (values.every((value) => typeof value === 'string')) return { kind: 'text', keys: new Set((values as string[]).map((value) => (collation === undefined ? value : generalCiSortKey(value)))) };
  if (values.every((value) => typeof value === 'bigint' || (typeof value === 'number' && Number.isFinite(value)))) {
    return { kind: 'numeric', keys: new Set((values as (bigint | number)[]).map(numericKey)) };
  }
  return null;
}

export function numericKey(value: bigint | number): string {
  if (typeof value === 'bigint') return value.toString();
  return Number.isInteger(value) ? BigInt(value).toString() : String(value);
}

function evaluateCase(expr: Extract<Expr, { kind: 'case' }>, row: Row, params: readonly Value[], context: EvalContext): Value {
  const operand = expr.operand === null ? null : evaluate(expr.operand, row, params, context);
  for (const { when, then } of expr.whens) {
    const test = evaluate(when, row, params, context);
    // CASE x WHEN v compares as x = v (NULL never matches); CASE WHEN c tests c's truth.
    const matched = expr.operand === null ? truth(test) === true : operand !== null && test !== null && compareValues(operand, test, expr.collation) === 0;
    if (matched) return evaluate(then, row, params, context);
  }
  return expr.otherwise === null ? null : evaluate(expr.otherwise, row, params, context);
}

function evaluateBinary(expr: Extract<Expr, { kind: 'binary' }>, row: Row, params: readonly Value[], context: EvalContext): Value {
  if (expr.operator === 'AND' || expr.operator === 'OR' || expr.operator === 'XOR') return evaluateLogical(expr, row, params, context);
  const left = evaluate(expr.left, row, params, context);
  const right = evaluate(expr.right, row, params, context);
  // NULL-safe equality: two NULLs are equal, a NULL and a value are not; never NULL itself.
  if (expr.operator === '<=>') return left === null || right === null ? left === right : compareValues(left, right, expr.collation) === 0;
  if (left === null || right === null) return null;
  switch (expr.operator) {
    case '=': return compareValues(left, right, expr.collation) === 0;
    case '<>': return compareValues(left, right, expr.collation) !== 0;
    case '<': return compareValues(left, right, expr.collation) < 0;
    case '<=': return compareValues(left, right, expr.collation) <= 0;
    case '>': return compareValues(left, right, expr.collation) > 0;
    case '>=': return compareValues(left, right, expr.collation) >= 0;
    default: {
      const result = expr.double === true ? arithmetic(expr.operator, toNumeric(left), toNumeric(right)) : arithmetic(expr.operator, left, right);
      return expr.round !== undefined && (typeof result === 'number' || result instanceof Decimal) ? exactResult(result, expr.round) : result;
    }
  }
}

function evaluateLogical(expr: Extract<Expr, { kind: 'binary' }>, row: Row, params: readonly Value[], context: EvalContext): Value {
  if (expr.operator === 'XOR') {
    const left = truth(evaluate(expr.left, row, params, context));
    const right = truth(evaluate(expr.right, row, params, context));
    return left === null || right === null ? null : left !== right;
  }
  const left = truth(evaluate(expr.left, row, params, context));
  // Short-circuit where the result is already known, as SQL allows.
  if (expr.operator === 'AND' && left === false) return false;
  if (expr.operator === 'OR' && left === true) return true;
  const right = truth(evaluate(expr.right, row, params, context));
  if (expr.operator === 'AND') return right === false ? false : left === null || right === null ? null : true;
  return right === true ? true : left === null || right === null ? null : false;
}

// The answer of each constant LIKE for the statement execution it was computed in (the params
// array is that execution's own).
const constantLikes = new WeakMap<Expr, { readonly params: readonly Value[]; readonly value: Value }>();

// LIKE under general_ci matches the weights of both sides: 'É%' matches 'ecole'. The pattern's
// `%`, `_` and `\` weigh as themselves, so they keep their meaning.
function likeText(value: Exclude<Value, null>, collation: 'utf8mb4_general_ci' | undefined): string {
  const text = textOf(value);
  return collation === undefined ? text : generalCiFold(text);
}

function isConstant(expr: Expr): boolean {
  return expr.kind === 'literal' || expr.kind === 'param';
}

// Compiled patterns by text: a parameterized LIKE sees the same few patterns again and again.
// Only short ones are kept, so the cache's memory stays small whatever clients send.
const likePatterns = new Map<string, LikePattern>();
const likePatternsMax = 1_000;
const likePatternCachedLengthMax = 1_024;

function likePattern(pattern: string, escape: number | null): LikePattern {
  // Keyed by the escape too: the same text means another pattern under another escape.
  const key = escape === defaultLikeEscape ? pattern : `${escape ?? ''}:${pattern}`;
  let compiled = likePatterns.get(key);
  if (compiled === undefined) {
    compiled = compileLike(pattern, escape);
    if (likePatterns.size < likePatternsMax && pattern.length <= likePatternCachedLengthMax) likePatterns.set(key, compiled);
  }
  return compiled;
}

// The escape character as the pattern is compared: folded as the pattern is under general_ci.
function likeEscape(expr: Extract<Expr, { kind: 'like' }>): number | null {
  if (expr.escape === undefined) return defaultLikeEscape;
  if (expr.escape === null || expr.collation === undefined) return expr.escape;
  return generalCiFold(String.fromCodePoint(expr.escape)).codePointAt(0) ?? null;
}
