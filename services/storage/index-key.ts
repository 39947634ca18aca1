// Keys of secondary index entries, in the order-preserving encoding of key-codec.ts:
//   [table id: u32 BE][index id: u32 BE][index part]...[primary key part]...
// Every entry ends with the row's primary key, unique index or not: entries of rows whose
// indexed values are equal (allowed in a non-unique index, and in a unique one when a part is
// NULL, as MySQL allows) then stay distinct and sort by primary key. The entry's value is the
// row's key in `rows`, so a reader finds the row without decoding the key.
import { assert } from '../base/assert.js';
import { encodeKeyPart, encodeRowKey, tableEnd, tablePrefix } from './key-codec.js';
import type { IndexDef, Row, TableDef, Value } from './types.js';

export interface IndexEntry {
  // The entry's key in the `indexes` sub-database.
  readonly key: Buffer;
  // The key of the row it points at, in the `rows` sub-database.
  readonly rowKey: Buffer;
}

// One end of a range over an index: values for the first `values.length` parts (a prefix of
// the index's parts, each encoded in its part's direction). Bounds are in key order, which for
// a DESC part is the reverse of its values' order. Values are of their columns' types (as
// `coerceToColumn` gives them: a bigint for an INT part, a number for a DOUBLE one); a value
// that no row of the column could hold is the caller's to resolve before it asks.
export interface IndexBound {
  readonly values: readonly Value[];
  readonly inclusive: boolean;
}

// null ends: from the index's first entry, to its last.
export interface IndexRange {
  readonly low: IndexBound | null;
  readonly high: IndexBound | null;
}

export const wholeIndex: IndexRange = { low: null, high: null };

// Every entry of one index starts with this.
export function indexPrefix(tableId: number, indexId: number): Buffer {
  assert(Number.isInteger(indexId) && indexId >= 1 && indexId <= 0xffff_ffff);
  const prefix = Buffer.alloc(8);
  tablePrefix(tableId).copy(prefix, 0);
  prefix.writeUInt32BE(indexId, 4);
  return prefix;
}

// The prefix and the encoded values of the first `values.length` parts of the index.
export function encodeIndexValues(table: TableDef, index: IndexDef, values: readonly Value[]): Buffer {
  assert(values.length <= index.parts.length);
  const parts: Buffer[] = [indexPrefix(table.id, index.id)];
  for (const [at, value] of values.entries()) {
    const part = index.parts[at]!;
    const column = table.columns[part.position];
    assert(column !== undefined, `index ${index.name} names column ${part.position}, which table ${table.id} lacks`);
    parts.push(encodeKeyPart(column, value, part.direction));
  }
  return Buffer.concat(parts);
}

// The values of a row's indexed columns, in index order.
export function indexedValues(index: IndexDef, row: Row): Value[] {
  return index.parts.map((part) => row[part.position] ?? null);
}

export function indexEntryOf(table: TableDef, index: IndexDef, row: Row): IndexEntry {
  const rowKey = encodeRowKey(table, row);
  const valuesKey = encodeIndexValues(table, index, indexedValues(index, row));
  // The row key's table prefix is left out: the index prefix already names the table.
  return { key: Buffer.concat([valuesKey, rowKey.subarray(4)]), rowKey };
}

// The prefix that two rows share in a unique index exactly when they collide in it; null when
// a part is NULL, which never collides (MySQL allows many NULLs in a UNIQUE index).
export function uniquePrefixOf(table: TableDef, index: IndexDef, row: Row): Buffer | null {
  const values = indexedValues(index, row);
  return values.includes(null) ? null : encodeIndexValues(table, index, values);
}

// [start, end) in byte order. Parts are self-delimiting and no part starts with 0x00 or 0xFF
// (in either direction: key-codec.ts keeps both free), so a bound's encoding sorts before every
// entry it prefixes, and the bound followed by 0xFF after every one of them.
export function indexRangeBytes(table: TableDef, index: IndexDef, range: IndexRange): { start: Buffer; end: Buffer } {
  const prefix = indexPrefix(table.id, index.id);
  const start = range.low === null ? prefix : boundBytes(table, index, range.low, range.low.inclusive ? 'before' : 'after');
  const end = range.high === null ? afterPrefix(prefix) : boundBytes(table, index, range.high, range.high.inclusive ? 'after' : 'before');
  return { start, end };
}

function boundBytes(table: TableDef, index: IndexDef, bound: IndexBound, side: 'before' | 'after'): Buffer {
  const encoded = encodeIndexValues(table, index, bound.values);
  return side === 'before' ? encoded : Buffer.concat([encoded, Buffer.from([0xff])]);
}

// The first key after every key that starts with `prefix` (prefixes here are of fixed-width ids).
export function afterPrefix(prefix: Buffer): Buffer {
  return Buffer.concat([prefix, Buffer.from([0xff])]);
}

// Whether `key` lies in [start, end).
export function inRange(key: Buffer, start: Buffer, end: Buffer): boolean {
  return Buffer.compare(key, start) >= 0 && Buffer.compare(key, end) < 0;
}

// [start, end) in byte order over a table's rows, for bounds on a prefix of its primary key's
// parts (ascending, as row keys are): the primary key read as an index.
export function primaryRangeBytes(table: TableDef, range: IndexRange): { start: Buffer; end: Buffer } {
  const encode = (bound: IndexBound, side: 'before' | 'after'): Buffer => {
    const parts: Buffer[] = [tablePrefix(table.id)];
    for (const [at, value] of bound.values.entries()) {
      const position = table.primaryKey[at];
      assert(position !== undefined, `a bound of ${bound.values.length} parts on a primary key of ${table.primaryKey.length}`);
      parts.push(encodeKeyPart(table.columns[position]!, value));
    }
    if (side === 'after') parts.push(Buffer.from([0xff]));
    return Buffer.concat(parts);
  };
  const start = range.low === null ? tablePrefix(table.id) : encode(range.low, range.low.inclusive ? 'before' : 'after');
  const end = range.high === null ? tableEnd(table.id) : encode(range.high, range.high.inclusive ? 'after' : 'before');
  return { start, end };
}
