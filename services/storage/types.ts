// The vocabulary shared by storage and the layers above it: column types, table definitions,
// row values and the change batch that one Raft entry carries.
import type { Decimal } from '../values/decimal.js';
import type { Collation } from '../values/collation.js';
import type { JsonDocument } from '../values/json-document.js';
import type { SqlDate, SqlDateTime, SqlTime } from '../values/temporal.js';

// A SQL value as TideDB holds it. Integers are bigint so that BIGINT keeps all 64 bits;
// DOUBLE is number; CHAR/VARCHAR/TEXT are string; BOOLEAN is boolean. DECIMAL, DATE, TIME and
// DATETIME/TIMESTAMP are small immutable classes from services/values (their DESIGN.md says
// why classes): `instanceof` tells them apart where `typeof` tells the primitives apart.
// BINARY, VARBINARY and BLOB hold bytes (a Uint8Array; storage hands back Buffers, which are);
// JSON holds a JsonDocument (services/values/json-document.ts).
export type Value = null | bigint | number | string | boolean | Decimal | SqlDate | SqlTime | SqlDateTime | Uint8Array | JsonDocument;
export type Row = readonly Value[];

// FLOAT and REAL are not here: a column declared so is a DOUBLE (sql/DESIGN.md says why).
// CHAR is a VARCHAR of at most `length` characters stored without trailing spaces.
// BINARY is a VARBINARY of `length` bytes padded with zero bytes to its length, as MySQL's.
export const columnTypes = ['TINYINT', 'SMALLINT', 'MEDIUMINT', 'INT', 'BIGINT', 'DECIMAL', 'DOUBLE', 'CHAR', 'VARCHAR', 'TEXT', 'BOOLEAN', 'DATE', 'TIME', 'DATETIME', 'TIMESTAMP', 'BINARY', 'VARBINARY', 'BLOB', 'JSON'] as const;
export type ColumnType = (typeof columnTypes)[number];

export const integerColumnTypes: ReadonlySet<ColumnType> = new Set(['TINYINT', 'SMALLINT', 'MEDIUMINT', 'INT', 'BIGINT']);

// What the integer column types hold (MySQL's signed ranges).
export const integerRanges = {
  TINYINT: { min: -(2n ** 7n), max: 2n ** 7n - 1n },
  SMALLINT: { min: -(2n ** 15n), max: 2n ** 15n - 1n },
  MEDIUMINT: { min: -(2n ** 23n), max: 2n ** 23n - 1n },
  INT: { min: -(2n ** 31n), max: 2n ** 31n - 1n },
  BIGINT: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
} as const;

// What they hold UNSIGNED: 0 to 2^bits - 1.
export const unsignedIntegerRanges = {
  TINYINT: { min: 0n, max: 2n ** 8n - 1n },
  SMALLINT: { min: 0n, max: 2n ** 16n - 1n },
  MEDIUMINT: { min: 0n, max: 2n ** 24n - 1n },
  INT: { min: 0n, max: 2n ** 32n - 1n },
  BIGINT: { min: 0n, max: 2n ** 64n - 1n },
} as const;

export type IntegerColumnType = keyof typeof integerRanges;

export function integerRangeOf(type: IntegerColumnType, column: ColumnDef): { readonly min: bigint; readonly max: bigint } {
  return (column.unsigned === true ? unsignedIntegerRanges : integerRanges)[type];
}

