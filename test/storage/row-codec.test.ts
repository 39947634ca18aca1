// Proves a row survives encodeRow → decodeRow with every value's SQL type restored from the writing
// version's definition (MessagePack alone loses it), its header names that version, and reshapeRow maps it.
import { describe, expect, it } from 'vitest';
import { decodeRow, encodeRow, reshapeRow, rowFormat, rowVersion, sameColumnLayout } from '../../services/storage/row-codec.js';
import type { ColumnType, Row, TableDef } from '../../services/storage/types.js';

function table(columns: readonly [string, ColumnType][]): TableDef {
  return {
    id: 1,
    version: 1,
    database: 'db',
    name: 't',
    columns: columns.map(([name, type]) => ({ name, type, length: type === 'VARCHAR' ? 50 : null, nullable: true, autoIncrement: false })),
    primaryKey: [0],
  };
}

const everyType = table([['i', 'INT'], ['b', 'BIGINT'], ['d', 'DOUBLE'], ['v', 'VARCHAR'], ['t', 'TEXT'], ['f', 'BOOLEAN']]);

function roundTrip(definition: TableDef, row: Row): Row {
  return decodeRow(definition, encodeRow(definition, row));
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
    const narrow = table([['i', 'INT'], ['b', 'BIGINT']]);
    expect(() => decodeRow(everyType, encodeRow(narrow, [1n, 2n]))).toThrow();
    expect(() => encodeRow(everyType, [1n, 2n])).toThrow();
  });

  it('rejects a value of the wrong kind for its column (assert)', () => {
    const ints = table([['i', 'INT']]);
    expect(() => decodeRow(ints, encodeRow(ints, ['not a number']))).toThrow();
    expect(() => decodeRow(ints, encodeRow(ints, [1.5]))).toThrow();
    const flags = table([['f', 'BOOLEAN']]);
    expect(() => decodeRow(flags, encodeRow(flags, [1n]))).toThrow();
  });

  it('starts with the row format and the writing schema version, u32 big-endian', () => {
    const version7: TableDef = { ...table([['i', 'INT']]), version: 7 };
    const bytes = encodeRow(version7, [5n]);
    expect([...bytes.subarray(0, 5)]).toEqual([rowFormat, 0, 0, 0, 7]);
    expect(rowVersion(bytes)).toBe(7);
    expect(decodeRow(version7, bytes)).toEqual([5n]);
  });

  it('refuses to decode a row with another version than the one that wrote it (assert)', () => {
    const version1 = table([['i', 'INT']]);
    expect(() => decodeRow({ ...version1, version: 2 }, encodeRow(version1, [5n]))).toThrow();
    expect(() => rowVersion(Buffer.from([9, 0, 0, 0, 1, 0x90]))).toThrow(); // unknown row format
  });

  it('maps a row between versions by column name: added columns read NULL, dropped ones are left out', () => {
    const v1: TableDef = table([['id', 'BIGINT'], ['name', 'VARCHAR'], ['gone', 'TEXT']]);
    const v2: TableDef = { ...v1, version: 2, columns: [v1.columns[0]!, { ...v1.columns[1]!, name: 'email' }, v1.columns[1]!] };
    expect(reshapeRow(v1, v2, [1n, 'ann', 'x'])).toEqual([1n, null, 'ann']);
    expect(reshapeRow(v2, v1, [1n, 'a@b', 'ann'])).toEqual([1n, 'ann', null]);
    expect(reshapeRow(v1, v1, [1n, 'ann', 'x'])).toEqual([1n, 'ann', 'x']);
  });

  it('reads a version that changed no column (an index, a name, columns copied as a catalog reload makes them) as laid out alike, and one that did not', () => {
    const v1: TableDef = table([['id', 'BIGINT'], ['name', 'VARCHAR']]);
    const indexed: TableDef = { ...v1, version: 2, name: 'renamed', columns: v1.columns.map((column) => ({ ...column })) };
    expect(sameColumnLayout(v1, indexed)).toBe(true);
    expect(sameColumnLayout(v1, { ...v1, version: 3, columns: [v1.columns[0]!, { ...v1.columns[1]!, name: 'email' }] })).toBe(false);
    expect(sameColumnLayout(v1, { ...v1, version: 3, columns: [...v1.columns, { ...v1.columns[1]!, name: 'added' }] })).toBe(false);
    expect(sameColumnLayout(v1, { ...v1, version: 3, columns: [v1.columns[0]!, { ...v1.columns[1]!, type: 'TEXT' }] })).toBe(false);
    expect(sameColumnLayout(v1, { ...v1, version: 3, columns: [v1.columns[1]!, v1.columns[0]!] })).toBe(false);
  });
});
