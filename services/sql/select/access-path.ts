// Access paths: which rows of one table a WHERE needs read, chosen from its conjuncts. A key —
// the primary key or a secondary index — answers equality (`=`, IN) on a prefix of its parts and
// a range (<, <=, >, >=, BETWEEN) on the part after; the primary key pinned whole is a point
// get. Every path reads a superset of the rows the WHERE holds for, and the caller still checks
// the whole WHERE on each row read, so a path only has to be right about which rows it may skip.
// That is why a value goes into a key only when the key's order is exactly the comparison's:
// a number against a text column compares as numbers ('05' = 5), a fraction against an integer
// column is no integer, NULL equals nothing; in doubt the conjunct is left to the filter.
import { keyBytesMax } from '../../base/limits.js';
import type { IndexBound, IndexRange } from '../../storage/index-key.js';
import { indexRangeBytes, primaryRangeBytes, wholeIndex } from '../../storage/index-key.js';
import { indexesOf } from '../../storage/types.js';
import type { ColumnDef, IndexDef, TableDef, Value } from '../../storage/types.js';
import { evaluate } from '../expression.js';
import type { EvalContext } from '../expression.js';
import type { Expr } from '../plan.js';
import { coerceToColumn, compareValues, integerOfText } from '../values.js';
import { conjuncts } from './expr-walk.js';
import { isTextType } from '../ddl/collation-syntax.js';

// A key the table is ordered by: its primary key (index null) or one of its indexes.
export interface KeyOrder {
  readonly index: IndexDef | null;
  // Read the key backwards (ORDER BY … DESC over an ascending key).
  readonly reverse: boolean;
}

export type AccessPath =
  | { readonly kind: 'full_scan'; readonly reverse: boolean }
  // The primary key pinned whole: each key is read by one get (several for an IN).
  | { readonly kind: 'point'; readonly keys: readonly (readonly Value[])[] }
  // Ranges over the primary key (index null) or an index, in the order they are read.
  | { readonly kind: 'range'; readonly index: IndexDef | null; readonly ranges: readonly IndexRange[]; readonly reverse: boolean; readonly parts: number };

// How many ranges an IN list (or several) may expand into before the path gives up on it.
const rangesMax = 256;

// Tests compare every query's answer with access paths (and reading in key order for ORDER BY)
// on and off. Off, a read in a key's order that a plan already counts on still happens.
export const accessPaths = { enabled: true };

// `order`, when given, is a key order the caller needs the rows in: only paths over that key
// are considered.
export function chooseAccess(table: TableDef, where: Expr | null, params: readonly Value[], context: EvalContext | undefined, order: KeyOrder | null = null): AccessPath {
  const fallback: AccessPath = order === null || order.index === null ? { kind: 'full_scan', reverse: order?.reverse ?? false } : { kind: 'range', index: order.index, ranges: [wholeIndex], reverse: order.reverse, parts: 0 };
  if (!accessPaths.enabled) return fallback;
  if (where === null) return fallback;
  const facts = columnFacts(table, where, params, context);
  if (facts.size === 0) return fallback;
  const candidates: (IndexDef | null)[] = order === null ? [null, ...indexesOf(table)] : [order.index];
  let best: { path: AccessPath; score: number } | null = null;
  for (const index of candidates) {
    const path = keyPath(table, index, facts, order?.reverse ?? false);
    if (path === null) continue;
    // The primary key pinned whole: no index can beat a point get.
    if (path.kind === 'point') return path;
    // Whole parts pinned count most, a range on the next is half a part, and the primary key
    // wins ties: it reads rows without a second lookup.
    const score = path.kind === 'range' ? path.parts + (index === null ? 0.25 : 0) : 0;
    if (best === null || score > best.score) best = { path, score };
  }
  return best?.path ?? fallback;
}

// What the conjuncts say about one column, in values of the column's type.
interface ColumnFact {
  equal: Value[] | null;
  low: { value: Value; inclusive: boolean } | null;
  high: { value: Value; inclusive: boolean } | null;
}

