// Index nested-loop joins: when the inner (right) side of an inner or LEFT join is one table,
// read straight or through its own filter, and a hash-join key of it is a column that starts
// its primary key or one of its indexes, each outer row looks its matches up by that key
// instead of the join hashing the whole inner table first. With a few outer rows (a point
// lookup joined to its details, the usual shape of an application's query) the join reads a
// few rows where a hash join reads both tables whole. The access path takes each outer value as
// a constant (access-path.ts), so a value no key can hold falls back to reading the table.
import { holdsUnsignedBigint, indexesOf } from '../../storage/types.js';
import type { ColumnDef, TableDef } from '../../storage/types.js';
import type { Expr } from '../plan.js';
import { accessPaths } from './access-path.js';
import type { LogicalPlan } from './logical-plan.js';

export interface IndexLookup {
  readonly table: TableDef;
  // The inner side's table access, and its own filter (over the inner row) when it has one.
  readonly scan: Extract<LogicalPlan, { kind: 'scan' }>;
  readonly filter: Expr | null;
  // For each join key that is an inner column: its place among the join's keys and the column.
  readonly keyColumns: readonly { readonly at: number; readonly position: number }[];
}

export function indexLookupOf(plan: Extract<LogicalPlan, { kind: 'join' }>): IndexLookup | null {
  if (!accessPaths.enabled || plan.type === 'right' || plan.leftKeys.length === 0) return null;
  const scan = plan.right.kind === 'filter' ? plan.right.input : plan.right;
  if (scan.kind !== 'scan') return null;
  const filter = plan.right.kind === 'filter' ? plan.right.predicate : null;
  const keyColumns = plan.rightKeys.flatMap((key, at) => (key.kind === 'column' ? [{ at, position: key.position }] : []));
  const leading = new Set([scan.table.primaryKey[0], ...indexesOf(scan.table).map((index) => index.parts[0]!.position)]);
  if (!keyColumns.some(({ position }) => leading.has(position) && usableAsKey(scan.table.columns[position]!))) return null;
  return { table: scan.table, scan, filter, keyColumns };
}

// The column types whose values the access paths take as keys (access-path.ts, keyValue). On
// any other (DECIMAL, dates, binary, BIGINT UNSIGNED) every outer row would read the whole inner
// table, so such a join stays a hash join, which reads it once.
const keyTypes = new Set<string>(['TINYINT', 'SMALLINT', 'MEDIUMINT', 'INT', 'BIGINT', 'DOUBLE', 'CHAR', 'VARCHAR', 'TEXT']);

function usableAsKey(column: ColumnDef): boolean {
  return keyTypes.has(column.type) && !holdsUnsignedBigint(column);
}
