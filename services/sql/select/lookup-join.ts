// Index nested-loop joins: when the inner (right) side of an inner or LEFT join is one table,
// read straight or through its own filter, and a hash-join key of it is a column that starts
// its primary key or one of its indexes, each outer row looks its matches up by that key
// instead of the join hashing the whole inner table first. With a few outer rows (a point
// lookup joined to its details, the usual shape of an application's query) the join reads a
// few rows where a hash join reads both tables whole. The access path takes each outer value as
// a constant (access-path.ts), so a value no key can hold falls back to reading the table.
//
// With many outer rows a hash join pays instead: it reads the inner table once, where lookups
// cost a key read per outer row (100,000 orders joined to 1,000 customers: 100,000 reads
// against 1,000). Storage keeps each table's exact row count, so the choice compares an upper
// bound on the outer rows with the inner table's rows; where no bound is known (a derived
// table, a grouped input), the join looks up, as an application's joins usually want.
import type { ReadView } from '../read-view.js';
import { holdsUnsignedBigint, indexesOf } from '../../storage/types.js';
import type { ColumnDef, TableDef, Value } from '../../storage/types.js';
import type { Expr } from '../plan.js';
import { accessPaths, chooseAccess } from './access-path.js';
import type { LogicalPlan } from './logical-plan.js';

// What the choice reads: the tables' row counts, and the parameters a filter's key may name.
export interface JoinEstimates {
  readonly view: ReadView;
  readonly params: readonly Value[];
}

// Lookups cost a few times a row of a scan (a key read, a decode); below this share of the
// inner table's rows, the outer rows are few enough to look up.
const lookupCostPerScannedRow = 4;

export interface IndexLookup {
  readonly table: TableDef;
  // The inner side's table access, and its own filter (over the inner row) when it has one.
  readonly scan: Extract<LogicalPlan, { kind: 'scan' }>;
  readonly filter: Expr | null;
  // For each join key that is an inner column: its place among the join's keys and the column.
  readonly keyColumns: readonly { readonly at: number; readonly position: number }[];
}

export function indexLookupOf(plan: Extract<LogicalPlan, { kind: 'join' }>, estimates: JoinEstimates): IndexLookup | null {
  if (!accessPaths.enabled || plan.type === 'right' || plan.leftKeys.length === 0) return null;
  const scan = plan.right.kind === 'filter' ? plan.right.input : plan.right;
  if (scan.kind !== 'scan') return null;
  const filter = plan.right.kind === 'filter' ? plan.right.predicate : null;
  const keyColumns = plan.rightKeys.flatMap((key, at) => (key.kind === 'column' ? [{ at, position: key.position }] : []));
  const leading = new Set([scan.table.primaryKey[0], ...indexesOf(scan.table).map((index) => index.parts[0]!.position)]);
  if (!keyColumns.some(({ position }) => leading.has(position) && usableAsKey(scan.table.columns[position]!))) return null;
  const outerRows = rowsAtMost(plan.left, estimates);
  if (outerRows !== null && outerRows * lookupCostPerScannedRow > estimates.view.rowCount(scan.table.id)) return null;
  return { table: scan.table, scan, filter, keyColumns };
}

// An upper bound on the rows `plan` yields, or null when the row counts do not give one.
function rowsAtMost(plan: LogicalPlan, estimates: JoinEstimates): number | null {
  switch (plan.kind) {
    case 'scan':
      return estimates.view.rowCount(plan.table.id);
    case 'filter': {
      if (plan.input.kind !== 'scan') return rowsAtMost(plan.input, estimates);
      const path = chooseAccess(plan.input.table, plan.predicate, estimates.params, undefined, plan.input.order ?? null);
      return path.kind === 'point' ? path.keys.length : estimates.view.rowCount(plan.input.table.id);
    }
    case 'project':
    case 'sort':
    case 'limit':
    case 'distinct':
      return rowsAtMost(plan.input, estimates);
    case 'join':
      // An inner or LEFT join on the whole primary key of its right table gives each left row
      // one match at most (a LEFT join pads a left row with none).
      return plan.type !== 'right' && joinsOnPrimaryKey(plan) ? rowsAtMost(plan.left, estimates) : null;
    default:
      return null;
  }
}

function joinsOnPrimaryKey(plan: Extract<LogicalPlan, { kind: 'join' }>): boolean {
  const scan = plan.right.kind === 'filter' ? plan.right.input : plan.right;
  if (scan.kind !== 'scan') return false;
  const keyed = new Set(plan.rightKeys.flatMap((key) => (key.kind === 'column' ? [key.position] : [])));
  return scan.table.primaryKey.every((position) => keyed.has(position));
}

// The column types whose values the access paths take as keys (access-path.ts, keyValue). On
// any other (DECIMAL, dates, binary, BIGINT UNSIGNED) every outer row would read the whole inner
// table, so such a join stays a hash join, which reads it once.
const keyTypes = new Set<string>(['TINYINT', 'SMALLINT', 'MEDIUMINT', 'INT', 'BIGINT', 'DOUBLE', 'CHAR', 'VARCHAR', 'TEXT']);

function usableAsKey(column: ColumnDef): boolean {
  return keyTypes.has(column.type) && !holdsUnsignedBigint(column);
}
