// Order-preserving encoding of keys: comparing two encoded keys byte by byte gives the same
// order as comparing the SQL values, so LMDB range scans return rows in key order.
// Layout: [table id: u32 BE][part]...; each part is [type tag: 1 byte][payload] and is
// self-delimiting (no part's bytes are a prefix of another's), so composite keys sort by their
// first part, then their second. The tag lets NULL sort before every value of its column and
// keeps type families apart; a descending part is the ascending part with every byte inverted,
// which reverses the order of a prefix-free encoding exactly (and puts NULLs last, as MySQL's
// ORDER BY … DESC does). The byte table is in DESIGN.md; tags are part of the on-disk format.
import { AssertionError, assert, assertNever } from '../base/assert.js';
import { Decimal } from '../values/decimal.js';
import { SqlDate, SqlDateTime, SqlTime } from '../values/temporal.js';
import { generalCiSortKey } from '../values/collation.js';
import { integerColumnTypes } from './types.js';
import type { ColumnDef, ColumnType, TableDef, Value } from './types.js';
import { encodeDatePart, encodeDecimalPart, encodeMicrosPart } from './value-key-parts.js';

// Tags of the ascending form. Only NULL's place matters between tags of one column (a column
// holds one type), but each family keeps its own tag so a key can be read without its schema.
// 0x00 and 0xFF are never tags: they stay free as "before every part" and "after every part"
// bounds of range scans. Reserved tags are listed so that no one reuses them for another type.
export const keyTag = {
  null: 0x01,
  int: 0x10, // TINYINT, SMALLINT, MEDIUMINT, INT, BIGINT: signed 64-bit, 8 bytes
  uint: 0x11, // BIGINT UNSIGNED (held as a Decimal of scale 0): unsigned 64-bit, 8 bytes
  decimal: 0x18, // DECIMAL/NUMERIC: sign, exponent, digits (value-key-parts.ts)
  double: 0x20, // DOUBLE (and FLOAT, REAL, which are stored as DOUBLE), 8 bytes
  date: 0x28, // DATE: days, 4 bytes
  time: 0x29, // TIME: microseconds, 8 bytes
  datetime: 0x2a, // DATETIME, TIMESTAMP: microseconds since the epoch (UTC), 8 bytes
  string: 0x30, // CHAR, VARCHAR, TEXT under utf8mb4_bin: escaped UTF-8, terminated
  stringCi: 0x31, // CHAR, VARCHAR, TEXT under utf8mb4_general_ci: the sort key's UTF-8, escaped and terminated
  blob: 0x38, // BINARY, VARBINARY, BLOB: escaped bytes, terminated, as strings are
  boolean: 0x40, // BOOLEAN, 1 byte
} as const;

export type KeyDirection = 'asc' | 'desc';

const signBit64 = 1n << 63n;

export function tablePrefix(tableId: number): Buffer {
  const prefix = Buffer.alloc(4);
  writeTableId(prefix, tableId);
  return prefix;
}

function writeTableId(target: Buffer, tableId: number): void {
  assert(Number.isInteger(tableId) && tableId >= 0 && tableId <= 0xffff_ffff);
  target.writeUInt32BE(tableId, 0);
}

// An integer key part (9 bytes) at `at`. Flipping the sign bit makes two's complement sort as
// unsigned bytes.
function writeIntPart(target: Buffer, at: number, value: bigint): void {
  target[at] = keyTag.int;
  target.writeBigUInt64BE(BigInt.asUintN(64, value) ^ signBit64, at + 1);
}

// The first key after every key of the table: the exclusive end of a table scan.
export function tableEnd(tableId: number): Buffer {
  return tablePrefix(tableId + 1);
}

// A row's key: the primary key's parts, ascending. Primary key columns are NOT NULL (the
// executor refuses a NULL before it gets here), so a NULL part here is a bug upstream.
export function encodeRowKey(table: TableDef, row: readonly Value[]): Buffer {
  // The common key, one integer column: written in place, the same bytes as the parts joined.
  if (table.primaryKey.length === 1) {
    const column = table.columns[table.primaryKey[0]!];
    const value = row[table.primaryKey[0]!];
    if (column !== undefined && typeof value === 'bigint' && integerColumnTypes.has(column.type)) {
      const key = Buffer.allocUnsafe(13);
      writeTableId(key, table.id);
      writeIntPart(key, 4, value);
      return key;
    }
  }
  const parts: Buffer[] = [tablePrefix(table.id)];
  for (const position of table.primaryKey) {
    const column = table.columns[position];
    assert(column !== undefined);
    const value = row[position] ?? null;
    assert(value !== null, 'primary key part is null');
    parts.push(encodeKeyPart(column, value));
  }
  return Buffer.concat(parts);
}

// What a key part needs of its column: the type, and for text the collation that orders it
// (a bare type is a column of the default collation, utf8mb4_bin).
export type KeyColumn = Pick<ColumnDef, 'type' | 'collation'>;