function columnFacts(table: TableDef, where: Expr, params: readonly Value[], context: EvalContext | undefined): Map<number, ColumnFact> {
  const facts = new Map<number, ColumnFact>();
  const factOf = (position: number): ColumnFact => {
    let fact = facts.get(position);
    if (fact === undefined) facts.set(position, (fact = { equal: null, low: null, high: null }));
    return fact;
  };
  const valueFor = (position: number, expr: Expr): Value | undefined => (isConstant(expr) ? keyValue(table.columns[position]!, evaluateSafely(expr, params, context)) : undefined);
  for (const conjunct of conjuncts(where)) {
    if (!inKeyCollation(table, conjunct)) continue;
    if (conjunct.kind === 'binary' && ['=', '<', '<=', '>', '>='].includes(conjunct.operator)) {
      const { left, right } = conjunct;
      const [column, constant, operator] = left.kind === 'column' ? [left, right, conjunct.operator] : right.kind === 'column' ? [right, left, mirrored(conjunct.operator)] : [null, null, null];
      if (column === null || column.kind !== 'column' || constant === null) continue;
      const value = valueFor(column.position, constant);
      if (value === undefined) continue;
      const fact = factOf(column.position);
      const collation = table.columns[column.position]!.collation;
      if (operator === '=') fact.equal ??= [value];
      else if (operator === '>' || operator === '>=') fact.low = tighter(fact.low, { value, inclusive: operator === '>=' }, 1, collation);
      else fact.high = tighter(fact.high, { value, inclusive: operator === '<=' }, -1, collation);
    } else if (conjunct.kind === 'in_list' && !conjunct.negated && conjunct.operand.kind === 'column') {
      const position = conjunct.operand.position;
      const values = conjunct.list.map((item) => valueFor(position, item));
      if (values.some((value) => value === undefined) || values.length > rangesMax) continue;
      const fact = factOf(position);
      fact.equal ??= distinctSorted(values as Value[], table.columns[position]!.collation);
    } else if (conjunct.kind === 'between' && !conjunct.negated && conjunct.operand.kind === 'column') {
      const position = conjunct.operand.position;
      const low = valueFor(position, conjunct.low);
      const high = valueFor(position, conjunct.high);
      const fact = factOf(position);
      const collation = table.columns[position]!.collation;
      if (low !== undefined) fact.low = tighter(fact.low, { value: low, inclusive: true }, 1, collation);
      if (high !== undefined) fact.high = tighter(fact.high, { value: high, inclusive: true }, -1, collation);
    }
  }
  return facts;
}

// The path over one key, or null when the conjuncts pin none of its first part.
function keyPath(table: TableDef, index: IndexDef | null, facts: ReadonlyMap<number, ColumnFact>, reverse: boolean): AccessPath | null {
  const parts = index === null ? table.primaryKey.map((position) => ({ position, direction: 'asc' as const })) : index.parts;
  let prefixes: Value[][] = [[]];
  let pinned = 0;
  for (const part of parts) {
    const equal = facts.get(part.position)?.equal ?? null;
    if (equal === null || prefixes.length * equal.length > rangesMax) break;
    prefixes = prefixes.flatMap((prefix) => equal.map((value) => [...prefix, value]));
    pinned++;
  }
  if (index === null && pinned === parts.length) return { kind: 'point', keys: reverse ? prefixes.reverse() : prefixes };
  const next = parts[pinned];
  const rangeFact = next === undefined ? null : facts.get(next.position) ?? null;
  const bounded = rangeFact !== null && (rangeFact.low !== null || rangeFact.high !== null);
  if (pinned === 0 && !bounded) return null;
  const ranges = prefixes.map((prefix): IndexRange => {
    if (!bounded) return { low: { values: prefix, inclusive: true }, high: { values: prefix, inclusive: true } };
    const bound = (end: { value: Value; inclusive: boolean } | null): IndexBound => (end === null ? { values: prefix, inclusive: true } : { values: [...prefix, end.value], inclusive: end.inclusive });
    const [low, high] = next!.direction === 'asc' ? [rangeFact.low, rangeFact.high] : [rangeFact.high, rangeFact.low];
    return { low: prefix.length === 0 && low === null ? null : bound(low), high: prefix.length === 0 && high === null ? null : bound(high) };
  });
  const partsUsed = pinned + (bounded ? 0.5 : 0);
  // One range is in order already: its bytes are encoded when it is read, not here too (a
  // lookup join chooses a path per probe, over each of the table's keys).
  if (ranges.length === 1) return { kind: 'range', index, ranges, reverse, parts: partsUsed };
  const startOf = (range: IndexRange): Buffer => (index === null ? primaryRangeBytes(table, range) : indexRangeBytes(table, index, range)).start;
  // In key order, so that the rows come in the key's order whatever the IN lists' order was.
  const ordered = ranges.map((range) => ({ range, start: startOf(range) })).sort((a, b) => Buffer.compare(a.start, b.start));
  const inOrder = ordered.map(({ range }) => range);
  return { kind: 'range', index, ranges: reverse ? inOrder.reverse() : inOrder, reverse, parts: partsUsed };
}

