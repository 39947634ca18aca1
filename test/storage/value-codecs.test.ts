// Proves DECIMAL, DATE, TIME and DATETIME/TIMESTAMP keep SQL order and their exact values in
// storage: for seeded random pairs (NULLs included, both directions), encoded key byte order
// equals compare() order; stored rows, changelog records and batches give the same values back.
import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch } from '../../services/storage/batch-codec.js';
import { decodeChangeRecord, encodeChangeRecord, restoreChangeRecord, unpackChangeRecord } from '../../services/storage/changelog-codec.js';
import { encodeKeyPart, keyTag } from '../../services/storage/key-codec.js';
import type { KeyDirection } from '../../services/storage/key-codec.js';
import { decodeRow, encodeRow } from '../../services/storage/row-codec.js';
import type { ColumnDef, ColumnType, Row, TableDef, Value } from '../../services/storage/types.js';
import { Decimal, compareDecimals } from '../../services/values/decimal.js';
import { SqlDate, SqlDateTime, SqlTime, compareTemporal, dateDaysMax, dateDaysMin, dateTimeMicrosMax, dateTimeMicrosMin, timeMicrosMax } from '../../services/values/temporal.js';
import { seededRandom } from '../support/seeded-random.js';
import { columnDef } from '../support/column-def.js';

const seed = Number(process.env['SEED'] ?? 20261125);
const pairsPerType = 3_000;

function int(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

function randomBigint(random: () => number, low: bigint, high: bigint): bigint {
  const span = high - low + 1n;
  const raw = (BigInt(Math.floor(random() * 2 ** 32)) << 32n) | BigInt(Math.floor(random() * 2 ** 32));
  return low + ((raw << 32n) | BigInt(Math.floor(random() * 2 ** 32))) % span;
}

// Decimals of every scale and length up to 65 digits, many near each other: equal values of
// different scales (1.5 and 1.50), prefixes (0.12 and 0.123), zero and sign changes.
function randomDecimal(random: () => number): Decimal {
  const scale = int(random, 0, 30);
  const roll = random();
  if (roll < 0.1) return new Decimal(BigInt(int(random, -20, 20)) * 10n ** BigInt(scale), scale);
  const length = roll < 0.5 ? int(random, 1, 4) : int(random, 1, 65);
  let digits = '';
  for (let at = 0; at < length; at++) digits += String(int(random, 0, 9));
  if (random() < 0.3) digits = digits.replace(/\d$/, '0');
  return new Decimal(BigInt(digits) * (random() < 0.5 ? -1n : 1n), Math.min(scale, 30));
}

function randomDate(random: () => number): SqlDate {
  return new SqlDate(random() < 0.1 ? (random() < 0.5 ? dateDaysMin : dateDaysMax) : int(random, random() < 0.5 ? -1000 : dateDaysMin, random() < 0.5 ? 1000 : dateDaysMax));
}

function randomDateTime(random: () => number): SqlDateTime {
  const micros = random() < 0.3 ? BigInt(int(random, -5_000_000, 5_000_000)) : randomBigint(random, dateTimeMicrosMin, dateTimeMicrosMax);
  return new SqlDateTime(micros, int(random, 0, 6));
}

function randomTime(random: () => number): SqlTime {
  return new SqlTime(random() < 0.3 ? BigInt(int(random, -3_000_000, 3_000_000)) : randomBigint(random, -timeMicrosMax, timeMicrosMax), int(random, 0, 6));
}

function sqlCompare(a: Value, b: Value): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (a instanceof Decimal && b instanceof Decimal) return compareDecimals(a, b);
  return compareTemporal(a as SqlDate, b as SqlDate);
}

function expectOrderPreserved(type: ColumnType, generate: (random: () => number) => Value): void {
  for (const direction of ['asc', 'desc'] as KeyDirection[]) {
    const random = seededRandom(seed);
    for (let pair = 0; pair < pairsPerType; pair++) {
      const a = random() < 0.05 ? null : generate(random);
      const b = random() < 0.05 ? null : generate(random);
      const encoded = Math.sign(Buffer.compare(encodeKeyPart(type, a, direction), encodeKeyPart(type, b, direction)));
      const ascending = sqlCompare(a, b);
      const expected = direction === 'asc' ? ascending : -ascending || 0;
      if (encoded !== expected) throw new Error(`SEED=${seed}, pair ${pair}: ${type} ${direction} ${String(a)} vs ${String(b)}: bytes say ${encoded}, SQL says ${expected}`);
    }
  }
}

