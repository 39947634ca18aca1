// Encoding of stored rows: a 5-byte header naming the row format and the schema version that
// wrote the row, then its values as a MessagePack array in that version's column order.
// MessagePack keeps no SQL type (a DOUBLE 1.0 comes back as the integer 1, a small BIGINT as a
// number), so decoding restores each value's type from the writing version's definition; a
// reader in another version then maps the row to its own shape (`reshapeRow`).
import { Packr } from 'msgpackr';
import { AssertionError, assert, assertNever } from '../base/assert.js';
import { Decimal } from '../values/decimal.js';
import { JsonDocument } from '../values/json-document.js';
import { SqlDate, SqlDateTime, SqlTime } from '../values/temporal.js';
import type { ColumnType, Row, TableDef, Value } from './types.js';
// DECIMAL and temporal values pack as MessagePack extension types, registered here.
import './value-extensions.js';

// Records off: every value is self-describing, so a reader never depends on structures
// registered by an earlier writer. int64AsType: 64-bit integers come back exact.
export const packrOptions = { useRecords: false, int64AsType: 'bigint', mapsAsObjects: true } as const;
export const packr = new Packr(packrOptions);

// Byte 0 of a stored row. Another encoding of values (say, sparse by column id) would take the
// next number and live beside this one, read row by row, so no table ever needs rewriting.
export const rowFormat = 1;
export const versionHeaderBytes = 5;

export function encodeRow(table: TableDef, row: Row): Buffer {
  assert(row.length === table.columns.length, 'row shape differs from table');
  return withVersionHeader(rowFormat, table.version, packr.pack(row));
}

// The schema version that wrote a stored row.
export function rowVersion(bytes: Uint8Array): number {
  return readVersionHeader(rowFormat, bytes);
}

// Decodes a row with the definition of the version that wrote it.
export function decodeRow(writer: TableDef, bytes: Uint8Array): Row {
  return restoreStoredRow(writer, decodeStoredRow(bytes));
}

export function restoreRow(table: TableDef, raw: unknown): Row {
  assert(Array.isArray(raw), 'row shape differs from table');
  return restoreValues(table, raw, new Array<Value>(raw.length));
}

// Each of `raw`'s values with its SQL type restored, written into `into` (which may be `raw`).
function restoreValues(table: TableDef, raw: readonly unknown[], into: unknown[]): Row {
  const columns = table.columns;
  assert(raw.length === columns.length, 'row shape differs from table');
  for (let position = 0; position < columns.length; position++) into[position] = restoreValue(columns[position]!.type, raw[position]);
  return into as Row;
}

// A stored row as the row reader hands it over: the version that wrote it and its values as
// unpacked, their SQL types not yet restored (restoreStoredRow does that, once the reader knows
// the definition of that version).
export interface StoredRow {
  readonly version: number;
  readonly values: unknown[];
}

// Unpacks from LMDB's shared read buffer, which the next read overwrites (the row and the
// changelog readers): binary values (BLOB) are copied out instead of being views of it. The
// extension types copy what they decode.
export const copyingPackr = new Packr({ ...packrOptions, copyBuffers: true });

// The value encoding of a read-only handle on the rows database (lmdb-js calls `decode` with its
// shared buffer, sized to the value, when an encoding has one): a scan decodes each row where
// LMDB left it, where the binary handle copied every row into a buffer of its own first — the
// largest allocation of a range scan. Rows are written through the binary handle only.
export const storedRowEncoding = {
  encode(): never {
    throw new AssertionError('rows are written as bytes (encodeRow), not through the row reader');
  },
  decode: decodeStoredRow,
};

// The value encoding of a read-only handle that hands over each row's bytes where LMDB left them
// (its shared buffer, which the next read overwrites), sized to the row, for a reader that
// decodes them at once (row-columns.ts). A range read passes the row's size; lmdb-js has set the
// shared buffer's length to it already (a get passes its options, with the length set too), so
// a view of the row's own size is made only if that ever changes. A value of 16 MiB or more
// comes as a plain Uint8Array over the memory map, given Buffer's methods by a view.
export const sharedBytesEncoding = {
  encode(): never {
    throw new AssertionError('rows are written as bytes (encodeRow), not through the row reader');
  },
  decode: (bytes: Uint8Array, size?: unknown): Buffer => {
    const length = typeof size === 'number' ? size : bytes.length;
    if (!(bytes instanceof Buffer)) return Buffer.from(bytes.buffer, bytes.byteOffset, length);
    return length === bytes.length ? bytes : bytes.subarray(0, length);
  },
};

export function decodeStoredRow(bytes: Uint8Array): StoredRow {
  return { version: rowVersion(bytes), values: copyingPackr.unpack(bytes, { start: versionHeaderBytes, end: bytes.length }) as unknown[] };
}

// The row's values in the shape of `writer`, the version that wrote it; `stored` is used up.
export function restoreStoredRow(writer: TableDef, stored: StoredRow): Row {
  if (stored.version !== writer.version) throw new AssertionError(`row of version ${stored.version} read with version ${writer.version}`);
  assert(Array.isArray(stored.values), 'row shape differs from table');
  return restoreValues(writer, stored.values, stored.values);
}

