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
import type { Row, Value } from '../../storage/types.js';
import { evaluate, truth } from '../expression.js';
import type { Expr } from '../plan.js';
import type { ReadView } from '../read-view.js';
import { accessPaths, chooseAccess } from './access-path.js';
import { residualWhere } from './covered-conjuncts.js';
import { children } from './expr-walk.js';
import { accessRows } from './key-lookup.js';
import type { LogicalPlan, SelectQuery } from './logical-plan.js';
import { keyReadShape, pointGetOf, pointGetRows } from './point-get.js';
import type { KeyReadShape, PointGet } from './point-get.js';
import { checkResultBytes } from './result-limits.js';
import type { SelectResult } from './result-limits.js';

// Rows a lookup read at once may read; past them it gives way to the general path.
export const directRowsMax = 16;

// What a plan reads at once, worked out once per plan (plans are kept).
type DirectShape = { readonly kind: 'point'; readonly get: PointGet } | { readonly kind: 'lookup'; readonly lookup: KeyReadShape };

const shapes = new WeakMap<LogicalPlan, DirectShape | null>();

// The query's result read at once from `view`, or null when the general path must answer: the
// plan is not one of these shapes, or this run's values do not make it one (a point get's key
// that is not exactly a key, an index not pinned whole, too many rows).
export function directRead(query: SelectQuery, params: readonly Value[], view: ReadView): SelectResult | null {
  const shape = directShapeOf(query.plan);
  if (shape === null) return null;
  const rows = shape.kind === 'point' ? pointGetRows(shape.get, params, view) : lookupRows(shape.lookup, params, view);
  if (rows === null) return null;
  checkResultBytes(rows);
  return { columns: query.columns, rows, ...(query.origins === undefined ? {} : { origins: query.origins }) };
}

// Whether the query has a shape read at once, whatever its values: a caller skips the work a
// read at once needs first (its privilege check) for any other.
export function readsDirectly(query: SelectQuery): boolean {
  return directShapeOf(query.plan) !== null;
}

function directShapeOf(plan: LogicalPlan): DirectShape | null {
  if (!accessPaths.enabled) return null;
  let shape = shapes.get(plan);
  if (shape === undefined) shapes.set(plan, (shape = recognize(plan)));
  return shape;
}

function recognize(plan: LogicalPlan): DirectShape | null {
  const get = pointGetOf(plan);
  if (get !== null) return get.exprs.every(isPlain) ? { kind: 'point', get } : null;
  const lookup = keyReadShape(plan);
  return lookup !== null && isPlain(lookup.predicate) && lookup.exprs.every(isPlain) ? { kind: 'lookup', lookup } : null;
}

function lookupRows(lookup: KeyReadShape, params: readonly Value[], view: ReadView): Row[] | null {
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
