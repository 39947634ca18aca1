// Proves a scan that reads some of a row's columns (storage/row-columns.ts) gives each of them
// as the whole-row decoder does and NULL for the rest: seeded random rows of every column type
// (MessagePack's every integer width, strings and binaries of each length header, extension
// types) under random column masks, decoded from their bytes; then through a real Store, over
// a forward and a reverse range, a row bigger than LMDB's shared read buffer, and rows an older
// schema version wrote.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect, isDeepStrictEqual } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeBatch } from '../../services/storage/batch-codec.js';
import { wholeIndex } from '../../services/storage/index-key.js';
import { decodeRow, encodeRow, sharedBytesEncoding } from '../../services/storage/row-codec.js';
import { decodeRowColumns } from '../../services/storage/row-columns.js';
import type { ColumnMask } from '../../services/storage/row-columns.js';
import { Store } from '../../services/storage/store.js';
import type { BatchChange, ColumnDef, ColumnType, Row, TableDef, Value } from '../../services/storage/types.js';
import { Decimal } from '../../services/values/decimal.js';
import { JsonDocument } from '../../services/values/json-document.js';
import { SqlDate, SqlDateTime, SqlTime } from '../../services/values/temporal.js';
import { columnDef } from '../support/column-def.js';
import { seededRandom } from '../support/seeded-random.js';

const seed = Number(process.env['SEED'] ?? 20261127);

const column = (name: string, type: ColumnType, extra: Partial<ColumnDef> = {}): ColumnDef => columnDef(name, type, { nullable: true, ...extra });

const everyType: TableDef = {
  id: 1,
  version: 1,
  database: 'db',
  name: 'every',
  columns: [
    column('id', 'BIGINT', { nullable: false }),
    column('tiny', 'TINYINT'),
    column('small', 'SMALLINT'),
    column('medium', 'MEDIUMINT'),
    column('int', 'INT'),
    column('big', 'BIGINT'),
    column('big_unsigned', 'BIGINT', { unsigned: true }),
    column('price', 'DECIMAL', { precision: 20, scale: 4 }),
    column('ratio', 'DOUBLE'),
    column('code', 'CHAR', { length: 8 }),
    column('name', 'VARCHAR', { length: 70_000 }),
    column('body', 'TEXT'),
    column('flag', 'BOOLEAN'),
    column('day', 'DATE'),
    column('at', 'TIME', { fsp: 6 }),
    column('seen', 'DATETIME', { fsp: 6 }),
    column('ts', 'TIMESTAMP', { fsp: 3 }),
    column('tag', 'BINARY', { length: 4 }),
    column('bytes', 'VARBINARY', { length: 70_000 }),
    column('blob', 'BLOB'),
    column('doc', 'JSON'),
  ],
  primaryKey: [0],
};

function pick<T>(random: () => number, choices: readonly T[]): T {
  return choices[Math.floor(random() * choices.length)]!;
}

// Lengths at the edges of MessagePack's headers: fixstr (< 32), str8/bin8 (< 256), 16 and 32 bits.
const lengths = [0, 1, 31, 32, 255, 256, 65_535, 65_536, 70_000];

