// Order-preserving encoding of primary keys: comparing two encoded keys byte by byte gives
// the same order as comparing the SQL values, so LMDB range scans return rows in key order.
// Layout: [table id: u32 BE][part]...; each part is self-delimiting so composite keys sort
// by their first part, then their second.
import { assert } from '../base/assert.js';
import type { ColumnType, TableDef, Value } from './types.js';

const signBit64 = 1n << 63n;

export function tablePrefix(tableId: number): Buffer {
  assert(Number.isInteger(tableId) && tableId >= 0 && tableId <= 0xffff_ffff);
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(tableId, 0);
  return prefix;
}

// The first key after every key of the table: the exclusive end of a table scan.
export function tableEnd(tableId: number): Buffer {
  return tablePrefix(tableId + 1);
}

export function encodeRowKey(table: TableDef, row: readonly Value[]): Buffer {
  const parts: Buffer[] = [tablePrefix(table.id)];
  for (const position of table.primaryKey) {
    const column = table.columns[position];
    assert(column !== undefined);
    parts.push(encodeKeyPart(column.type, row[position] ?? null));
  }
  return Buffer.concat(parts);
}

export function encodeKeyPart(type: ColumnType, value: Value): Buffer {
  // The executor rejects NULL in a key column before it gets here.
  assert(value !== null, 'key part is null');
  switch (type) {
    case 'INT':
    case 'BIGINT': {
      assert(typeof value === 'bigint');
      const part = Buffer.alloc(8);
      // Flipping the sign bit makes two's complement sort as unsigned bytes.
      part.writeBigUInt64BE(BigInt.asUintN(64, value) ^ signBit64, 0);
      return part;
    }
    case 'DOUBLE': {
      assert(typeof value === 'number');
      const part = Buffer.alloc(8);
      part.writeDoubleBE(value === 0 ? 0 : value, 0); // -0 and 0 are one key
      const bits = part.readBigUInt64BE(0);
      // Negative numbers: invert all bits (larger magnitude sorts first); positive: set the sign.
      part.writeBigUInt64BE(bits & signBit64 ? ~bits & 0xffff_ffff_ffff_ffffn : bits | signBit64, 0);
      return part;
    }
    case 'BOOLEAN':
      assert(typeof value === 'boolean');
      return Buffer.from([value ? 1 : 0]);
    case 'VARCHAR':
    case 'TEXT': {
      assert(typeof value === 'string');
      return encodeStringPart(value);
    }
  }
}

// UTF-8 bytes with 0x00 escaped as 0x00 0xFF and a 0x00 0x01 terminator: the terminator sorts
// below any escaped or ordinary byte, so a string sorts before every longer string it prefixes.
function encodeStringPart(value: string): Buffer {
  const utf8 = Buffer.from(value, 'utf8');
  let zeros = 0;
  for (const byte of utf8) if (byte === 0) zeros++;
  const part = Buffer.alloc(utf8.length + zeros + 2);
  let at = 0;
  for (const byte of utf8) {
    part[at++] = byte;
    if (byte === 0) part[at++] = 0xff;
  }
  part[at++] = 0x00;
  part[at++] = 0x01;
  return part;
}
