// What of a WHERE is left to check on each row an access path reads. A path reads a superset of
// the rows the WHERE holds for (access-path.ts), but a comparison of an integer key part with a
// constant often holds for every key the path can read at all: `id BETWEEN ? AND ?` over the
// range it became, `id = ?` over the point it became. Checking those again on every row of a
// 10,000-row range was about a tenth of the scan's time. A conjunct is left out only when the
// ranges actually read imply it, part by part, so whatever keyPath chose, the rows that pass
// are the same.
import { integerColumnTypes } from '../../storage/types.js';
import type { ColumnDef, IndexPart, TableDef, Value } from '../../storage/types.js';
import type { EvalContext } from '../expression.js';
import type { Expr } from '../plan.js';
import { compareValues } from '../values.js';
import { evaluateSafely, isConstant, keyValue, mirrored } from './access-path.js';
import type { AccessPath } from './access-path.js';
import { conjunction, conjuncts } from './expr-walk.js';

// The values one key part takes over one range read: an interval, null on an open side.
interface PartInterval {
  readonly low: { readonly value: Value; readonly inclusive: boolean } | null;
  readonly high: { readonly value: Value; readonly inclusive: boolean } | null;
}

// `where` without the conjuncts every row read through `path` satisfies; `where` itself when
// none is (so its evaluation order is untouched), null when all are.
export function residualWhere(table: TableDef, where: Expr | null, path: AccessPath, params: readonly Value[], context: EvalContext | undefined): Expr | null {
  if (where === null || path.kind === 'full_scan') return where;
  const all = conjuncts(where);
  const kept = all.filter((conjunct) => !isCovered(table, path, conjunct, params, context));
  return kept.length === all.length ? where : conjunction(kept);
}

function isCovered(table: TableDef, path: Exclude<AccessPath, { kind: 'full_scan' }>, conjunct: Expr, params: readonly Value[], context: EvalContext | undefined): boolean {
  const operand = conjunct.kind === 'binary' ? (conjunct.left.kind === 'column' ? conjunct.left : conjunct.right) : conjunct.kind === 'between' || conjunct.kind === 'in_list' ? conjunct.operand : null;
  if (operand === null || operand.kind !== 'column') return false;
  const column = table.columns[operand.position];
  if (column === undefined || !integerColumnTypes.has(column.type)) return false;
  const parts = keyParts(table, path);
  const at = parts.findIndex((part) => part.position === operand.position);
  // Where a descending part keeps its NULLs is the key codec's business: not relied on here.
  if (at === -1 || (parts[at]!.direction === 'desc' && column.nullable)) return false;
  const intervals = partIntervals(path, at, parts[at]!.direction);
  // Text against an integer column compares as doubles, which round past 2^53 where the key's
  // integer is exact: a text constant may pick the rows to read, but only the filter decides.
  const constant = (expr: Expr): Value | undefined => {
    if (!isConstant(expr)) return undefined;
    const value = evaluateSafely(expr, params, context);
    return typeof value === 'string' ? undefined : keyValue(column, value);
  };
  switch (conjunct.kind) {
    case 'binary': {
      if (!['=', '<', '<=', '>', '>='].includes(conjunct.operator)) return false;
      const [other, operator] = conjunct.left === operand ? [conjunct.right, conjunct.operator] : [conjunct.left, mirrored(conjunct.operator)];
      const value = constant(other);
      return value !== undefined && intervals.every((interval) => holds(interval, operator, value, column));
    }
    case 'between': {
      if (conjunct.negated) return false;
      const [low, high] = [constant(conjunct.low), constant(conjunct.high)];
      return low !== undefined && high !== undefined && intervals.every((interval) => holds(interval, '>=', low, column) && holds(interval, '<=', high, column));
    }
    case 'in_list': {
      if (conjunct.negated) return false;
      const values = conjunct.list.map(constant);
      if (values.some((value) => value === undefined)) return false;
      return intervals.every((interval) => values.some((value) => holds(interval, '=', value!, column)));
    }
    default:
      return false;
  }
}

// Whether every value of `interval` satisfies `part <operator> value`. NULL satisfies no
// comparison: an interval open below may hold the NULLs of a nullable ascending index part
// (they sort first), so only a bound below, or a NOT NULL column, keeps them out.
function holds(interval: PartInterval, operator: string, value: Value, column: ColumnDef): boolean {
  const { low, high } = interval;
  const nullsOut = low !== null || !column.nullable;
  switch (operator) {
    case '=':
      return low !== null && high !== null && low.inclusive && high.inclusive && compareValues(low.value!, value!) === 0 && compareValues(high.value!, value!) === 0;
    case '>=':
      return low !== null && compareValues(low.value!, value!) >= 0;
    case '>': {
      if (low === null) return false;
      const order = compareValues(low.value!, value!);
      return order > 0 || (order === 0 && !low.inclusive);
    }
    case '<=':
      return nullsOut && high !== null && compareValues(high.value!, value!) <= 0;
    case '<': {
      if (!nullsOut || high === null) return false;
      const order = compareValues(high.value!, value!);
      return order < 0 || (order === 0 && !high.inclusive);
    }
    default:
      return false;
  }
}

function keyParts(table: TableDef, path: Exclude<AccessPath, { kind: 'full_scan' }>): readonly IndexPart[] {
  if (path.kind === 'range' && path.index !== null) return path.index.parts;
  return table.primaryKey.map((position) => ({ position, direction: 'asc' as const }));
}

// The interval of key part `at` over each range or point the path reads. A range's bounds are
// tuples over the key's first parts: part `at` is bounded by them only where every earlier part
// is pinned to one value by both ends, and it is inclusive wherever later parts follow it.
function partIntervals(path: Exclude<AccessPath, { kind: 'full_scan' }>, at: number, direction: 'asc' | 'desc'): PartInterval[] {
  if (path.kind === 'point') {
    return path.keys.map((key) => {
      const point = { value: key[at] ?? null, inclusive: true };
      return { low: point, high: point };
    });
  }
  return path.ranges.map((range): PartInterval => {
    const pinnedBefore = [...Array(at).keys()].every((earlier) => {
      const [low, high] = [range.low?.values, range.high?.values];
      return low !== undefined && high !== undefined && earlier < low.length && earlier < high.length && compareValues(low[earlier]!, high[earlier]!) === 0;
    });
    if (!pinnedBefore) return { low: null, high: null };
    const end = (bound: typeof range.low): PartInterval['low'] => (bound === null || at >= bound.values.length ? null : { value: bound.values[at]!, inclusive: at < bound.values.length - 1 || bound.inclusive });
    // A descending part's values run the other way in the key's order.
    return direction === 'asc' ? { low: end(range.low), high: end(range.high) } : { low: end(range.high), high: end(range.low) };
  });
}
