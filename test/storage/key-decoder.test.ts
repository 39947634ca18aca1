// Proves index entry keys decode back to the values they encode (covering reads): for seeded
// random rows of every key type, NULLs, ASC and DESC parts, strings with 0x00 bytes, and the
// primary key after the parts; and that a key of another index is refused.
import { describe, expect, it } from 'vitest';
import { indexEntryOf } from '../../services/storage/index-key.js';
import { decodeIndexEntry } from '../../services/storage/key-decoder.js';
import type { IndexDef, Row, TableDef } from '../../services/storage/types.js';
import { Decimal } from '../../services/values/decimal.js';
import { SqlDate, SqlDateTime, SqlTime } from '../../services/values/temporal.js';
import { seededRandom } from '../support/seeded-random.js';

const table: TableDef = {
  id: 7,
  version: 1,
  database: 'app',
  name: 'mixed',
  columns: [
    { name: 'id', type: 'BIGINT', length: null, nullable: false, autoIncrement: false },
    { name: 'label', type: 'VARCHAR', length: 40, nullable: false, autoIncrement: false },
    { name: 'n', type: 'INT', length: null, nullable: true, autoIncrement: false },
    { name: 'x', type: 'DOUBLE', length: null, nullable: true, autoIncrement: false },
    { name: 's', type: 'TEXT', length: null, nullable: true, autoIncrement: false },
    { name: 'b', type: 'BOOLEAN', length: null, nullable: true, autoIncrement: false },
  ],
  primaryKey: [1, 0],
};
const asc: IndexDef = { id: 1, name: 'asc', unique: false, parts: [2, 3, 4, 5].map((position) => ({ position, direction: 'asc' as const })) };
const desc: IndexDef = { id: 2, name: 'desc', unique: true, parts: [5, 4, 3, 2].map((position) => ({ position, direction: 'desc' as const })) };

const strings = ['', '\u0000', 'a\u0000b', '\u00ff\u00fe', '日本', '\u{1f600}', 'plain'];
const doubles = [0, -1.5, 1e300, -1e-300, Number.MAX_VALUE, -Infinity, 0.1];
const integers = [-(2n ** 31n), -1n, 0n, 1n, 2n ** 31n - 1n];

describe('index key decoding', () => {
  it('gives back every value of seeded random rows, in ASC and DESC parts', () => {
    const random = seededRandom(Number(process.env['SEED'] ?? 77));
    const pick = <T>(values: readonly T[]): T | null => (random() < 0.2 ? null : values[Math.floor(random() * values.length)]!);
    for (let at = 0; at < 2_000; at++) {
      const row: Row = [BigInt(Math.floor(random() * 1e9) - 5e8), pick(strings) ?? 'k', pick(integers), pick(doubles), pick(strings), pick([true, false])];
      for (const index of [asc, desc]) {
        const decoded = decodeIndexEntry(table, index, indexEntryOf(table, index, row).key);
        expect(decoded.values).toEqual(index.parts.map((part) => row[part.position]));
        expect(decoded.primaryKey).toEqual([row[1], row[0]]);
      }
    }
  });

  it('refuses a key of another index', () => {
    const row: Row = [1n, 'k', null, null, null, null];
    expect(() => decodeIndexEntry(table, desc, indexEntryOf(table, asc, row).key)).toThrow(/another index/);
  });
});

describe('index key decoding of DECIMAL and temporal parts', () => {
  const typed: TableDef = {
    id: 8,
    version: 1,
    database: 'app',
    name: 'typed',
    columns: [
      { name: 'id', type: 'BIGINT', length: null, nullable: false, autoIncrement: false },
      { name: 'price', type: 'DECIMAL', length: null, nullable: true, autoIncrement: false, precision: 12, scale: 3 },
      { name: 'day', type: 'DATE', length: null, nullable: true, autoIncrement: false },
      { name: 'at', type: 'DATETIME', length: null, nullable: true, autoIncrement: false, fsp: 6 },
      { name: 'span', type: 'TIME', length: null, nullable: true, autoIncrement: false, fsp: 2 },
    ],
    primaryKey: [0],
  };
  it('gives back the value at the column’s scale and fractional digits, ASC and DESC', () => {
    const decimals = [new Decimal(0n, 3), new Decimal(1500n, 3), new Decimal(-1500n, 3), new Decimal(123_456_789_012n, 3), new Decimal(-1n, 3), new Decimal(10n, 3)];
    const random = seededRandom(5);
    for (const direction of ['asc', 'desc'] as const) {
      const index: IndexDef = { id: 3, name: direction, unique: false, parts: [1, 2, 3, 4].map((position) => ({ position, direction })) };
      for (let at = 0; at < 500; at++) {
        const row: Row = [
          BigInt(at),
          decimals[at % decimals.length]!,
          new SqlDate(Math.floor(random() * 200_000) - 100_000),
          new SqlDateTime(BigInt(Math.floor(random() * 2e15)) - 10n ** 15n, 6),
          new SqlTime(BigInt(Math.floor(random() * 6e9)) * 100n - 3n * 10n ** 11n, 2),
        ];
        const decoded = decodeIndexEntry(typed, index, indexEntryOf(typed, index, row).key);
        expect(decoded.values).toEqual(row.slice(1));
      }
    }
  });
});
