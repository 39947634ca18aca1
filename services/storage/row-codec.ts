// Encoding of row values and changelog records as MessagePack. MessagePack keeps no SQL type
// (a DOUBLE 1.0 comes back as the integer 1, a small BIGINT as a number), so decoding restores
// each value's type from the table definition.
import { Packr } from 'msgpackr';
import { assert } from '../base/assert.js';
import type { ColumnType, Row, TableDef, Value } from './types.js';

// Records off: every value is self-describing, so a reader never depends on structures
// registered by an earlier writer. int64AsType: 64-bit integers come back exact.
export const packr = new Packr({ useRecords: false, int64AsType: 'bigint', mapsAsObjects: true });

export function encodeRow(row: Row): Buffer {
  return packr.pack(row);
}

export function decodeRow(table: TableDef, bytes: Uint8Array): Row {
  const raw: unknown = packr.unpack(bytes);
  return restoreRow(table, raw);
}

export function restoreRow(table: TableDef, raw: unknown): Row {
  assert(Array.isArray(raw) && raw.length === table.columns.length, 'row shape differs from table');
  return table.columns.map((column, position) => restoreValue(column.type, raw[position]));
}

function restoreValue(type: ColumnType, raw: unknown): Value {
  if (raw === null || raw === undefined) return null;
  switch (type) {
    case 'INT':
    case 'BIGINT':
      assert(typeof raw === 'bigint' || (typeof raw === 'number' && Number.isInteger(raw)));
      return BigInt(raw);
    case 'DOUBLE':
      assert(typeof raw === 'number' || typeof raw === 'bigint');
      return Number(raw);
    case 'VARCHAR':
    case 'TEXT':
      assert(typeof raw === 'string');
      return raw;
    case 'BOOLEAN':
      assert(typeof raw === 'boolean');
      return raw;
  }
}
