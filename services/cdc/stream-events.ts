// The events of an HTTP change stream, as plain objects ready for JSON: a row change, the
// schema a table's following rows are in, how far the stream is up to date, and its end. Pure
// functions of changelog records and table versions, so every node (and a stream resumed on
// another one) describes a change with the same event.
import { assert } from '../base/assert.js';
import type { ErrorCode } from '../base/errors.js';
import { isVisible } from '../storage/types.js';
import type { ChangeOp, ChangeRecord, DdlKind, DdlRecord, Row, TableDef, Value } from '../storage/types.js';

// `t`: TRUNCATE emptied the table (no key, no images), as Debezium's truncate event.
export type StreamOp = 'c' | 'u' | 'd' | 'r' | 't';

export interface ChangeEvent {
  readonly type: 'change';
  // The change's position in the log, a decimal string; snapshot rows carry the snapshot's.
  readonly lsn: string;
  readonly database: string;
  readonly table: string;
  readonly schema_version: number;
  readonly op: StreamOp;
  // The primary key's columns (the hidden row id for a table declared without one); null for
  // a truncate, which is about every row.
  readonly key: Readonly<Record<string, Value>> | null;
  readonly before: Readonly<Record<string, Value>> | null;
  readonly after: Readonly<Record<string, Value>> | null;
  readonly ts_ms: number | null;
  // The committing transaction: its id (its Raft index, as the Kafka events' source.txId and
  // transaction.id), this event's place among the ones this stream delivers of it (1-based)
  // and how many that is, so a client can apply a transaction whole. Null for snapshot rows.
  readonly transaction: { readonly id: string; readonly order: number; readonly total: number } | null;
}

// A schema change (CREATE, ALTER or DROP of a table, an index change, CREATE or DROP DATABASE),
// in order with the row changes: a table's drop reaches its stream before anything of a table
// made later under its name. TRUNCATE is a change event of op `t` instead.
export interface DdlEvent {
  readonly type: 'ddl';
  readonly lsn: string;
  readonly database: string;
  // Null for CREATE and DROP DATABASE.
  readonly table: string | null;
  readonly kind: DdlKind;
  // The table's version after the change (a drop: its last); null for a database's.
  readonly schema_version: number | null;
  // The statement's text, when the leader had it.
  readonly ddl: string | null;
  readonly ts_ms: number;
  readonly transaction: { readonly id: string; readonly order: number; readonly total: number };
}

export interface SchemaEvent {
  readonly type: 'schema';
  readonly database: string;
  readonly table: string;
  readonly schema_version: number;
  readonly columns: readonly { readonly name: string; readonly type: string; readonly nullable: boolean }[];
  readonly primary_key: readonly string[];
}

// Every change at or below `lsn` that the stream matches has been delivered.
export interface ProgressEvent {
  readonly type: 'progress';
  readonly lsn: string;
}

// The snapshot's rows are all delivered; changes after `lsn` follow.
export interface SnapshotEndEvent {
  readonly type: 'snapshot_end';
  readonly lsn: string;
}

// The node ends the stream; resuming with from=`lsn` loses and repeats nothing.
export interface EndEvent {
  readonly type: 'end';
  readonly code: ErrorCode;
  readonly message: string;
  readonly lsn: string;
}

export type StreamEvent = ChangeEvent | DdlEvent | SchemaEvent | ProgressEvent | SnapshotEndEvent | EndEvent;

export function schemaEvent(table: TableDef): SchemaEvent {
  return {
    type: 'schema',
    database: table.database,
    table: table.name,
    schema_version: table.version,
    columns: table.columns.filter(isVisible).map((column) => ({
      name: column.name,
      type: column.length === null ? column.type : `${column.type}(${column.length})`,
      nullable: column.nullable,
    })),
    primary_key: table.primaryKey.map((position) => table.columns[position]!.name),
  };
}

// `table` is the version that wrote the record; `order` and `total` place it among the events
// this stream delivers of its transaction.
// What a filtered stream makes of a change: an update that moves a row out of its filter is a
// delete for it, one that moves a row in is a create (change-stream.ts decides).
export interface ChangeShape {
  readonly op: ChangeOp;
  readonly before: Row | null;
  readonly after: Row | null;
}

// `columns`: the ones a subscriber asked for (the key's always come too), or null for all.
export function changeEvent(
  record: ChangeRecord,
  table: TableDef,
  transactionId: bigint,
  order: number,
  total: number,
  shape: ChangeShape = record,
  columns: ReadonlySet<string> | null = null,
): ChangeEvent {
  assert(record.tableId === table.id && record.schemaVersion === table.version);
  const image = shape.after ?? shape.before;
  assert((image === null) === (shape.op === 't'), `change ${record.lsn} (op ${shape.op}) has ${image === null ? 'no' : 'a'} row image`);
  return {
    type: 'change',
    lsn: record.lsn.toString(),
    database: table.database,
    table: table.name,
    schema_version: table.version,
    op: shape.op,
    key: image === null ? null : keyObject(table, image),
    before: shape.before === null ? null : rowObject(table, shape.before, columns),
    after: shape.after === null ? null : rowObject(table, shape.after, columns),
    ts_ms: record.tsMs,
    transaction: { id: transactionId.toString(), order, total },
  };
}

export function ddlEvent(record: DdlRecord, transactionId: bigint, order: number, total: number): DdlEvent {
  return {
    type: 'ddl',
    lsn: record.lsn.toString(),
    database: record.database,
    table: record.table,
    kind: record.kind,
    schema_version: record.schemaVersion,
    ddl: record.ddl,
    ts_ms: record.tsMs,
    transaction: { id: transactionId.toString(), order, total },
  };
}

export function snapshotEvent(row: Row, table: TableDef, lsn: bigint, columns: ReadonlySet<string> | null = null): ChangeEvent {
  return {
    type: 'change',
    lsn: lsn.toString(),
    database: table.database,
    table: table.name,
    schema_version: table.version,
    op: 'r',
    key: keyObject(table, row),
    before: null,
    after: rowObject(table, row, columns),
    ts_ms: null,
    transaction: null,
  };
}

function keyObject(table: TableDef, row: Row): Record<string, Value> {
  const key: Record<string, Value> = {};
  for (const position of table.primaryKey) key[table.columns[position]!.name] = row[position]!;
  return key;
}

// The hidden row id is in the key only, as in the Kafka events.
function rowObject(table: TableDef, row: Row, columns: ReadonlySet<string> | null): Record<string, Value> {
  assert(row.length === table.columns.length, `row of ${row.length} values for ${table.columns.length} columns`);
  const object: Record<string, Value> = {};
  table.columns.forEach((column, position) => {
    if (!isVisible(column)) return;
    if (columns === null || columns.has(column.name) || table.primaryKey.includes(position)) object[column.name] = row[position]!;
  });
  return object;
}