// A value of an expression that reads no column of the row: evaluated once for the statement
// (or once per outer row, for a correlated subquery's outer columns). Function calls are left
// out, as a function may give another value each time it is called (RAND()).
export function isConstant(expr: Expr): boolean {
  switch (expr.kind) {
    case 'literal':
    case 'param':
    case 'outer_column':
      return true;
    case 'negate':
      return isConstant(expr.operand);
    default:
      return false;
  }
}

export function evaluateSafely(expr: Expr, params: readonly Value[], context: EvalContext | undefined): Value | undefined {
  try {
    return evaluate(expr, [], params, context);
  } catch {
    return undefined; // the filter will raise it, if any row gets that far
  }
}

// `value` as the column's key holds it, when comparing the column with it is comparing keys;
// undefined otherwise.
export function keyValue(column: ColumnDef, value: Value | undefined): Value | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    switch (column.type) {
      case 'TINYINT':
      case 'SMALLINT':
      case 'MEDIUMINT':
      case 'INT':
      case 'BIGINT': {
        // A number meets an integer column as a double, which rounds past 2^53 where the key is
        // exact: only values a double holds exactly, and nothing rounds to, are keys. Text that
        // spells an integer meets it exactly (values.ts compareValues), as 64-bit ids arrive.
        const integer =
          typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : typeof value === 'string' ? (integerOfText(value) ?? undefined) : undefined;
        return integer === undefined ? undefined : coerceToColumn(column, integer);
      }
      case 'DOUBLE': {
        // 0 and -0 are equal but have different keys: left to the filter.
        const number = typeof value === 'number' ? value : typeof value === 'bigint' && BigInt(Number(value)) === value ? Number(value) : undefined;
        return number === undefined || !Number.isFinite(number) || number === 0 ? undefined : number;
      }
      case 'CHAR':
      case 'VARCHAR':
      case 'TEXT': {
        // A string longer than any stored key could hold is no key to look for (LMDB refuses
        // such a key); the filter finds it matches nothing.
        if (typeof value !== 'string' || Buffer.byteLength(value) > keyBytesMax / 2) return undefined;
        const text = coerceToColumn(column, value);
        return text === value ? text : undefined;
      }
      default:
        return undefined;
    }
  } catch {
    return undefined; // out of the column's range or length: no key to look for
  }
}

export function mirrored(operator: string): string {
  return operator === '<' ? '>' : operator === '<=' ? '>=' : operator === '>' ? '<' : operator === '>=' ? '<=' : operator;
}

// Whether a comparison orders as the key of the column it reads does: a text column's key is
// in the column's collation, so a comparison under another (a COLLATE clause, a column of
// another collation) is left to the filter. Other columns' keys are in every comparison's order.
function inKeyCollation(table: TableDef, conjunct: Expr): boolean {
  if (conjunct.kind !== 'binary' && conjunct.kind !== 'in_list' && conjunct.kind !== 'between') return true;
  const operand = conjunct.kind === 'binary' ? (conjunct.left.kind === 'column' ? conjunct.left : conjunct.right) : conjunct.operand;
  if (operand.kind !== 'column') return true;
  const column = table.columns[operand.position];
  if (column === undefined || !isTextType(column.type)) return true;
  return conjunct.collation === column.collation;
}

// The narrower of two bounds of one side: `sign` 1 for a low bound (the larger wins), -1 for a high one.
function tighter(current: { value: Value; inclusive: boolean } | null, next: { value: Value; inclusive: boolean }, sign: 1 | -1, collation: 'utf8mb4_general_ci' | undefined): { value: Value; inclusive: boolean } {
  if (current === null) return next;
  const order = compareValues(next.value!, current.value!, collation) * sign;
  if (order > 0) return next;
  if (order < 0) return current;
  return current.inclusive ? next : current;
}

function distinctSorted(values: readonly Value[], collation: 'utf8mb4_general_ci' | undefined): Value[] {
  const sorted = [...values].sort((a, b) => compareValues(a!, b!, collation));
  return sorted.filter((value, at) => at === 0 || compareValues(value!, sorted[at - 1]!, collation) !== 0);
}
