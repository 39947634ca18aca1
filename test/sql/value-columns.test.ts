// DECIMAL(p,s), DATE, TIME(fsp), DATETIME(fsp) and TIMESTAMP(fsp) declared by CREATE TABLE and
// used by SQL: defaults of the declarations, values from literals, text and params, keys in SQL
// order, comparisons with text and numbers, exact arithmetic and aggregates, JSON results,
// DESCRIBE, change events in Avro, and MySQL's error numbers for what does not fit.
// (test/sql/value-types-differential.test.ts compares the same with MariaDB.)
import avsc from 'avsc';
import { beforeEach, describe, expect, it } from 'vitest';
import { envelopeSchema, valueSchema } from '../../services/cdc/avro-schemas.js';
import { ChangeEncoder } from '../../services/cdc/change-encoder.js';
import { decodeWireFormat } from '../../services/cdc/wire-format.js';
import { toJson } from '../../services/http/json-body.js';
import type { Store } from '../../services/storage/store.js';
import type { Row, Value } from '../../services/storage/types.js';
import { bigintLong } from '../cdc/fixtures/bigint-long.js';
import { useTempStores } from '../support/temp-stores.js';
import { errorCodeOf, mysqlErrnoOf, runOnStore } from './run-on-store.js';
import { rowChanges } from '../support/row-changes.js';

const stores = useTempStores('tidedb-value-columns-');
let store: Store;

beforeEach(() => {
  store = stores.open();
});

function run(sql: string, params: readonly Value[] = []): readonly Row[] {
  return runOnStore(store, sql, params).result.rows;
}

// Rows as the HTTP contract writes them.
function json(sql: string): string {
  return toJson(run(sql));
}

function errnoOf(sql: string): number | 'no error' {
  return mysqlErrnoOf(() => run(sql));
}

describe('CREATE TABLE with DECIMAL and date/time columns', () => {
  it('takes MySQL defaults (DECIMAL = DECIMAL(10,0), fsp 0) and checks p ≤ 65, s ≤ 30, s ≤ p, fsp ≤ 6', () => {
    run('CREATE TABLE t (a DECIMAL, b NUMERIC(5), c DECIMAL(65,30), d DATE, e TIME, f DATETIME(3), g TIMESTAMP(6) NULL)');
    const columns = store.table('app', 't')!.columns;
    expect(columns.slice(0, 3).map((column) => [column.type, column.precision, column.scale])).toEqual([['DECIMAL', 10, 0], ['DECIMAL', 5, 0], ['DECIMAL', 65, 30]]);
    expect(columns.slice(4, 7).map((column) => [column.type, column.fsp])).toEqual([['TIME', 0], ['DATETIME', 3], ['TIMESTAMP', 6]]);
    expect(run('DESCRIBE t').map((row) => row[1])).toEqual(['decimal(10,0)', 'decimal(5,0)', 'decimal(65,30)', 'date', 'time', 'datetime(3)', 'timestamp(6)']);
    for (const bad of ['DECIMAL(66,0)', 'DECIMAL(40,31)', 'DECIMAL(5,6)', 'DECIMAL(0)', 'TIME(7)', 'DATETIME(9)']) {
      expect(errorCodeOf(() => run(`CREATE TABLE u (a ${bad})`)), bad).not.toBe('no error');
    }
  });
});