export function encodeKeyPart(column: KeyColumn | ColumnType, value: Value, direction: KeyDirection = 'asc'): Buffer {
  const { type, collation } = typeof column === 'string' ? { type: column, collation: undefined } : column;
  const part = value === null ? Buffer.from([keyTag.null]) : collation === 'utf8mb4_general_ci' && typeof value === 'string' ? encodeGeneralCiPart(value) : encodeValuePart(type, value);
  if (direction === 'desc') for (let at = 0; at < part.length; at++) part[at] = ~part[at]! & 0xff;
  return part;
}

function encodeValuePart(type: ColumnType, value: Exclude<Value, null>): Buffer {
  switch (type) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'MEDIUMINT':
    case 'INT':
    case 'BIGINT': {
      if (value instanceof Decimal) return encodeUnsignedBigintPart(value);
      assert(typeof value === 'bigint');
      const part = Buffer.alloc(9);
      writeIntPart(part, 0, value);
      return part;
    }
    case 'DOUBLE': {
      assert(typeof value === 'number' && !Number.isNaN(value));
      const part = Buffer.alloc(9);
      part[0] = keyTag.double;
      part.writeDoubleBE(value === 0 ? 0 : value, 1); // -0 and 0 are one key
      const bits = part.readBigUInt64BE(1);
      // Negative numbers: invert all bits (larger magnitude sorts first); positive: set the sign.
      part.writeBigUInt64BE(bits & signBit64 ? ~bits & 0xffff_ffff_ffff_ffffn : bits | signBit64, 1);
      return part;
    }
    case 'BOOLEAN':
      assert(typeof value === 'boolean');
      return Buffer.from([keyTag.boolean, value ? 1 : 0]);
    case 'CHAR':
    case 'VARCHAR':
    case 'TEXT':
      assert(typeof value === 'string');
      return encodeStringPart(value);
    case 'DECIMAL':
      assert(value instanceof Decimal);
      return encodeDecimalPart(keyTag.decimal, value);
    case 'DATE':
      assert(value instanceof SqlDate);
      return encodeDatePart(keyTag.date, value);
    case 'TIME':
      assert(value instanceof SqlTime);
      return encodeMicrosPart(keyTag.time, value);
    case 'DATETIME':
    case 'TIMESTAMP':
      assert(value instanceof SqlDateTime);
      return encodeMicrosPart(keyTag.datetime, value);
    case 'BINARY':
    case 'VARBINARY':
    case 'BLOB':
      assert(value instanceof Uint8Array);
      return encodeBytesPart(keyTag.blob, value);
    case 'JSON':
      // As in MySQL, a JSON column is in no key (the planner refuses it in one).
      throw new AssertionError('a JSON column in a key');
    default:
      return assertNever(type);
  }
}

// BIGINT UNSIGNED: its own tag, then the value as unsigned big-endian bytes (which sort as the
// numbers do). storage/types.ts says why such a column holds Decimals.
function encodeUnsignedBigintPart(value: Decimal): Buffer {
  assert(value.scale === 0 && value.unscaled >= 0n && value.unscaled < 1n << 64n);
  const part = Buffer.alloc(9);
  part[0] = keyTag.uint;
  part.writeBigUInt64BE(value.unscaled, 1);
  return part;
}

// The tag, then UTF-8 bytes with 0x00 escaped as 0x00 0xFF and a 0x00 0x01 terminator: the
// terminator sorts below any escaped or ordinary byte, so a string sorts before every longer
// string it prefixes, and no encoded string is a prefix of another.
function encodeStringPart(value: string): Buffer {
  return encodeBytesPart(keyTag.string, Buffer.from(value, 'utf8'));
}

// A string under utf8mb4_general_ci keys as its sort key (values/collation.ts), so that strings
// equal under the collation have one key (a UNIQUE index refuses 'A@x.com' after 'a@x.com') and
// keys sort as the collation orders; the row keeps the text as written. The sort key's UTF-8
// bytes sort as its code points, which is the collation's order.
function encodeGeneralCiPart(value: string): Buffer {
  return encodeBytesPart(keyTag.stringCi, Buffer.from(generalCiSortKey(value), 'utf8'));
}

// Bytes in byte order (a BLOB's, or a string's UTF-8), escaped and terminated as above.
function encodeBytesPart(tag: number, utf8: Uint8Array): Buffer {
  let zeros = 0;
  for (const byte of utf8) if (byte === 0) zeros++;
  const part = Buffer.alloc(1 + utf8.length + zeros + 2);
  let at = 0;
  part[at++] = tag;
  for (const byte of utf8) {
    part[at++] = byte;
    if (byte === 0) part[at++] = 0xff;
  }
  part[at++] = 0x00;
  part[at++] = 0x01;
  return part;
}