// A BIGINT UNSIGNED column holds its values as `Decimal`s of scale 0, not bigints: they reach
// 2^64 - 1, past what a JSON number keeps and past Avro's long, so the HTTP contract writes them
// as decimal strings and change events as decimal(20,0), which a Decimal already is everywhere.
// Every other integer column, UNSIGNED included, holds bigints (they fit JSON numbers exactly).
export function holdsUnsignedBigint(column: ColumnDef): boolean {
  return column.type === 'BIGINT' && column.unsigned === true;
}

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  // The declared length of a CHAR or VARCHAR, in characters, or of a BINARY or VARBINARY, in
  // bytes; null for every other type.
  readonly length: number | null;
  readonly nullable: boolean;
  readonly autoIncrement: boolean;
  // DECIMAL(precision, scale); absent on every other type, so definitions written before
  // DECIMAL existed read the same.
  readonly precision?: number;
  readonly scale?: number;
  // Fractional-seconds digits (0–6) of TIME, DATETIME and TIMESTAMP; absent on other types.
  readonly fsp?: number;
  // An UNSIGNED integer column (TINYINT … BIGINT): 0 to 2^bits - 1. Absent (not false) on
  // signed and other columns, so definitions written before it existed read the same.
  readonly unsigned?: true;
  // DEFAULT: what an INSERT that gives the column no value stores. Absent: NULL, MySQL's
  // implicit default (a NOT NULL column without one then refuses the row).
  readonly default?: ColumnDefault;
  // ON UPDATE CURRENT_TIMESTAMP (DATETIME, TIMESTAMP): an UPDATE that changes the row and does
  // not set the column sets it to the statement's time.
  readonly onUpdateCurrentTimestamp?: true;
  // The hidden row id of a table declared without a primary key (`hiddenRowIdColumn`): its
  // key, never shown by `SELECT *` nor filled by a client. Absent (not false) on every other
  // column, so definitions written before it existed read the same.
  readonly hidden?: true;
  // A CHAR, VARCHAR or TEXT column compared, ordered and keyed case- and accent-insensitively
  // (values/collation.ts); absent means utf8mb4_bin, byte order, so definitions written before
  // collations existed read the same.
  readonly collation?: 'utf8mb4_general_ci';
}

// A column's collation: utf8mb4_bin unless it says otherwise.
export function collationOf(column: Pick<ColumnDef, 'collation'>): Collation {
  return column.collation ?? 'utf8mb4_bin';
}

// The name of the hidden row id, as TiDB's: a BIGINT NOT NULL, the last column and the whole
// primary key of a table declared without one. Its values come from the table's
// auto-increment counter (such a table has no AUTO_INCREMENT column, which must start a
// primary key), allocated by the leader in the batch, so apply stays deterministic. The
// name is reserved in every table.
export const hiddenRowIdColumn = '_tidb_rowid';

// The columns a client sees and fills by position: all but the hidden row id.
export function isVisible(column: ColumnDef): boolean {
  return column.hidden !== true;
}

// A column's default: a constant, kept as a primitive a catalog record and JSON both carry (an
// exact value — integer, DECIMAL, date — as its text, which the column reads back exactly), or
// the time of the statement that inserts (CURRENT_TIMESTAMP, NOW()), which the leader computes
// once per statement and the batch carries as a value.
export type ColumnDefault =
  | { readonly kind: 'constant'; readonly value: string | number | boolean | null }
  | { readonly kind: 'current_timestamp' };

// A CHECK constraint: a row is refused when `expression` (SQL text over the table's columns,
// as SHOW CREATE TABLE prints it) is false; NULL passes, as in MySQL.
export interface CheckDef {
  readonly name: string;
  readonly expression: string;
}

export interface TableDef {
  // Never reused, so that changelog records keep naming the table they were written for
  // after it is dropped and another takes its name.
  readonly id: number;
  // The schema version of this definition: 1 when created, one more for each change of its
  // columns. The catalog keeps every version, and every stored row, changelog record and row
  // change in a batch names the version that wrote it, so old rows are read with their own
  // definition and never rewritten when a table changes (DESIGN.md, "Formats that last").
  readonly version: number;
  readonly database: string;
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  // Positions in `columns` of the primary key's parts, in key order.
  readonly primaryKey: readonly number[];
  // Secondary indexes of this version, in the order they were added. Absent (not empty) on
  // definitions written before indexes existed, so those read the same; `indexesOf` reads both.
  readonly indexes?: readonly IndexDef[];
  // CHECK constraints, column-level ones included. Absent (not empty) on definitions without.
  readonly checks?: readonly CheckDef[];
  // FOREIGN KEY constraints this table (the child) declares. Absent (not empty) on definitions
  // without, so those written before foreign keys existed read the same.
  readonly foreignKeys?: readonly ForeignKeyDef[];
  // The table's default collation (`COLLATE=` of CREATE TABLE), which its text columns declared
  // without one took and columns added later take. Absent means utf8mb4_bin.
  readonly collation?: 'utf8mb4_general_ci';
}

