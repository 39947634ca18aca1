// Encoding of changelog records. Byte 0 names the record's format:
// - 1, a row change (or a truncate, op `t`): the same 5-byte header as a stored row (format,
//   then the schema version that wrote the record), then a MessagePack map {tableId, op,
//   before, after, tsMs} whose images are arrays in that version's column order. A record is
//   read with its own version's definition, and stays in that shape: its change event is
//   encoded with that version's Avro schema (cdc/change-encoder.ts), as the row was when it
//   changed.
// - 2, a schema change (DdlRecord): a MessagePack map {kind, database, tableId, schemaVersion,
//   table, ddl, tsMs}, with no images and so no version header.
import { AssertionError, assert } from '../base/assert.js';
import { copyingPackr, packr, readVersionHeader, restoreRow, versionHeaderBytes, withVersionHeader } from './row-codec.js';
import type { ChangeOp, ChangeRecord, ChangelogRecord, DdlKind, DdlRecord, Row, TableDef } from './types.js';

// Byte 0 of a row change's record; a later layout takes the next free number.
export const changeRecordFormat = 1;
// Byte 0 of a schema change's record.
export const ddlRecordFormat = 2;

interface RecordBody {
  readonly tableId: number;
  // `t` (TRUNCATE) came after the first records of this format; its images are both null.
  readonly op: ChangeOp;
  readonly before: Row | null;
  readonly after: Row | null;
  readonly tsMs: number;
}

type DdlBody = Omit<DdlRecord, 'lsn' | 'op'>;

const ddlKinds: readonly DdlKind[] = ['create_table', 'drop_table', 'alter_table', 'create_index', 'drop_index', 'create_database', 'drop_database'];

export function encodeChangeRecord(record: Omit<ChangeRecord, 'lsn'>): Buffer {
  const body: RecordBody = { tableId: record.tableId, op: record.op, before: record.before, after: record.after, tsMs: record.tsMs };
  return withVersionHeader(changeRecordFormat, record.schemaVersion, packr.pack(body));
}

export function encodeDdlRecord(record: Omit<DdlRecord, 'lsn' | 'op'>): Buffer {
  const body: DdlBody = { kind: record.kind, database: record.database, tableId: record.tableId, schemaVersion: record.schemaVersion, table: record.table, ddl: record.ddl, tsMs: record.tsMs };
  return Buffer.concat([Buffer.from([ddlRecordFormat]), packr.pack(body)]);
}

// `tableVersion` answers every version of every table ever created, dropped ones included.
export function decodeChangeRecord(lsn: bigint, bytes: Uint8Array, tableVersion: (id: number, version: number) => TableDef | undefined): ChangelogRecord {
  return restoreChangeRecord(lsn, unpackChangeRecord(bytes, bytes.length), tableVersion);
}

// A changelog record's bytes unpacked, its images not yet read with their table version.
export type UnpackedChangeRecord =
  | { readonly format: typeof changeRecordFormat; readonly schemaVersion: number; readonly body: RecordBody }
  | { readonly format: typeof ddlRecordFormat; readonly body: DdlBody };

// Binary values are copied out of `bytes`, and nothing else refers to it (copyingPackr): lmdb-js
// hands the changelog's reader its shared read buffer (longer than the record, which ends at
// `end`), overwritten by the next read.
export function unpackChangeRecord(bytes: Uint8Array, end: number): UnpackedChangeRecord {
  if (bytes[0] === ddlRecordFormat) return { format: ddlRecordFormat, body: copyingPackr.unpack(bytes, { start: 1, end }) as DdlBody };
  const schemaVersion = readVersionHeader(changeRecordFormat, bytes);
  return { format: changeRecordFormat, schemaVersion, body: copyingPackr.unpack(bytes, { start: versionHeaderBytes, end }) as RecordBody };
}

// The record at `lsn` from its unpacked bytes, its images in the shape of the version that
// wrote them.
export function restoreChangeRecord(lsn: bigint, unpacked: UnpackedChangeRecord, tableVersion: (id: number, version: number) => TableDef | undefined): ChangelogRecord {
  if (unpacked.format === ddlRecordFormat) return restoreDdlRecord(lsn, unpacked.body);
  const { schemaVersion, body } = unpacked;
  const table = tableVersion(body.tableId, schemaVersion);
  if (table === undefined || table.version !== schemaVersion) throw new AssertionError(`changelog names unknown table ${body.tableId} version ${schemaVersion}`);
  const restore = (image: unknown): Row | null => (image === null ? null : restoreRow(table, image));
  return { lsn, tableId: body.tableId, schemaVersion, op: body.op, before: restore(body.before), after: restore(body.after), tsMs: body.tsMs };
}

function restoreDdlRecord(lsn: bigint, body: DdlBody): DdlRecord {
  assert(ddlKinds.includes(body.kind), `changelog record ${lsn} of unknown schema change ${String(body.kind)}`);
  assert(typeof body.database === 'string' && typeof body.tsMs === 'number');
  assert((body.tableId === null) === (body.kind === 'create_database' || body.kind === 'drop_database'));
  return { lsn, op: 'ddl', kind: body.kind, database: body.database, tableId: body.tableId, schemaVersion: body.schemaVersion, table: body.table, ddl: body.ddl, tsMs: body.tsMs };
}
