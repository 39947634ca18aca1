// What the executor reads: the catalog and rows as of some point. The store implements it for
// applied state; OverlayView stacks not-yet-applied changes on top of any view.
import type { IndexEntry, IndexRange } from '../storage/index-key.js';
import type { ColumnMask } from '../storage/row-columns.js';
import type { StorageTotals } from '../storage/store.js';
import type { Collation } from '../values/collation.js';
import type { AccountDef, IndexDef, Row, TableDef, ViewDef } from '../storage/types.js';

export interface ReadView {
  // What LAST_INSERT_ID() answers: the first AUTO_INCREMENT id the latest INSERT that generated
  // one, earlier in the same request or transaction, generated; null (or absent) when none did.
  readonly lastInsertId?: bigint | null;
  table(database: string, name: string): TableDef | undefined;
  // Every table ever created, dropped ones included (their names still own Kafka topics).
  allTables(): readonly TableDef[];
  // Databases made by CREATE DATABASE and not dropped, sorted. (A database a live table names
  // exists too, created or not.)
  createdDatabases(): readonly string[];
  // A created database's default collation (CREATE DATABASE … COLLATE), which its new tables
  // take; utf8mb4_bin for any other name.
  databaseCollation(name: string): Collation;
  // A live view by name (views share the table namespace: a name is a table's or a view's).
  viewDef(database: string, name: string): ViewDef | undefined;
  // Live views, by database and name.
  allViews(): readonly ViewDef[];
  // An account by its exact user and host pattern; every account, by user then host.
  account(user: string, host: string): AccountDef | undefined;
  allAccounts(): readonly AccountDef[];
  // The rows of a live table, exact (kept by apply and by the view's own writes), 0 otherwise.
  rowCount(tableId: number): number;
  // The leader's clock when the batch that created a live table was proposed; null for a table
  // not applied yet, or created before format 3.
  tableCreatedAtMs(tableId: number): number | null;
  // Bytes and counts of all tables' rows and index entries as applied: what a table's size
  // estimate is a share of.
  storageTotals(): StorageTotals;
  nextTableId(): number;
  autoIncrementNext(tableId: number): bigint;
  getRow(table: TableDef, key: Buffer): Row | undefined;
  // The table's rows in primary-key order (or its reverse), all of them or those whose key
  // lies in `range`: bounds on a prefix of the primary key's parts, as for an index. With
  // `columns`, a row's other columns may read as NULL (storage/row-columns.ts): for a reader
  // that reads none of them.
  scanRows(table: TableDef, range?: IndexRange, reverse?: boolean, columns?: ColumnMask): Iterable<{ readonly key: Buffer; readonly row: Row }>;
  // An index range scan: the entries of one of `table`'s indexes within `range` (bounds on a
  // prefix of the index's parts, in key order: storage/index-key.ts), in key order. Each names
  // its row's primary key (`rowKey`), which `getRow` reads; `decodeIndexEntry`
  // (storage/key-decoder.ts) reads the indexed values and primary key from `key` instead, for a
  // covering read. Entries of NULLs come first in an ASC part, last in a DESC one.
  scanIndex(table: TableDef, index: IndexDef, range: IndexRange, reverse?: boolean): Iterable<IndexEntry>;
}