export function checksOf(table: TableDef): readonly CheckDef[] {
  return table.checks ?? [];
}

// What a change to a referenced parent row does to the child rows that reference it: refuse
// the change (RESTRICT and NO ACTION, which InnoDB checks alike, immediately), change the
// children alike (CASCADE), or set their referencing columns to NULL (SET NULL). RESTRICT and
// NO ACTION are kept apart only so that SHOW CREATE TABLE prints what was declared.
export type ForeignKeyRule = 'restrict' | 'no_action' | 'cascade' | 'set_null';

// A FOREIGN KEY of a child table: each row whose `columns` are all non-NULL must match a row
// of the parent table on `parentColumns`, which are its primary key or a UNIQUE index's columns
// in that order. The parent is named, not numbered, as in MySQL: its columns are looked up by
// name in its live version, and the child's own index leading with `columns` serves look-ups
// from the parent's side.
export interface ForeignKeyDef {
  // Unique among the constraints of the database (as InnoDB requires).
  readonly name: string;
  // Positions in this table version's columns, in the constraint's order.
  readonly columns: readonly number[];
  readonly parentDatabase: string;
  readonly parentTable: string;
  readonly parentColumns: readonly string[];
  readonly onDelete: ForeignKeyRule;
  readonly onUpdate: ForeignKeyRule;
}

export function foreignKeysOf(table: TableDef): readonly ForeignKeyDef[] {
  return table.foreignKeys ?? [];
}

// --- secondary indexes ------------------------------------------------------------------------

// One part of a secondary index: a column of the same table version, and its order.
export interface IndexPart {
  readonly position: number;
  readonly direction: 'asc' | 'desc';
}

// A secondary index, part of its table's definition: adding or dropping one makes a new version
// (storage/DESIGN.md, "Secondary indexes"). Entries are keyed by the index parts then the
// primary key, unique or not; UNIQUE is enforced by the leader before it proposes a batch.
export interface IndexDef {
  // Identifies the index's entries in storage; unique among the table's live indexes.
  readonly id: number;
  readonly name: string;
  readonly unique: boolean;
  readonly parts: readonly IndexPart[];
}

export function indexesOf(table: TableDef): readonly IndexDef[] {
  return table.indexes ?? [];
}

// --- views ------------------------------------------------------------------------------------

// A view: a named SELECT, kept in the catalog as the text the client wrote (sql/DESIGN.md,
// "Views", says why the text and not a normalized print). Views share the table namespace of
// their database; they hold no rows, so they have no id, no version and no Kafka topic.
export interface ViewDef {
  readonly database: string;
  readonly name: string;
  // The SELECT, exactly as it stood in CREATE VIEW; every query over the view parses and binds it.
  readonly query: string;
  // The view's column names, fixed at creation: the list CREATE VIEW gave, or else the names
  // of the query's result columns then.
  readonly columns: readonly string[];
  // Whether CREATE VIEW listed the columns (SHOW CREATE VIEW then prints the list).
  readonly columnsListed: boolean;
}

// --- accounts ---------------------------------------------------------------------------------

// The privileges an account can be granted, as MySQL names them.
export const privilegeNames = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'ALTER', 'INDEX'] as const;
export type Privilege = (typeof privilegeNames)[number];

