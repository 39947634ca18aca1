// ORDER BY in a key's order: when a query level reads one table and its ORDER BY names a prefix
// of the primary key or of an index, all ascending or all descending relative to the key's
// parts, the table is read in that key's order (backwards for the opposite direction) and the
// sort becomes a LIMIT, which stops reading once it has its rows: `ORDER BY id LIMIT 10` reads
// ten rows, not the table. NULLs agree: a key puts them first in an ascending part and last in
// a descending one, as ORDER BY … ASC and DESC do. A secondary index is used for order only
// under a LIMIT: reading a whole table through one costs a second lookup per row, more than a
// sort of the rows a scan reads anyway.
import { indexesOf } from '../../storage/types.js';
import type { IndexDef, IndexPart, TableDef } from '../../storage/types.js';
import type { Expr, OrderTerm } from '../plan.js';
import { accessPaths } from './access-path.js';
import type { KeyOrder } from './access-path.js';
import type { LogicalPlan } from './logical-plan.js';

export function inKeyOrder(plan: LogicalPlan): LogicalPlan {
  if (!accessPaths.enabled || plan.kind !== 'sort' || plan.input.kind !== 'project') return plan;
  const project = plan.input;
  const source = project.input.kind === 'filter' ? project.input.input : project.input;
  if (source.kind !== 'scan' || source.order !== undefined) return plan;
  const columns = plan.keys.map((key) => tableColumnOf(key, project.exprs));
  if (columns.some((column) => column === null)) return plan;
  const order = matchingKey(source.table, plan.keys, columns as number[], plan.limit !== null);
  if (order === null) return plan;
  const scan: LogicalPlan = { ...source, order };
  const input: LogicalPlan = project.input.kind === 'filter' ? { ...project.input, input: scan } : scan;
  const reordered: LogicalPlan = { ...project, input };
  return plan.limit === null && plan.offset === null ? reordered : { kind: 'limit', input: reordered, limit: plan.limit, offset: plan.offset };
}

// The table column a sort key reads straight through the projection, or null.
function tableColumnOf(key: OrderTerm, exprs: readonly Expr[]): number | null {
  if (key.expr.kind !== 'column') return null;
  const projected = exprs[key.expr.position];
  return projected !== undefined && projected.kind === 'column' ? projected.position : null;
}

function matchingKey(table: TableDef, keys: readonly OrderTerm[], columns: readonly number[], limited: boolean): KeyOrder | null {
  const primary = table.primaryKey.map((position): IndexPart => ({ position, direction: 'asc' }));
  const candidates: { index: IndexDef | null; parts: readonly IndexPart[] }[] = [{ index: null, parts: primary }];
  if (limited) candidates.push(...indexesOf(table).map((index) => ({ index, parts: index.parts })));
  for (const { index, parts } of candidates) {
    const reverse = directionAgainst(parts, keys, columns);
    if (reverse !== null) return { index, reverse };
  }
  return null;
}

// Whether the sort keys are a prefix of the key's parts read backwards (true) or forwards
// (false), or null when they are not a prefix in one direction.
function directionAgainst(parts: readonly IndexPart[], keys: readonly OrderTerm[], columns: readonly number[]): boolean | null {
  if (keys.length === 0 || keys.length > parts.length) return null;
  let reverse: boolean | null = null;
  for (const [at, key] of keys.entries()) {
    const part = parts[at]!;
    if (part.position !== columns[at]) return null;
    const backwards = key.descending !== (part.direction === 'desc');
    if (reverse !== null && reverse !== backwards) return null;
    reverse = backwards;
  }
  return reverse;
}
