// Proves the column types the sqllogictest corpus declares: TINYINT/SMALLINT/MEDIUMINT hold MySQL's
// signed ranges, FLOAT is stored as a DOUBLE, CHAR(n) drops trailing spaces and checks its length;
// each is checked on INSERT and UPDATE, kept through the store, keyed in order and sent as Avro.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avsc from 'avsc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TideError } from '../../services/base/errors.js';
import type { ErrorCode } from '../../services/base/errors.js';
import { envelopeSchema, valueSchema } from '../../services/cdc/avro-schemas.js';
import { ChangeEncoder } from '../../services/cdc/change-encoder.js';
import { decodeWireFormat } from '../../services/cdc/wire-format.js';
import { coerceToColumn } from '../../services/sql/values.js';
import { encodeKeyPart } from '../../services/storage/key-codec.js';
import { Store } from '../../services/storage/store.js';
import type { ColumnDef, ColumnType, Row, Value } from '../../services/storage/types.js';
import { bigintLong } from '../cdc/fixtures/bigint-long.js';
import { errorCodeOf, runOnStore } from './run-on-store.js';
import { rowChanges } from '../support/row-changes.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-types-'));
  store = Store.open(join(dir, 'db'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(sql: string): readonly Row[] {
  return runOnStore(store, sql).result.rows;
}

function codeOf(sql: string): ErrorCode | 'no error' {
  return errorCodeOf(() => run(sql));
}

function column(type: ColumnType, length: number | null = null): ColumnDef {
  return { name: 'c', type, length, nullable: true, autoIncrement: false };
}

function coerced(type: ColumnType, value: Value, length: number | null = null): Value | ErrorCode {
  try {
    return coerceToColumn(column(type, length), value);
  } catch (error) {
    if (error instanceof TideError) return error.code;
    throw error;
  }
}

describe('TINYINT, SMALLINT, MEDIUMINT', () => {
  it.each([
    ['TINYINT', 127n],
    ['SMALLINT', 32_767n],
    ['MEDIUMINT', 8_388_607n],
  ] as const)('%s holds -(max + 1) … max and refuses one past either end', (type, max) => {
    expect(coerced(type, max)).toBe(max);
    expect(coerced(type, -max - 1n)).toBe(-max - 1n);
    expect(coerced(type, max + 1n)).toBe('VALUE_OUT_OF_RANGE');
    expect(coerced(type, -max - 2n)).toBe('VALUE_OUT_OF_RANGE');
    // The conversions of INT: integral strings, rounding half away from zero, booleans.
    expect(coerced(type, ' 12 ')).toBe(12n);
    expect(coerced(type, -2.5)).toBe(-3n);
    expect(coerced(type, true)).toBe(1n);
    expect(coerced(type, 'x')).toBe('TYPE_MISMATCH');
  });

  it('are checked by INSERT and UPDATE; ZEROFILL and UNSIGNED on non-integers are refused', () => {
    run('CREATE TABLE t (id TINYINT PRIMARY KEY, s SMALLINT, m MEDIUMINT)');
    run('INSERT INTO t VALUES (-128, -32768, -8388608), (127, 32767, 8388607)');
    expect(codeOf('INSERT INTO t VALUES (128, 0, 0)')).toBe('VALUE_OUT_OF_RANGE');
    expect(codeOf('UPDATE t SET s = s + 1 WHERE id = 127')).toBe('VALUE_OUT_OF_RANGE');
    expect(run('SELECT * FROM t')).toEqual([[-128n, -32768n, -8388608n], [127n, 32767n, 8388607n]]);
    expect(codeOf('CREATE TABLE u (a TINYINT UNSIGNED ZEROFILL)')).toBe('SQL_UNSUPPORTED');
    expect(codeOf('CREATE TABLE u (a DOUBLE UNSIGNED)')).toBe('SQL_UNSUPPORTED');
    expect(codeOf('CREATE TABLE u (a INT(11), b TINYINT(4))')).toBe('no error'); // display widths, ignored
  });
});

describe('FLOAT', () => {
  it('is stored as a DOUBLE: same values, same checks, same key order', () => {
    run('CREATE TABLE f (k FLOAT PRIMARY KEY, v FLOAT)');
    expect(store.table('app', 'f')?.columns.map((definition) => definition.type)).toEqual(['DOUBLE', 'DOUBLE']);
    run("INSERT INTO f VALUES (2.5, 0.1), (-1, '3'), (10, NULL)");
    expect(run('SELECT k, v FROM f')).toEqual([[-1, 3], [2.5, 0.1], [10, null]]);
    expect(codeOf("INSERT INTO f VALUES (1, 'abc')")).toBe('TYPE_MISMATCH');
  });
});

describe('CHAR(n)', () => {
  it('drops trailing spaces (what MySQL returns for a CHAR) and refuses other characters past n', () => {
    expect(coerced('CHAR', 'ab ', 3)).toBe('ab');
    expect(coerced('CHAR', 'abc     ', 3)).toBe('abc');
    expect(coerced('CHAR', '  a', 3)).toBe('  a'); // leading spaces are kept
    expect(coerced('CHAR', 'abcd', 3)).toBe('VALUE_TOO_LONG');
    expect(coerced('CHAR', 12n, 3)).toBe('12');
    expect(coerced('CHAR', 1234n, 3)).toBe('VALUE_TOO_LONG');
  });

  it('is CHAR(1) without a length, at most CHAR(255), and keys a table in string order', () => {
    run('CREATE TABLE c (code CHAR(3) PRIMARY KEY, flag CHAR)');
    expect(store.table('app', 'c')?.columns.map((definition) => [definition.type, definition.length])).toEqual([['CHAR', 3], ['CHAR', 1]]);
    expect(codeOf('CREATE TABLE d (x CHAR(256))')).toBe('TABLE_DEFINITION_INVALID');
    run("INSERT INTO c VALUES ('b  ', 'y'), ('a', 'n ')");
    // 'b  ' was stored as 'b', so it is the same key as 'b'.
    expect(codeOf("INSERT INTO c VALUES ('b', 'x')")).toBe('DUPLICATE_KEY');
    expect(codeOf("INSERT INTO c VALUES ('z', 'xx')")).toBe('VALUE_TOO_LONG');
    expect(run("SELECT code, flag FROM c WHERE code = 'b'")).toEqual([['b', 'y']]);
    expect(run('SELECT * FROM c')).toEqual([['a', 'n'], ['b', 'y']]);
  });
});

describe('the new types below SQL', () => {
  it('keep their values and types through a reopen of the store', async () => {
    run('CREATE TABLE r (id SMALLINT PRIMARY KEY, t TINYINT, m MEDIUMINT, f FLOAT, c CHAR(4))');
    run("INSERT INTO r VALUES (1, -5, 70000, 1, 'ab  ')");
    await store.close();
    store = Store.open(join(dir, 'db'));
    expect(run('SELECT * FROM r')).toEqual([[1n, -5n, 70000n, 1, 'ab']]);
  });

  it('encode keys in value order with the int, double and string tags', () => {
    const sorted = (type: ColumnType, values: readonly Value[]): boolean => {
      const encoded = values.map((value) => encodeKeyPart(type, value));
      return encoded.every((part, at) => at === 0 || Buffer.compare(encoded[at - 1]!, part) < 0);
    };
    expect(sorted('TINYINT', [null, -128n, -1n, 0n, 127n])).toBe(true);
    expect(sorted('MEDIUMINT', [-8_388_608n, 5n, 8_388_607n])).toBe(true);
    expect(sorted('CHAR', [null, '', 'a', 'ab', 'b'])).toBe(true);
    expect(encodeKeyPart('SMALLINT', 7n)).toEqual(encodeKeyPart('INT', 7n));
  });

  it('map to Avro int (the small integers) and string (CHAR), which a stock decoder reads', () => {
    run('CREATE TABLE a (id TINYINT PRIMARY KEY, s SMALLINT NOT NULL, m MEDIUMINT, c CHAR(2))');
    run("INSERT INTO a VALUES (-7, 300, NULL, 'x ')");
    const table = store.table('app', 'a')!;
    expect(valueSchema(table, 'tide').fields).toEqual([
      { name: 'id', type: 'int' },
      { name: 's', type: 'int' },
      { name: 'm', type: ['null', 'int'], default: null },
      { name: 'c', type: ['null', 'string'], default: null },
    ]);
    const [change] = rowChanges(store);
    const message = new ChangeEncoder({ topicPrefix: 'tide', connectorVersion: '0.0.0-test' }).encode(change!, table);
    const key = avsc.Type.forSchema({ type: 'record', name: 'Key', fields: [{ name: 'id', type: 'int' }] });
    expect({ ...(key.fromBuffer(decodeWireFormat(message.key)!.body) as object) }).toEqual({ id: -7 });
    const envelope = avsc.Type.forSchema(envelopeSchema(table, 'tide') as avsc.Schema, { registry: { long: bigintLong } });
    const decoded = envelope.fromBuffer(decodeWireFormat(message.value)!.body) as { after: Record<string, unknown> };
    expect({ ...decoded.after }).toEqual({ id: -7, s: 300, m: null, c: 'x' });
  });
});