// Privileges on one level: every database and table (`*.*`: both null), one database's every
// table (`db.*`: table null), or one table (`db.table`). One grant per level and account.
export interface GrantDef {
  readonly database: string | null;
  readonly table: string | null;
  // In privilegeNames' order, without repeats, never empty.
  readonly privileges: readonly Privilege[];
}

export type AuthPlugin = 'mysql_native_password' | 'caching_sha2_password';

// A user account: 'user'@'host' (a MySQL host pattern), how it logs in and what it may do. The
// password itself is never kept, nor proposed: the leader hashes it before the batch is made.
export interface AccountDef {
  readonly user: string;
  readonly host: string;
  readonly plugin: AuthPlugin;
  // SHA1(SHA1(password)) and SHA256(SHA256(password)); both null for an account without one.
  readonly nativeHash: Uint8Array | null;
  readonly sha2Hash: Uint8Array | null;
  readonly grants: readonly GrantDef[];
}

// `<database>.<table>`: how a live table's name is looked up.
export function qualifiedName(database: string, name: string): string {
  return `${database}.${name}`;
}

export type RowOp = 'c' | 'u' | 'd';

// One change inside a batch. Row changes carry full images: apply never computes, so every
// replica writes exactly the bytes the leader decided.
// Every schema change carries, in `ddl`, the text of the statement that made it when the leader
// had one (absent in batches of tests and of earlier versions): its changelog record keeps it
// for change streams and the Kafka `_schema` topic, as Debezium's schema change events do.
export type BatchChange =
  | { readonly kind: 'create_table'; readonly table: TableDef; readonly ddl?: string }
  | { readonly kind: 'drop_table'; readonly tableId: number; readonly ddl?: string }
  // A database made by CREATE DATABASE, and its removal by DROP DATABASE (after drop_table
  // changes for each of its tables). A database also exists, as before, while a table names it.
  // `collation`: the database's default collation (CREATE DATABASE … COLLATE), which its new
  // tables take; absent means utf8mb4_bin, so changes written before it read the same.
  | { readonly kind: 'create_database'; readonly name: string; readonly collation?: 'utf8mb4_general_ci'; readonly ddl?: string }
  | { readonly kind: 'drop_database'; readonly name: string; readonly ddl?: string }
  // CREATE [OR REPLACE] VIEW (a replace writes over the view of that name) and DROP VIEW. Views
  // change no rows and have no changelog record (storage/DESIGN.md).
  | { readonly kind: 'create_view'; readonly view: ViewDef }
  | { readonly kind: 'drop_view'; readonly database: string; readonly name: string }
  // A new version of a live table's definition (same id, version one more), from ALTER TABLE
  // and RENAME TABLE: a new name or database is a version too. Without `rewrite`, rows stay as
  // they are and reads map them to the new shape (storage/DESIGN.md says what such a version
  // may change). With it, apply removes every row and index entry of the table, and the
  // `rewritten_row` changes that follow in the batch hold all its rows in the new version.
  | { readonly kind: 'alter_table'; readonly table: TableDef; readonly rewrite?: true; readonly ddl?: string }
  // One row of a table an `alter_table … rewrite` just replaced, in that new version: apply
  // writes it and its index entries, and no change record (the rows did not change; their
  // table's definition did, which the alter_table's schema-change record says).
  | { readonly kind: 'rewritten_row'; readonly tableId: number; readonly schemaVersion: number; readonly row: Row }
  | {
      readonly kind: 'row';
      readonly tableId: number;
      // The version of the table's definition the images are in: the one the leader executed with.
      readonly schemaVersion: number;
      readonly op: RowOp;
      readonly before: Row | null;
      readonly after: Row | null;
    }
  | { readonly kind: 'auto_increment'; readonly tableId: number; readonly next: bigint }
  // A new version of a live table with one more index, `indexId`: apply writes an entry for
  // each of the table's rows, yielding between rows, in the entry's transaction.
  | { readonly kind: 'create_index'; readonly table: TableDef; readonly indexId: number; readonly ddl?: string }
  // A new version of a live table without index `indexId`: apply removes its entries.
  | { readonly kind: 'drop_index'; readonly table: TableDef; readonly indexId: number; readonly ddl?: string }
  // TRUNCATE TABLE: every row and index entry of a live table removed, yielding between them,
  // and its auto-increment counter back to 1 (as MySQL's). One changelog record (op `t`), not
  // a delete per row: a big table's truncate stays one small entry. The version is the
  // table's current one, which the record names.
  | { readonly kind: 'truncate_table'; readonly tableId: number; readonly schemaVersion: number; readonly ddl?: string }
  // An account written whole (CREATE USER, ALTER USER, GRANT, REVOKE) and its removal (DROP
  // USER). Not schema changes: no changelog record, no `ddl` text (it would hold the password),
  // nothing on change streams or Kafka (services/users/DESIGN.md).
  | { readonly kind: 'put_account'; readonly account: AccountDef }
  | { readonly kind: 'drop_account'; readonly user: string; readonly host: string };

