// Encoding of changelog records: the same 5-byte header as a stored row (format, then the
// schema version that wrote the record), then a MessagePack map {tableId, op, before, after,
// tsMs} whose images are arrays in that version's column order. A record is read with its own
// version's definition, and stays in that shape: its change event is encoded with that
// version's Avro schema (cdc/change-encoder.ts), as the row was when it changed.
import { AssertionError } from '../base/assert.js';
import { packr, readVersionHeader, restoreRow, versionHeaderBytes, withVersionHeader } from './row-codec.js';
import type { ChangeOp, ChangeRecord, Row, TableDef } from './types.js';

// Byte 0 of a changelog record; a later layout takes the next number.
export const changeRecordFormat = 1;

interface RecordBody {
  readonly tableId: number;
  // `t` (TRUNCATE) came after the first records of this format; its images are both null.
  readonly op: ChangeOp;
  readonly before: Row | null;
  readonly after: Row | null;
  readonly tsMs: number;
}

export function encodeChangeRecord(record: Omit<ChangeRecord, 'lsn'>): Buffer {
  const body: RecordBody = { tableId: record.tableId, op: record.op, before: record.before, after: record.after, tsMs: record.tsMs };
  return withVersionHeader(changeRecordFormat, record.schemaVersion, packr.pack(body));
}

// `tableVersion` answers every version of every table ever created, dropped ones included.
export function decodeChangeRecord(lsn: bigint, bytes: Uint8Array, tableVersion: (id: number, version: number) => TableDef | undefined): ChangeRecord {
  const schemaVersion = readVersionHeader(changeRecordFormat, bytes);
  const body = packr.unpack(bytes.subarray(versionHeaderBytes)) as RecordBody;
  const table = tableVersion(body.tableId, schemaVersion);
  if (table === undefined || table.version !== schemaVersion) throw new AssertionError(`changelog names unknown table ${body.tableId} version ${schemaVersion}`);
  const restore = (image: unknown): Row | null => (image === null ? null : restoreRow(table, image));
  return { lsn, tableId: body.tableId, schemaVersion, op: body.op, before: restore(body.before), after: restore(body.after), tsMs: body.tsMs };
}
