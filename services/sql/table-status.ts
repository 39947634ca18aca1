// What SHOW TABLE STATUS and information_schema.TABLES say about a table or view, with MySQL's
// columns: everything from ENGINE (Engine) to TEMPORARY (Temporary), in that order.
//
// Rows is exact: apply keeps each table's row count in replicated meta (storage/DESIGN.md), and
// a transaction's view adds its own inserts and deletes, so no call scans a table. Sizes are an
// estimate: LMDB keeps the pages of all tables' rows in one sub-database and of all index entries
// in another, so a table's Data_length is its share of the rows' pages by row count, and its
// Index_length its share of the index pages by index entries (rows × indexes). Rows of very
// different widths across tables make the shares rough; they are exact for one table.
import type { TableDef, Value } from '../storage/types.js';
import { indexesOf } from '../storage/types.js';
import { SqlDateTime } from '../values/temporal.js';
import type { ReadView } from './read-view.js';

export const tableStatusColumns = ['Name', 'Engine', 'Version', 'Row_format', 'Rows', 'Avg_row_length', 'Data_length', 'Max_data_length', 'Index_length', 'Data_free', 'Auto_increment', 'Create_time', 'Update_time', 'Check_time', 'Collation', 'Checksum', 'Create_options', 'Comment', 'Max_index_length', 'Temporary'] as const;

// From Engine to Temporary (Name excluded).
export function tableStatusValues(view: ReadView, table: TableDef): Value[] {
  const rows = view.rowCount(table.id);
  const totals = view.storageTotals();
  const dataBytes = share(totals.rowBytes, rows, totals.rows);
  const indexBytes = share(totals.indexBytes, rows * indexesOf(table).length, totals.indexEntries);
  const autoIncrement = table.columns.some((column) => column.autoIncrement) ? view.autoIncrementNext(table.id) : null;
  const createdAtMs = view.tableCreatedAtMs(table.id);
  const created = createdAtMs === null ? null : dateTimeOfMs(createdAtMs);
  return ['InnoDB', 10n, 'Dynamic', BigInt(rows), rows === 0 ? 0n : BigInt(Math.round(dataBytes / rows)), BigInt(dataBytes), 0n, BigInt(indexBytes), 0n, autoIncrement, created, null, null, table.collation ?? 'utf8mb4_bin', null, '', '', 0n, 'N'];
}

// A view's line: NULL but for its Comment, as MySQL answers.
export function viewStatusValues(): Value[] {
  return [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, 'VIEW', null, null];
}

function share(bytes: number, part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((bytes * part) / whole);
}

function dateTimeOfMs(ms: number): SqlDateTime {
  return new SqlDateTime(BigInt(Math.floor(ms / 1000)) * 1_000_000n, 0);
}
