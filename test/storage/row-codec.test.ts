// Proves a row survives encodeRow → decodeRow with every value's SQL type restored from the table
// definition (MessagePack alone loses it), 64-bit extremes exact, and a malformed row rejected.
import { describe, expect, it } from 'vitest';
import { decodeRow, encodeRow } from '../../services/storage/row-codec.js';
import type { ColumnType, Row, TableDef } from '../../services/storage/types.js';

function table(columns: readonly [string, ColumnType][]): TableDef {
  return {
    id: 1,
    database: 'db',
    name: 't',
    columns: columns.map(([name, type]) => ({ name, type, length: type === 'VARCHAR' ? 50 : null, nullable: true, autoIncrement: false })),
    primaryKey: [0],
  };
}

const everyType = table([['i', 'INT'], ['b', 'BIGINT'], ['d', 'DOUBLE'], ['v', 'VARCHAR'], ['t', 'TEXT'], ['f', 'BOOLEAN']]);

function roundTrip(definition: TableDef, row: Row): Row {
  return decodeRow(definition, encodeRow(row));
}

describe('row codec', () => {
  it('keeps a DOUBLE 1.0 a number and a small BIGINT a bigint', () => {
    const back = roundTrip(everyType, [1n, 5n, 1.0, 'x', 'y', true]);
    expect(back).toEqual([1n, 5n, 1, 'x', 'y', true]);
    expect(typeof back[0]).toBe('bigint');
    expect(typeof back[1]).toBe('bigint');
    expect(typeof back[2]).toBe('number');
  });

  it('restores 64-bit extremes exactly and doubles bit for bit', () => {
    const extremes: Row[] = [
      [-(2n ** 31n), 2n ** 63n - 1n, 0.1, '', '', false],
      [2n ** 31n - 1n, -(2n ** 63n), -1e300, '\u0000', 'é日\u{1f600}', true],
      [0n, 2n ** 53n + 1n, Number.MIN_VALUE, 'a'.repeat(50), 't'.repeat(70_000), false],
      [-1n, -(2n ** 53n) - 1n, 2 ** 60, 'x', 'y', true],
    ];
    for (const row of extremes) expect(roundTrip(everyType, row)).toEqual(row);
  });

  it('keeps NULL in every column type', () => {
    const nulls: Row = [null, null, null, null, null, null];
    expect(roundTrip(everyType, nulls)).toEqual(nulls);
  });

  it('turns an integer-valued DOUBLE past 2^32 back into the same number', () => {
    const doubles = table([['d', 'DOUBLE']]);
    for (const value of [2 ** 32, 2 ** 40, -(2 ** 52), 1e15, 123456789012]) {
      const [back] = roundTrip(doubles, [value]);
      expect(back).toBe(value);
    }
  });

  it('rejects a row whose width differs from the table (assert)', () => {
    expect(() => decodeRow(everyType, encodeRow([1n, 2n]))).toThrow();
  });

  it('rejects a value of the wrong kind for its column (assert)', () => {
    const ints = table([['i', 'INT']]);
    expect(() => decodeRow(ints, encodeRow(['not a number']))).toThrow();
    expect(() => decodeRow(ints, encodeRow([1.5]))).toThrow();
    const flags = table([['f', 'BOOLEAN']]);
    expect(() => decodeRow(flags, encodeRow([1n]))).toThrow();
  });
});