function text(random: () => number): string {
  const length = pick(random, lengths);
  const unit = pick(random, ['a', 'é', '€', '😀', 'xyz']);
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

function bytes(random: () => number): Uint8Array {
  return Uint8Array.from({ length: pick(random, lengths) }, (_, at) => (at * 31 + 7) % 256);
}

// Integers at MessagePack's width boundaries, both signs, and the 64-bit extremes.
const integerEdges = [0n, 1n, 127n, 128n, 255n, 256n, 65_535n, 65_536n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n - 1n];

function integer(random: () => number, max: bigint): bigint {
  const magnitude = pick(random, integerEdges.filter((edge) => edge <= max));
  return random() < 0.5 ? -magnitude : magnitude;
}

function randomRow(random: () => number, id: number): Row {
  const maybe = (make: () => Value): Value => (random() < 0.15 ? null : make());
  return [
    BigInt(id),
    maybe(() => integer(random, 127n)),
    maybe(() => integer(random, 32_767n)),
    maybe(() => integer(random, 8_388_607n)),
    maybe(() => integer(random, 2n ** 31n - 1n)),
    maybe(() => integer(random, 2n ** 63n - 1n)),
    maybe(() => new Decimal(integer(random, 2n ** 63n - 1n) < 0n ? 2n ** 64n - 1n : 18n, 0)),
    maybe(() => new Decimal(integer(random, 2n ** 53n), 4)),
    // Whole doubles pack as MessagePack integers of each width; others as float64.
    maybe(() => pick(random, [0, -1, 200, -100, 40_000, -40_000, 3e9, -3e9, 2 ** 40, 1.5, -2.25e-300, 1.7976931348623157e308])),
    maybe(() => pick(random, ['', 'a', 'abcdefgh'])),
    maybe(() => text(random)),
    maybe(() => text(random)),
    maybe(() => random() < 0.5),
    maybe(() => new SqlDate(Math.floor(random() * 100_000) - 50_000)),
    maybe(() => new SqlTime(BigInt(Math.floor(random() * 2e12)) - 10n ** 12n, 6)),
    maybe(() => new SqlDateTime(BigInt(Math.floor(random() * 2 ** 52)), 6)),
    maybe(() => new SqlDateTime(BigInt(Math.floor(random() * 2 ** 31)) * 1_000_000n, 3)),
    maybe(() => Uint8Array.from([1, 2, 3, 4])),
    maybe(() => bytes(random)),
    maybe(() => bytes(random)),
    maybe(() => new JsonDocument(JSON.stringify({ n: id, s: text(random).slice(0, 40) }))),
  ];
}

function randomMask(random: () => number, width: number): ColumnMask {
  const share = random();
  return Array.from({ length: width }, () => random() < share);
}

// Where `read` differs from `expected`, by column, each value shortened.
function differencesOf(read: Row, expected: Row, label: string): string[] {
  const differences: string[] = [];
  for (const [position, value] of expected.entries()) {
    if (!isDeepStrictEqual(read[position], value)) differences.push(`${label}, ${everyType.columns[position]!.name}: ${inspect(read[position]).slice(0, 80)} for ${inspect(value).slice(0, 80)}`);
  }
  return differences;
}

// What a reader of `mask`'s columns gets: the whole row's values there, NULL elsewhere.
function masked(row: Row, mask: ColumnMask): Row {
  return row.map((value, position) => (mask[position] === true ? value : null));
}

describe('decoding the chosen columns of a stored row', () => {
  it("gives each chosen column's value as the whole-row decoder does, and NULL for the rest", () => {
    const random = seededRandom(seed);
    // Differences named by row and column, not shown as values: some are 70,000 characters.
    const differences: string[] = [];
    for (let id = 0; id < 300; id++) {
      const bytesOfRow = encodeRow(everyType, randomRow(random, id));
      const expected = decodeRow(everyType, bytesOfRow);
      for (let round = 0; round < 4; round++) {
        const mask = randomMask(random, everyType.columns.length);
        const read = decodeRowColumns(everyType, bytesOfRow, mask);
        if (read === undefined) differences.push(`row ${id}: not read`);
        else differences.push(...differencesOf(read, masked(expected, mask), `row ${id}`));
      }
    }
    expect(differences, `SEED=${seed}`).toEqual([]);
  });

  it('refuses a row whose values run past its end', () => {
    const bytesOfRow = encodeRow(everyType, randomRow(seededRandom(seed), 1));
    const all = everyType.columns.map(() => true);
    expect(() => decodeRowColumns(everyType, bytesOfRow.subarray(0, bytesOfRow.length - 1), all)).toThrow();
  });
});

describe("the encoding that hands over a row's bytes where LMDB left them", () => {
  it('gives a Buffer of the row alone, from a longer shared buffer or a plain Uint8Array', () => {
    const bytesOfRow = encodeRow(everyType, randomRow(seededRandom(seed), 2));
    const shared = Buffer.alloc(bytesOfRow.length + 100, 0xc1);
    bytesOfRow.copy(shared);
    const mapped = new Uint8Array(shared.buffer, shared.byteOffset, bytesOfRow.length);
    for (const handed of [sharedBytesEncoding.decode(shared, bytesOfRow.length), sharedBytesEncoding.decode(mapped, bytesOfRow.length), sharedBytesEncoding.decode(mapped, { transaction: null })]) {
      expect(Buffer.isBuffer(handed)).toBe(true);
      expect(Buffer.compare(handed, bytesOfRow)).toBe(0);
      expect(decodeRowColumns(everyType, handed, everyType.columns.map(() => true))).toEqual(decodeRow(everyType, bytesOfRow));
    }
  });
});

describe('a store scan that reads some columns', () => {
  let dir: string;
  let store: Store;
  let index = 0n;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tidedb-row-columns-'));
    store = Store.open(join(dir, 'db'));
    index = 0n;
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function apply(changes: BatchChange[]): void {
    index += 1n;
    expect(store.apply([{ index, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: 1000, changes }) }])).toBeUndefined();
  }

  const create = (table: TableDef, after: Row): BatchChange => ({ kind: 'row', tableId: table.id, schemaVersion: table.version, op: 'c', before: null, after });

  it('reads what a whole scan reads in those columns, forward, in reverse and over a range, big rows included', () => {
    const random = seededRandom(seed + 1);
    // Row 7's body is bigger than lmdb-js's shared read buffer: read into a buffer of its own.
    const rows = Array.from({ length: 60 }, (_, id) => randomRow(random, id).map((value, position) => (id === 7 && position === 11 ? 'b'.repeat(3_000_000) : value)));
    apply([{ kind: 'create_table', table: everyType }, ...rows.map((row) => create(everyType, row))]);
    const range = { low: { values: [10n], inclusive: true }, high: { values: [40n], inclusive: false } };
    for (const [bounds, reverse] of [[wholeIndex, false], [wholeIndex, true], [range, false], [range, true]] as const) {
      const whole = [...store.scanRows(everyType, bounds, reverse)];
      expect(whole.length).toBeGreaterThan(0);
      for (let round = 0; round < 5; round++) {
        const mask = randomMask(random, everyType.columns.length);
        const read = [...store.scanRows(everyType, bounds, reverse, mask)];
        expect(read.map(({ key }) => key)).toEqual(whole.map(({ key }) => key));
        const differences = read.flatMap(({ row }, at) => differencesOf(row, masked(whole[at]!.row, mask), `reverse ${reverse}, row ${at}`));
        expect(differences, `mask ${mask.map(Number).join('')}`).toEqual([]);
      }
    }
  });

  it('reads rows an older version wrote in the current shape', () => {
    const v1: TableDef = { id: 1, version: 1, database: 'db', name: 'people', columns: [column('id', 'BIGINT', { nullable: false }), column('name', 'VARCHAR', { length: 40 }), column('score', 'DOUBLE')], primaryKey: [0] };
    const v2: TableDef = { ...v1, version: 2, columns: [column('name', 'VARCHAR', { length: 40 }), column('id', 'BIGINT', { nullable: false }), column('email', 'TEXT')], primaryKey: [1] };
    apply([{ kind: 'create_table', table: v1 }, create(v1, [1n, 'ann', 1.5]), create(v1, [2n, 'bob', null])]);
    apply([{ kind: 'alter_table', table: v2 }]);
    apply([create(v2, ['cy', 3n, 'cy@example.com'])]);
    // An older version's row is decoded whole and reshaped: its other columns may hold values.
    const read = [...store.scanRows(v2, wholeIndex, false, [false, true, true])].map(({ row }) => row.slice(1));
    expect(read).toEqual([
      [1n, null],
      [2n, null],
      [3n, 'cy@example.com'],
    ]);
  });
});