// A row of version `from` in the shape of version `to` of the same table: columns match by
// name; a column `from` lacks reads as NULL (the catalog allows only nullable ones to be
// added, until columns have defaults), and a column `to` lacks is left out. A kept column keeps
// its type (the catalog refuses a type change), so values pass through unconverted.
export function reshapeRow(from: TableDef, to: TableDef, row: Row): Row {
  assert(from.id === to.id);
  if (from.version === to.version) return row;
  return positionsIn(from, to).map((position) => (position === -1 ? null : (row[position] ?? null)));
}

// Whether rows `writer` wrote read as `reader`'s as they are: the same columns, by name and type,
// in the same order — a version that changed an index, a key, a constraint or the name, not a
// column (CREATE INDEX on a loaded table makes every row older than its table). Computed once
// per pair, as positionsIn.
export function sameColumnLayout(writer: TableDef, reader: TableDef): boolean {
  if (writer === reader) return true;
  let byReader = layoutCache.get(writer);
  if (byReader === undefined) layoutCache.set(writer, (byReader = new WeakMap()));
  let same = byReader.get(reader);
  if (same === undefined) {
    same = writer.columns.length === reader.columns.length && writer.columns.every((column, at) => column.name === reader.columns[at]!.name && column.type === reader.columns[at]!.type);
    byReader.set(reader, same);
  }
  return same;
}

const layoutCache = new WeakMap<TableDef, WeakMap<TableDef, boolean>>();

// For each column of `to`, its position in `from` (-1: absent). Definitions are immutable and
// shared, so the map is computed once per pair.
const positionCache = new WeakMap<TableDef, WeakMap<TableDef, readonly number[]>>();

function positionsIn(from: TableDef, to: TableDef): readonly number[] {
  let byTarget = positionCache.get(from);
  if (byTarget === undefined) positionCache.set(from, (byTarget = new WeakMap()));
  let positions = byTarget.get(to);
  if (positions === undefined) {
    positions = to.columns.map((column) => from.columns.findIndex((old) => old.name === column.name));
    byTarget.set(to, positions);
  }
  return positions;
}

// [format: u8][schema version: u32 BE][payload], shared by rows and changelog records.
export function withVersionHeader(format: number, version: number, payload: Buffer): Buffer {
  assert(Number.isInteger(version) && version >= 1 && version <= 0xffff_ffff);
  const bytes = Buffer.allocUnsafe(versionHeaderBytes + payload.length);
  bytes[0] = format;
  bytes.writeUInt32BE(version, 1);
  payload.copy(bytes, versionHeaderBytes);
  return bytes;
}

export function readVersionHeader(format: number, bytes: Uint8Array): number {
  if (bytes.length < versionHeaderBytes || bytes[0] !== format) throw new AssertionError(`stored value is not of format ${format}`);
  // Read byte by byte: every row read passes here, and a Buffer view to call readUInt32BE on
  // was an allocation per row.
  const version = bytes[1]! * 0x100_0000 + ((bytes[2]! << 16) | (bytes[3]! << 8) | bytes[4]!);
  assert(version >= 1);
  return version;
}

export function restoreValue(type: ColumnType, raw: unknown): Value {
  if (raw === null || raw === undefined) return null;
  switch (type) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'MEDIUMINT':
    case 'INT':
    case 'BIGINT':
      // BIGINT UNSIGNED holds Decimals of scale 0 (types.ts, holdsUnsignedBigint).
      if (raw instanceof Decimal) {
        assert(raw.scale === 0 && raw.unscaled >= 0n);
        return raw;
      }
      assert(typeof raw === 'bigint' || (typeof raw === 'number' && Number.isInteger(raw)));
      return BigInt(raw);
    case 'DOUBLE':
      assert(typeof raw === 'number' || typeof raw === 'bigint');
      return Number(raw);
    case 'CHAR':
    case 'VARCHAR':
    case 'TEXT':
      assert(typeof raw === 'string');
      return raw;
    case 'BOOLEAN':
      assert(typeof raw === 'boolean');
      return raw;
    // Extension types come back as their classes (value-extensions.ts) with their own scale or
    // fsp, which is the column's: values are fitted to the column before they are written.
    case 'DECIMAL':
      assert(raw instanceof Decimal);
      return raw;
    case 'DATE':
      assert(raw instanceof SqlDate);
      return raw;
    case 'TIME':
      assert(raw instanceof SqlTime);
      return raw;
    case 'DATETIME':
    case 'TIMESTAMP':
      assert(raw instanceof SqlDateTime);
      return raw;
    case 'BINARY':
    case 'VARBINARY':
    case 'BLOB':
      assert(raw instanceof Uint8Array);
      return raw;
    case 'JSON':
      assert(raw instanceof JsonDocument);
      return raw;
    default:
      return assertNever(type);
  }
}
