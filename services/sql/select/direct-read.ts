// Reads a kept plan answers at once, without a statement's views, time slices, generators and
// evaluation context, which cost more than the reads themselves: a point get (point-get.ts),
// and a lookup through a secondary index whose every part the WHERE pins by equality — how
// applications and ORMs find a row by email, or the lines of an order. Both are a projection of
// a filter of one table's scan, under a LIMIT or none, whose projection and filter are plain:
// evaluated from the row and the parameters alone (no subquery, no function, whose value could
// depend on the statement's time or session).
//
// Reading at once never holds the event loop long: a lookup that reads more than
// `directRowsMax` index entries stops, and the general path answers instead, yielding between
// rows. Everything else is the general path's as well: the access path and the conjuncts it
// leaves to check (access-path.ts, covered-conjuncts.ts), and each row's evaluation.
import type { Row, TableDef, Value } from '../../storage/types.js';
import { evaluate, truth } from '../expression.js';
import type { Expr } from '../plan.js';
import type { ReadView } from '../read-view.js';
import { accessPaths, chooseAccess } from './access-path.js';
import { residualWhere } from './covered-conjuncts.js';
import { children } from './expr-walk.js';
import { accessRows } from './key-lookup.js';
import type { LogicalPlan, SelectQuery } from './logical-plan.js';
import { pointGetOf, pointGetRows } from './point-get.js';
import { checkResultBytes } from './result-limits.js';
import type { SelectResult } from './result-limits.js';

// Rows a lookup read at once may read; past them it gives way to the general path.
export const directRowsMax = 16;

interface Lookup {
  readonly table: TableDef;
  readonly predicate: Expr;
  readonly exprs: readonly Expr[];
  // At most this many rows (LIMIT n), or all.
  readonly limit: number;
}

const lookups = new WeakMap<LogicalPlan, Lookup | null>();

// The query's result read at once from `view`, or null when the general path must answer: the
// plan is not one of these shapes, or this run's values do not make it one (a point get's key
// that is not exactly a key, an index not pinned whole, too many rows).
export function directRead(query: SelectQuery, params: readonly Value[], view: ReadView): SelectResult | null {
  if (!accessPaths.enabled) return null;
  const rows = readAtOnce(query.plan, params, view);
  if (rows === null) return null;
  checkResultBytes(rows);
  return { columns: query.columns, rows, ...(query.origins === undefined ? {} : { origins: query.origins }) };
}

// Whether the query has a shape read at once, whatever its values: a caller skips the work a
// read at once needs first (its privilege check) for any other.
export function readsDirectly(query: SelectQuery): boolean {
  if (!accessPaths.enabled) return false;
  const get = pointGetOf(query.plan);
  return get !== null ? get.exprs.every(isPlain) : lookupOf(query.plan) !== null;
}

function readAtOnce(plan: LogicalPlan, params: readonly Value[], view: ReadView): Row[] | null {
  const get = pointGetOf(plan);
  if (get !== null) return get.exprs.every(isPlain) ? pointGetRows(get, params, view) : null;
  const lookup = lookupOf(plan);
  return lookup === null ? null : lookupRows(lookup, params, view);
}

function lookupOf(plan: LogicalPlan): Lookup | null {
  let lookup = lookups.get(plan);
  if (lookup === undefined) lookups.set(plan, (lookup = recognize(plan)));
  return lookup;
}

function recognize(whole: LogicalPlan): Lookup | null {
  const limited = whole.kind === 'limit' && whole.offset === null && whole.limit?.kind === 'literal' && typeof whole.limit.value === 'bigint' && whole.limit.value >= 1n;
  const plan = limited ? whole.input : whole;
  if (plan.kind !== 'project' || plan.input.kind !== 'filter' || plan.input.input.kind !== 'scan') return null;
  const scan = plan.input.input;
  // A scan in a key's order is a plan that counts on that order: left to the general path.
  if (scan.order !== undefined || !isPlain(plan.input.predicate) || !plan.exprs.every(isPlain)) return null;
  const limit = limited && whole.kind === 'limit' && whole.limit?.kind === 'literal' && typeof whole.limit.value === 'bigint' ? Number(whole.limit.value) : Infinity;
  return { table: scan.table, predicate: plan.input.predicate, exprs: plan.exprs, limit };
}

function lookupRows(lookup: Lookup, params: readonly Value[], view: ReadView): Row[] | null {
  const { table, predicate, exprs, limit } = lookup;
  const path = chooseAccess(table, predicate, params, undefined);
  if (path.kind !== 'range' || path.index === null || path.parts !== path.index.parts.length) return null;
  const residual = residualWhere(table, predicate, path, params, undefined);
  const found: Row[] = [];
  const candidates = accessRows(table, path, view)[Symbol.iterator]();
  try {
    let read = 0;
    for (let step = candidates.next(); step.done !== true; step = candidates.next()) {
      if (++read > directRowsMax) return null;
      const row = step.value.row;
      if (residual !== null && truth(evaluate(residual, row, params)) !== true) continue;
      found.push(exprs.map((expr) => evaluate(expr, row, params)));
      if (found.length >= limit) break;
    }
  } finally {
    // Stopped early or not, the index cursor under it is released at once.
    candidates.return?.();
  }
  return found;
}

// Evaluated from the row and the parameters alone, as the general path would evaluate it.
function isPlain(expr: Expr): boolean {
  switch (expr.kind) {
    case 'literal':
    case 'param':
    case 'column':
      return true;
    case 'binary':
    case 'not':
    case 'negate':
    case 'is_null':
    case 'in_list':
    case 'between':
    case 'like':
      return children(expr).every(isPlain);
    default:
      return false;
  }
}
