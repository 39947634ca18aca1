// A point get, as TiDB's Point_Get: a query that reads one row of a table by its whole primary
// key — a projection of a filter of a scan, the filter nothing but equalities of each key
// column with a constant, under a LIMIT of one or more or none — is one get. The general path answers it as well, but first weighs
// access paths, works out which conjuncts the key covers and stacks a layer per operator, which
// costs several times the get itself. The shape is recognized once per plan (kept with it, as
// plans are kept); the values are read on each run, and a value the key does not hold exactly
// sends that run down the general path.
//
// Only integer keys: their equality is the key's own (text keys have collations), so the row the
// get finds is exactly the row the filter would pass, and the filter need not run.
import { integerColumnTypes } from '../../storage/types.js';
import type { Row, TableDef, Value } from '../../storage/types.js';
import { evaluate } from '../expression.js';
import type { EvalContext } from '../expression.js';
import type { Expr } from '../plan.js';
import type { ReadView } from '../read-view.js';
import { evaluateSafely, isConstant, keyValue } from './access-path.js';
import { conjuncts } from './expr-walk.js';
import { primaryKeyOf } from './key-lookup.js';
import type { LogicalPlan } from './logical-plan.js';

export interface PointGet {
  readonly table: TableDef;
  // The constant each primary key column equals, in the key's column order.
  readonly keyValues: readonly Expr[];
  // What the query answers of the row.
  readonly exprs: readonly Expr[];
}

const recognized = new WeakMap<LogicalPlan, PointGet | null>();

// The plan's point get, or null when it is not one.
export function pointGetOf(plan: LogicalPlan): PointGet | null {
  let found = recognized.get(plan);
  if (found === undefined) recognized.set(plan, (found = recognize(plan)));
  return found;
}

// The shape every read by a key has: a projection of a filter of one table's scan, under
// `LIMIT n` (n ≥ 1: ORMs write `LIMIT 1` after a key lookup) or none. A scan in a key's order is
// a plan that counts on that order: left to the general path.
export interface KeyReadShape {
  readonly table: TableDef;
  readonly predicate: Expr;
  // What the query answers of each row.
  readonly exprs: readonly Expr[];
  // At most this many rows, or all.
  readonly limit: number;
}

export function keyReadShape(whole: LogicalPlan): KeyReadShape | null {
  const limit = whole.kind === 'limit' && whole.offset === null && whole.limit?.kind === 'literal' && typeof whole.limit.value === 'bigint' && whole.limit.value >= 1n ? whole.limit.value : null;
  const plan = limit !== null && whole.kind === 'limit' ? whole.input : whole;
  if (plan.kind !== 'project' || plan.input.kind !== 'filter' || plan.input.input.kind !== 'scan' || plan.input.input.order !== undefined) return null;
  return { table: plan.input.input.table, predicate: plan.input.predicate, exprs: plan.exprs, limit: limit === null ? Infinity : Number(limit) };
}

function recognize(whole: LogicalPlan): PointGet | null {
  const shape = keyReadShape(whole);
  if (shape === null || shape.table.primaryKey.length === 0) return null;
  const { table, predicate, exprs } = shape;
  const byPosition = new Map<number, Expr>();
  for (const conjunct of conjuncts(predicate)) {
    if (conjunct.kind !== 'binary' || conjunct.operator !== '=') return null;
    const [column, constant] = conjunct.left.kind === 'column' ? [conjunct.left, conjunct.right] : [conjunct.right, conjunct.left];
    if (column.kind !== 'column' || !isConstant(constant) || byPosition.has(column.position)) return null;
    byPosition.set(column.position, constant);
  }
  if (byPosition.size !== table.primaryKey.length) return null;
  const keyValues: Expr[] = [];
  for (const position of table.primaryKey) {
    const constant = byPosition.get(position);
    if (constant === undefined || !integerColumnTypes.has(table.columns[position]!.type)) return null;
    keyValues.push(constant);
  }
  return { table, keyValues, exprs };
}

// The query's rows (none or one), or null when this run's values are not all keys exactly:
// the general path then answers.
export function pointGetRows(get: PointGet, params: readonly Value[], view: ReadView, context?: EvalContext): Row[] | null {
  const { table, keyValues, exprs } = get;
  const keys = new Array<Value>(keyValues.length);
  for (let at = 0; at < keyValues.length; at++) {
    // Text that spells an integer meets the key exactly (values.ts), as 64-bit ids arrive; other
    // text, NULL (equal to nothing) and a fraction (no integer) are left to the general path.
    const key = keyValue(table.columns[table.primaryKey[at]!]!, evaluateSafely(keyValues[at]!, params, context));
    if (key === undefined) return null;
    keys[at] = key;
  }
  const found = view.getRow(table, primaryKeyOf(table, keys));
  if (found === undefined) return [];
  const projected = new Array<Value>(exprs.length);
  for (let at = 0; at < exprs.length; at++) projected[at] = evaluate(exprs[at]!, found, params, context);
  return [projected];
}