describe('key parts of the value types', () => {
  it('order DECIMAL keys numerically, one key for 1.5 and 1.50, a prefix first', () => {
    expectOrderPreserved('DECIMAL', randomDecimal);
    const one = (unscaled: bigint, scale: number) => encodeKeyPart('DECIMAL', new Decimal(unscaled, scale));
    expect(one(15n, 1).equals(one(150n, 2))).toBe(true);
    expect(one(0n, 0).equals(one(0n, 30))).toBe(true);
    expect(Buffer.compare(one(12n, 2), one(123n, 3))).toBe(-1);
    expect(Buffer.compare(one(-123n, 3), one(-12n, 2))).toBe(-1);
    expect(Buffer.compare(one(-1n, 30), one(0n, 0))).toBe(-1);
    expect(Buffer.compare(one(0n, 0), one(1n, 30))).toBe(-1);
    expect(one(15n, 1)[0]).toBe(keyTag.decimal);
  });

  it('order DATE, DATETIME, TIMESTAMP and TIME keys as their values, fsp aside', () => {
    expectOrderPreserved('DATE', randomDate);
    expectOrderPreserved('DATETIME', randomDateTime);
    expectOrderPreserved('TIMESTAMP', randomDateTime);
    expectOrderPreserved('TIME', randomTime);
    expect(encodeKeyPart('DATETIME', new SqlDateTime(1_000_000n, 0)).equals(encodeKeyPart('DATETIME', new SqlDateTime(1_000_000n, 3)))).toBe(true);
    expect(encodeKeyPart('DATE', new SqlDate(-1))).toEqual(Buffer.from([keyTag.date, 0x7f, 0xff, 0xff, 0xff]));
    expect(encodeKeyPart('TIME', new SqlTime(0n, 0))[0]).toBe(keyTag.time);
  });

  it('put NULL first ascending and last descending', () => {
    const values: [ColumnType, Value][] = [['DECIMAL', new Decimal(-(10n ** 64n), 0)], ['DATE', new SqlDate(dateDaysMin)], ['TIME', new SqlTime(-timeMicrosMax, 0)], ['DATETIME', new SqlDateTime(dateTimeMicrosMin, 0)]];
    for (const [type, smallest] of values) {
      expect(Buffer.compare(encodeKeyPart(type, null), encodeKeyPart(type, smallest)), type).toBe(-1);
      expect(Buffer.compare(encodeKeyPart(type, null, 'desc'), encodeKeyPart(type, smallest, 'desc')), type).toBe(1);
    }
  });
});

// Nullable unless said otherwise: rows here hold NULLs in every value column.
function column(name: string, type: ColumnType, extra: Partial<ColumnDef> = {}): ColumnDef {
  return columnDef(name, type, { nullable: true, ...extra });
}

const valuesTable: TableDef = {
  id: 7,
  version: 1,
  database: 'db',
  name: 'v',
  columns: [column('id', 'BIGINT', { nullable: false }), column('price', 'DECIMAL', { precision: 65, scale: 30 }), column('day', 'DATE'), column('at', 'TIME', { fsp: 6 }), column('seen', 'DATETIME', { fsp: 6 }), column('ts', 'TIMESTAMP', { fsp: 3 })],
  primaryKey: [0],
};

function randomRow(random: () => number, id: number): Row {
  const maybe = <T extends Value>(value: T): T | null => (random() < 0.1 ? null : value);
  const price = randomDecimal(random);
  return [BigInt(id), maybe(new Decimal(price.unscaled, 30)), maybe(randomDate(random)), maybe(randomTime(random)), maybe(randomDateTime(random)), maybe(new SqlDateTime(BigInt(int(random, 1, 2 ** 31 - 1)) * 1_000_000n, 3))];
}

describe('rows, changelog records and batches with the value types', () => {
  it('give back equal values of the same class, scale and fsp', () => {
    const random = seededRandom(seed);
    for (let id = 0; id < 500; id++) {
      const row = randomRow(random, id);
      expect(decodeRow(valuesTable, encodeRow(valuesTable, row)), `SEED=${seed} row ${id}`).toEqual(row);
      const record = { tableId: valuesTable.id, schemaVersion: 1, op: 'u' as const, before: row, after: row, tsMs: 5 };
      expect(decodeChangeRecord(9n, encodeChangeRecord(record), () => valuesTable)).toEqual({ lsn: 9n, ...record });
    }
    const row = randomRow(random, 1);
    const changes = [{ kind: 'create_table' as const, table: valuesTable }, { kind: 'row' as const, tableId: 7, schemaVersion: 1, op: 'c' as const, before: null, after: row }];
    expect([...decodeBatch(encodeBatch({ proposedAtMs: 1, changes }), () => undefined).changes]).toEqual(changes);
  });

  it('restores a DECIMAL as a Decimal, never a string or number', () => {
    const row: Row = [1n, new Decimal(-5n, 30), new SqlDate(0), new SqlTime(-1n, 6), new SqlDateTime(-1n, 6), null];
    const [, price, day, at, seen] = decodeRow(valuesTable, encodeRow(valuesTable, row));
    expect(price).toBeInstanceOf(Decimal);
    expect(String(price)).toBe(`-0.${'0'.repeat(29)}5`);
    expect(String(day)).toBe('1970-01-01');
    expect(String(at)).toBe('-00:00:00.000001');
    expect(String(seen)).toBe('1969-12-31 23:59:59.999999');
  });
});

describe('a changelog record unpacked where the reader\'s shared buffer holds it', () => {
  it('reads the record up to its end and keeps its values after the buffer is overwritten', () => {
    const blobTable: TableDef = { ...valuesTable, id: 8, name: 'b', columns: [column('id', 'BIGINT', { nullable: false }), column('data', 'BLOB'), column('note', 'VARCHAR', { length: 20 })] };
    const row: Row = [5n, Uint8Array.from([1, 2, 3, 250]), 'kept'];
    const record = { tableId: blobTable.id, schemaVersion: 1, op: 'c' as const, before: null, after: row, tsMs: 7 };
    const encoded = encodeChangeRecord(record);
    // As lmdb-js hands it over: the record at the start of a longer buffer that the next read reuses.
    const shared = Buffer.alloc(encoded.length + 64, 0xc1);
    encoded.copy(shared);
    const unpacked = unpackChangeRecord(shared, encoded.length);
    shared.fill(0);
    const restored = restoreChangeRecord(3n, unpacked, () => blobTable);
    expect(restored).toEqual({ lsn: 3n, ...record, after: [5n, expect.anything(), 'kept'] });
    expect([...(restored.op === 'ddl' ? [] : (restored.after![1] as Uint8Array))]).toEqual([1, 2, 3, 250]);
  });
});