// The schema changes: each has a changelog record (a DdlRecord; a truncate's is its `t` record).
export type DdlChange = Exclude<BatchChange, { readonly kind: 'row' | 'auto_increment' | 'create_view' | 'drop_view' | 'rewritten_row' | 'put_account' | 'drop_account' }>;
export type DdlKind = Exclude<DdlChange['kind'], 'truncate_table'>;

// Whether apply writes a changelog record for the change: each takes one lsn of its entry, of
// which there are at most changesPerBatchMax (base/limits.ts). Only auto-increment moves (the
// rows they number have theirs), views (which change no rows), a rewrite's rows (the
// alter_table's record says what changed) and accounts (never published) have none.
export function makesChangelogRecord(change: BatchChange): change is ChangeWithRecord {
  return change.kind !== 'auto_increment' && change.kind !== 'create_view' && change.kind !== 'drop_view' && change.kind !== 'rewritten_row' && change.kind !== 'put_account' && change.kind !== 'drop_account';
}

export type ChangeWithRecord = Exclude<BatchChange, { readonly kind: 'auto_increment' | 'create_view' | 'drop_view' | 'rewritten_row' | 'put_account' | 'drop_account' }>;

// What one Raft entry carries: the changes of one transaction, in statement order.
export interface ChangeBatch {
  // Leader's wall clock when it executed the batch; apply must not read a clock, so the
  // change events' ts_ms comes from here.
  readonly proposedAtMs: number;
  readonly changes: readonly BatchChange[];
}

// What a changelog record says happened to its table: a row change, or `t`, the table emptied
// by TRUNCATE (no images: the rows it removed are not listed).
export type ChangeOp = RowOp | 't';

// A change as the changelog keeps it, addressed by its lsn.
export interface ChangeRecord {
  readonly lsn: bigint;
  readonly tableId: number;
  // The version of the table's definition that wrote it; `before` and `after` are in its shape.
  readonly schemaVersion: number;
  readonly op: ChangeOp;
  readonly before: Row | null;
  readonly after: Row | null;
  readonly tsMs: number;
}

// A schema change as the changelog keeps it, in order with the row changes around it: which
// change, of which database and table, and the statement's text when the batch carried it.
export interface DdlRecord {
  readonly lsn: bigint;
  readonly op: 'ddl';
  readonly kind: DdlKind;
  readonly database: string;
  // The table changed and its version after the change (a drop: its last version); null for a
  // database's creation or drop.
  readonly tableId: number | null;
  readonly schemaVersion: number | null;
  readonly table: string | null;
  readonly ddl: string | null;
  readonly tsMs: number;
}

// What the changelog holds, in lsn order.
export type ChangelogRecord = ChangeRecord | DdlRecord;

export function isDdlRecord(record: ChangelogRecord): record is DdlRecord {
  return record.op === 'ddl';
}
