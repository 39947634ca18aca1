// Reads values back out of order-preserving keys (key-codec.ts), so that an index range scan
// can answer from the index entry alone (a covering read) without fetching the row. Each
// part's tag says its type; a DESC part is read with its bytes inverted back.
import { AssertionError, assert } from '../base/assert.js';
import { indexPrefix } from './index-key.js';
import { keyTag } from './key-codec.js';
import type { KeyDirection } from './key-codec.js';
import type { ColumnDef, IndexDef, TableDef, Value } from './types.js';
import { Decimal } from '../values/decimal.js';
import { SqlDate, SqlDateTime, SqlTime } from '../values/temporal.js';

const signBit64 = 1n << 63n;

// The indexed values (in index order) and the primary key's values (in key order) of an index
// entry's key.
export function decodeIndexEntry(table: TableDef, index: IndexDef, key: Buffer): { values: Value[]; primaryKey: Value[] } {
  assert(key.subarray(0, 8).equals(indexPrefix(table.id, index.id)), 'key of another index');
  let offset = 8;
  const read = (direction: KeyDirection, column: ColumnDef | undefined): Value => {
    const { value, next } = decodeKeyPart(key, offset, direction, column);
    offset = next;
    return value;
  };
  const values = index.parts.map((part) => read(part.direction, table.columns[part.position]));
  const primaryKey = table.primaryKey.map((position) => read('asc', table.columns[position]));
  assert(offset === key.length, 'bytes after the last part of an index key');
  return { values, primaryKey };
}

// One part starting at `offset`, and where the next begins. The key holds a DECIMAL's value
// and a time's microseconds but not the column's scale or fractional digits (1.5 and 1.50 are
// one key), so those come from `column`.
export function decodeKeyPart(key: Buffer, offset: number, direction: KeyDirection, column?: ColumnDef): { value: Value; next: number } {
  const byteAt = (at: number): number => {
    const byte = key[at];
    if (byte === undefined) throw new AssertionError('a key part runs past the key');
    return direction === 'desc' ? ~byte & 0xff : byte;
  };
  const fixed = (length: number): Buffer => {
    const bytes = Buffer.alloc(length);
    for (let at = 0; at < length; at++) bytes[at] = byteAt(offset + 1 + at);
    return bytes;
  };
  const tag = byteAt(offset);
  switch (tag) {
    case keyTag.null:
      return { value: null, next: offset + 1 };
    case keyTag.int:
      return { value: BigInt.asIntN(64, fixed(8).readBigUInt64BE(0) ^ signBit64), next: offset + 9 };
    case keyTag.uint:
      return { value: new Decimal(fixed(8).readBigUInt64BE(0), 0), next: offset + 9 };
    case keyTag.double: {
      const bytes = fixed(8);
      const bits = bytes.readBigUInt64BE(0);
      // The encoder set the sign bit of positives and inverted every bit of negatives.
      bytes.writeBigUInt64BE(bits & signBit64 ? bits ^ signBit64 : ~bits & 0xffff_ffff_ffff_ffffn, 0);
      return { value: bytes.readDoubleBE(0), next: offset + 9 };
    }
    case keyTag.boolean:
      return { value: byteAt(offset + 1) === 1, next: offset + 2 };
    case keyTag.decimal:
      return decodeDecimalPart(byteAt, offset, column?.scale ?? 0);
    case keyTag.date:
      return { value: new SqlDate(fixed(4).readUInt32BE(0) ^ 0x8000_0000 | 0), next: offset + 5 };
    case keyTag.time:
      return { value: new SqlTime(BigInt.asIntN(64, fixed(8).readBigUInt64BE(0) ^ signBit64), column?.fsp ?? 0), next: offset + 9 };
    case keyTag.datetime:
      return { value: new SqlDateTime(BigInt.asIntN(64, fixed(8).readBigUInt64BE(0) ^ signBit64), column?.fsp ?? 0), next: offset + 9 };
    // A general_ci part holds the sort key, not the text (the row holds that): it decodes as the
    // sort key, which is what the part compares by.
    case keyTag.string:
    case keyTag.stringCi:
    case keyTag.blob: {
      const utf8: number[] = [];
      let at = offset + 1;
      for (;;) {
        const byte = byteAt(at++);
        if (byte !== 0) {
          utf8.push(byte);
          continue;
        }
        const escape = byteAt(at++);
        if (escape === 0x01) break; // the terminator
        assert(escape === 0xff, 'bad escape in a key string');
        utf8.push(0);
      }
      return { value: tag === keyTag.blob ? Buffer.from(utf8) : Buffer.from(utf8).toString('utf8'), next: at };
    }
    default:
      throw new AssertionError(`key part with unknown tag 0x${tag.toString(16)}`);
  }
}

// The inverse of value-key-parts.ts's encodeDecimalPart: sign, exponent e and the digits of
// 0.d1…dn × 10^e (each digit + 1, then 0x00), all but the tag and sign inverted when negative.
function decodeDecimalPart(byteAt: (at: number) => number, offset: number, scale: number): { value: Decimal; next: number } {
  const sign = byteAt(offset + 1);
  if (sign === 0x02) return { value: new Decimal(0n, scale), next: offset + 2 };
  const negative = sign === 0x01;
  assert(negative || sign === 0x03, 'bad sign in a key decimal');
  const byte = (at: number): number => (negative ? ~byteAt(at) & 0xff : byteAt(at));
  const exponent = byte(offset + 2) - 128;
  let digits = '';
  let at = offset + 3;
  for (let digit = byte(at); digit !== 0x00; digit = byte(++at)) digits += String(digit - 1);
  // 0.d1…dn × 10^e = d1…dn × 10^(e - n), shown at the column's scale (never below the value's).
  const shift = scale - (digits.length - exponent);
  assert(shift >= 0, 'a key decimal with more digits than its column holds');
  const magnitude = BigInt(digits) * 10n ** BigInt(shift);
  return { value: new Decimal(negative ? -magnitude : magnitude, scale), next: at + 1 };
}