describe('values of the new columns', () => {
  beforeEach(() => {
    run('CREATE TABLE t (id DECIMAL(6,2) PRIMARY KEY, day DATE, tm TIME(3), at DATETIME(6), ts TIMESTAMP NULL, KEY (day))');
    run("INSERT INTO t VALUES (1.5, '2023-07-04', '10:20:30.1234', '2023-07-04 10:20:30.5', '2023-07-04 10:20:30')");
    run("INSERT INTO t VALUES ('-3', '2020-02-29', '-838:59:59', '1000-01-01', '1970-01-01 00:00:01')");
    run('INSERT INTO t VALUES (?, ?, ?, ?, ?)', ['0.105', '1999-12-31', '23:59:59', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07']);
  });

  it('reads back as exact decimal strings and MySQL text in JSON, rounded to the column', () => {
    expect(json('SELECT * FROM t ORDER BY id')).toBe(
      '[["-3.00","2020-02-29","-838:59:59.000","1000-01-01 00:00:00.000000","1970-01-01 00:00:01"],' +
        '["0.11","1999-12-31","23:59:59.000","9999-12-31 23:59:59.999999","2038-01-19 03:14:07"],' +
        '["1.50","2023-07-04","10:20:30.123","2023-07-04 10:20:30.500000","2023-07-04 10:20:30"]]',
    );
  });

  it('keys and sorts in SQL order, primary and secondary, both directions', () => {
    expect(run('SELECT id FROM t').map((row) => String(row[0]))).toEqual(['-3.00', '0.11', '1.50']);
    expect(run('SELECT day FROM t ORDER BY day DESC').map((row) => String(row[0]))).toEqual(['2023-07-04', '2020-02-29', '1999-12-31']);
    expect(run('SELECT tm FROM t ORDER BY tm').map((row) => String(row[0]))).toEqual(['-838:59:59.000', '10:20:30.123', '23:59:59.000']);
  });

  it('compares with text in its own type, with numbers exactly, and finds a key by a literal', () => {
    expect(json("SELECT id FROM t WHERE day > '2000-01-01' ORDER BY id")).toBe('[["-3.00"],["1.50"]]');
    expect(json("SELECT id FROM t WHERE at = '2023-07-04 10:20:30.500'")).toBe('[["1.50"]]');
    expect(json("SELECT id FROM t WHERE day = '2023-07-04 00:00:01'")).toBe('[]'); // a DATE is midnight
    expect(json('SELECT id FROM t WHERE id = 0.11')).toBe('[["0.11"]]');
    expect(json('SELECT id FROM t WHERE id = 3 / 2')).toBe('[["1.50"]]');
    expect(json("SELECT id FROM t WHERE id > '0.5'")).toBe('[["1.50"]]');
  });

  it('computes DECIMAL arithmetic and aggregates exactly, with MySQL result scales', () => {
    expect(json('SELECT id * 2, id + 1, id / 3, id + 0.25, id % 1, id DIV 1 FROM t WHERE id = 1.5')).toBe('[["3.00","2.50","0.500000","1.75","0.50",1]]');
    expect(json('SELECT SUM(id), AVG(id), MIN(day), MAX(at), COUNT(tm) FROM t')).toBe('[["-1.39","-0.463333","1999-12-31","9999-12-31 23:59:59.999999",3]]');
    expect(json('SELECT ROUND(id, 1), ABS(id), FLOOR(id), CEIL(id) FROM t WHERE id < 0')).toBe('[["-3.0","3.00",-3,-3]]');
  });

  it('updates with the same checks as INSERT', () => {
    run("UPDATE t SET id = id + 10, day = '2024-01-01' WHERE id = 1.5");
    expect(json('SELECT id, day FROM t WHERE id > 10')).toBe('[["11.50","2024-01-01"]]');
    expect(errnoOf('UPDATE t SET id = id * 1000')).toBe(1264);
  });

  it("refuses what does not fit with MySQL's numbers: 1264 out of range, 1292 datetime, 1366 decimal", () => {
    expect(errnoOf('INSERT INTO t (id) VALUES (10000)')).toBe(1264);
    expect(errnoOf("INSERT INTO t (id, day) VALUES (7, '2023-02-30')")).toBe(1292);
    expect(errnoOf("INSERT INTO t (id, tm) VALUES (7, '839:00:00')")).toBe(1292);
    expect(errnoOf("INSERT INTO t (id, ts) VALUES (7, '2038-01-19 03:14:08')")).toBe(1292);
    expect(errnoOf("INSERT INTO t (id) VALUES ('ten')")).toBe(1366);
    expect(run('SELECT COUNT(*) FROM t')).toEqual([[3n]]);
  });

  it('sends change events with Avro logical types', () => {
    const table = store.table('app', 't')!;
    expect(valueSchema(table, 'tide').fields.map((field) => field.type)).toEqual([
      { type: 'bytes', logicalType: 'decimal', precision: 6, scale: 2 },
      ['null', { type: 'int', logicalType: 'date' }],
      ['null', { type: 'long', logicalType: 'time-micros' }],
      ['null', { type: 'long', logicalType: 'timestamp-micros' }],
      ['null', { type: 'long', logicalType: 'timestamp-micros' }],
    ]);
    const [change] = rowChanges(store);
    const message = new ChangeEncoder({ topicPrefix: 'tide', connectorVersion: '0.0.0-test' }).encode(change!, table);
    const envelope = avsc.Type.forSchema(envelopeSchema(table, 'tide') as avsc.Schema, { registry: { long: bigintLong } });
    const after = (envelope.fromBuffer(decodeWireFormat(message.value)!.body) as { after: Record<string, unknown> }).after;
    // date: days since the epoch; time and timestamps: microseconds.
    expect([after['day'], after['tm'], after['at']]).toEqual([19_542, 37_230_123_000, 1_688_466_030_500_000]);
  });
});

describe('UNSIGNED integers', () => {
  beforeEach(() => {
    run('CREATE TABLE u (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, t TINYINT UNSIGNED, s SMALLINT UNSIGNED, m MEDIUMINT UNSIGNED, i INT UNSIGNED, KEY (i))');
  });

  it('hold 0 … 2^bits - 1 and refuse one past either end with 1264', () => {
    run("INSERT INTO u VALUES (18446744073709551615, 255, 65535, 16777215, 4294967295), ('9223372036854775808', 0, 0, 0, 0)");
    for (const [column, tooBig] of [['t', '256'], ['s', '65536'], ['m', '16777216'], ['i', '4294967296'], ['id', "'18446744073709551616'"]] as const) {
      expect(errnoOf(`INSERT INTO u (${column}) VALUES (${tooBig})`), column).toBe(1264);
      expect(errnoOf(`INSERT INTO u (${column}) VALUES (-1)`), column).toBe(1264);
    }
    expect(errnoOf('UPDATE u SET t = t + 1')).toBe(1264);
    expect(run('SELECT COUNT(*) FROM u')).toEqual([[2n]]);
  });

  it('write BIGINT UNSIGNED as a decimal string in JSON, the smaller ones as numbers', () => {
    run('INSERT INTO u VALUES (18446744073709551615, 255, 65535, 16777215, 4294967295)');
    expect(json('SELECT * FROM u')).toBe('[["18446744073709551615",255,65535,16777215,4294967295]]');
  });

  it('key in numeric order across 2^63, and number AUTO_INCREMENT ids', () => {
    run("INSERT INTO u (id, i) VALUES ('18446744073709551615', 1), ('9223372036854775808', 3), (9223372036854775807, 2), (1, 4294967295)");
    expect(json('SELECT id FROM u')).toBe('[["1"],["9223372036854775807"],["9223372036854775808"],["18446744073709551615"]]');
    expect(json('SELECT i FROM u ORDER BY i DESC')).toBe('[[4294967295],[3],[2],[1]]');
    expect(json("SELECT id FROM u WHERE id = '9223372036854775808' OR id = 1")).toBe('[["1"],["9223372036854775808"]]');
    run('CREATE TABLE seq (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, n INT)');
    const inserted = runOnStore(store, 'INSERT INTO seq (n) VALUES (1), (2)').result;
    expect(inserted.lastInsertId).toBe(1n);
    expect(json('SELECT id, n FROM seq')).toBe('[["1",1],["2",2]]');
    expect(run('SHOW COLUMNS FROM u').map((row) => row[1])).toEqual(['bigint(20) unsigned', 'tinyint(3) unsigned', 'smallint(5) unsigned', 'mediumint(8) unsigned', 'int(10) unsigned']);
  });

  it('map to Avro decimal(20,0) (BIGINT UNSIGNED) and long (INT UNSIGNED)', () => {
    run('INSERT INTO u VALUES (18446744073709551615, 255, 65535, 16777215, 4294967295)');
    const table = store.table('app', 'u')!;
    expect(valueSchema(table, 'tide').fields.map((field) => field.type)).toEqual([
      { type: 'bytes', logicalType: 'decimal', precision: 20, scale: 0 },
      ['null', 'int'],
      ['null', 'int'],
      ['null', 'int'],
      ['null', 'long'],
    ]);
    const [change] = rowChanges(store);
    const message = new ChangeEncoder({ topicPrefix: 'tide', connectorVersion: '0.0.0-test' }).encode(change!, table);
    const envelope = avsc.Type.forSchema(envelopeSchema(table, 'tide') as avsc.Schema, { registry: { long: bigintLong } });
    const after = (envelope.fromBuffer(decodeWireFormat(message.value)!.body) as { after: Record<string, unknown> }).after;
    // decimal(20,0): the unscaled value's two's complement, big-endian (a leading 0x00 keeps it positive).
    expect((after['id'] as Buffer).toString('hex')).toBe('00ffffffffffffffff');
    expect([after['t'], after['i']]).toEqual([255, 4294967295n]);
  });
});

describe('BINARY, VARBINARY and BLOB', () => {
  beforeEach(() => {
    run('CREATE TABLE b (k VARBINARY(8) PRIMARY KEY, fixed BINARY(4), data BLOB, KEY (fixed))');
    run("INSERT INTO b VALUES (X'00ff', 'ab', 'hello'), ('a', X'01', X''), (X'00', NULL, NULL), (0x61ff, 'x', ?)", ['é']);
  });

  it('hold bytes (BINARY padded with zero bytes), written as base64 in JSON, refusing 1406 past their length', () => {
    expect(json("SELECT k, fixed, data FROM b WHERE k = X'00ff'")).toBe('[["AP8=","YWIAAA==","aGVsbG8="]]');
    expect(json("SELECT data, LENGTH(data), CONCAT(data, '!') FROM b WHERE k = 0x61ff")).toBe('[["w6k=",2,"é!"]]');
    expect(errnoOf("INSERT INTO b (k) VALUES ('123456789')")).toBe(1406);
    expect(errnoOf("INSERT INTO b (k, fixed) VALUES ('z', X'0102030405')")).toBe(1406);
  });

  it('key and compare as bytes: zero bytes and 0xFF in place, text as its UTF-8', () => {
    expect(json('SELECT k FROM b')).toBe('[["AA=="],["AP8="],["YQ=="],["Yf8="]]');
    expect(json('SELECT k FROM b ORDER BY fixed DESC')).toBe('[["Yf8="],["AP8="],["YQ=="],["AA=="]]');
    expect(json("SELECT k FROM b WHERE k = 'a'")).toBe('[["YQ=="]]');
    expect(json("SELECT k FROM b WHERE k > X'00' AND k < 'b' ORDER BY k DESC")).toBe('[["Yf8="],["YQ=="],["AP8="]]');
  });

  it("keep each row's own bytes when a scan reads many (rows are decoded from LMDB's shared read buffer)", () => {
    expect(json('SELECT k, fixed, data FROM b')).toBe('[["AA==",null,null],["AP8=","YWIAAA==","aGVsbG8="],["YQ==","AQAAAA==",""],["Yf8=","eAAAAA==","w6k="]]');
  });

  it('map to Avro bytes', () => {
    const table = store.table('app', 'b')!;
    expect(valueSchema(table, 'tide').fields.map((field) => field.type)).toEqual(['bytes', ['null', 'bytes'], ['null', 'bytes']]);
    const [change] = rowChanges(store);
    const message = new ChangeEncoder({ topicPrefix: 'tide', connectorVersion: '0.0.0-test' }).encode(change!, table);
    const envelope = avsc.Type.forSchema(envelopeSchema(table, 'tide') as avsc.Schema, { registry: { long: bigintLong } });
    const after = (envelope.fromBuffer(decodeWireFormat(message.value)!.body) as { after: Record<string, Buffer> }).after;
    expect([after['k']!.toString('hex'), after['fixed']!.toString('hex'), after['data']!.toString('hex')]).toEqual(['00ff', '61620000', '68656c6c6f']);
  });
});

describe('JSON', () => {
  beforeEach(() => {
    run('CREATE TABLE j (id INT PRIMARY KEY, doc JSON)');
    run(`INSERT INTO j VALUES (1, '{"a": 1, "b": [10, "x"], "c": {"d": "hi"}, "big": 12345678901234567890}'), (2, '[1,2]'), (3, ' "str" '), (4, NULL)`);
  });

  it('validates documents on write (3140) and embeds them in JSON results as written', () => {
    expect(errnoOf("INSERT INTO j VALUES (5, '{bad')")).toBe(3140);
    expect(errnoOf('INSERT INTO j VALUES (5, 5)')).toBe(3140);
    expect(json('SELECT doc FROM j')).toBe('[[{"a": 1, "b": [10, "x"], "c": {"d": "hi"}, "big": 12345678901234567890}],[[1,2]],["str"],[null]]');
    expect(errorCodeOf(() => run('CREATE TABLE k (doc JSON PRIMARY KEY)'))).toBe('TABLE_DEFINITION_INVALID');
    expect(errorCodeOf(() => run('CREATE TABLE k (id INT PRIMARY KEY, doc JSON, KEY (doc))'))).toBe('TABLE_DEFINITION_INVALID');
  });

  it('reads parts with ->, ->> and JSON_EXTRACT, and compares scalars as SQL values', () => {
    expect(json("SELECT doc->'$.a', doc->>'$.c.d', JSON_EXTRACT(doc, '$.b[1]'), doc->'$.b[0]', doc->'$.zz', doc->>'$.b[1]' FROM j WHERE id = 1")).toBe('[[1,"hi","x",10,null,"x"]]');
    expect(json("SELECT id FROM j WHERE doc->>'$.c.d' = 'hi' OR doc = 'str' ORDER BY id")).toBe('[[1],[3]]');
    expect(json("SELECT id FROM j WHERE doc->'$.a' = 1")).toBe('[[1]]');
    expect(json("SELECT doc->'$[*]', JSON_EXTRACT(doc, '$[1]', '$[0]') FROM j WHERE id = 2")).toBe('[[[1, 2],[2, 1]]]');
    expect(errnoOf("SELECT doc->'$[' FROM j")).toBe(3140);
    // An odd count of a pairs-taking function is refused as the call is bound, over no rows too.
    expect(errnoOf("SELECT JSON_OBJECT('a') FROM j WHERE id = 99")).toBe(1582);
    // A function that rewrites a document keeps the integers it does not touch exact.
    expect(json("SELECT JSON_SET(doc, '$.a', 2)->'$.big', doc->'$.big' FROM j WHERE id = 1")).toBe('[[12345678901234567890,12345678901234567890]]');
  });

  it('maps to a string named io.debezium.data.Json in Avro', () => {
    const table = store.table('app', 'j')!;
    expect(valueSchema(table, 'tide').fields[1]!.type).toEqual(['null', { type: 'string', 'connect.name': 'io.debezium.data.Json' }]);
    const [change] = rowChanges(store);
    const message = new ChangeEncoder({ topicPrefix: 'tide', connectorVersion: '0.0.0-test' }).encode(change!, table);
    const envelope = avsc.Type.forSchema(envelopeSchema(table, 'tide') as avsc.Schema, { registry: { long: bigintLong } });
    const after = (envelope.fromBuffer(decodeWireFormat(message.value)!.body) as { after: Record<string, unknown> }).after;
    expect(JSON.parse(String(after['doc']))).toMatchObject({ a: 1, c: { d: 'hi' } });
  });
});

describe('comparisons at the edges', () => {
  it('compare a DECIMAL with numeric text past 65 digits as doubles, without an error', () => {
    run('CREATE TABLE e (id INT PRIMARY KEY, d DECIMAL(65,30))');
    run("INSERT INTO e VALUES (1, '12345678901234567890123456789012345.123456789012345678901234567890')");
    expect(json(`SELECT id FROM e WHERE d < '${'9'.repeat(65)}.${'9'.repeat(30)}'`)).toBe('[[1]]');
    expect(json("SELECT id FROM e WHERE d = '12345678901234567890123456789012345.123456789012345678901234567890'")).toBe('[[1]]');
  });
});
