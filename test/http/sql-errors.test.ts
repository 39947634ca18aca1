// Every kind of bad input gets its status and stable code, and changes nothing: the applied
// index and the table's rows are compared before and after each rejected request, on a whole
// node in process (real LMDB and Raft log) driven through fastify's inject().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../services/http/server.js';
import { requestBytesMax } from '../../services/base/limits.js';
import { startInProcessNode } from './in-process-node.js';
import type { InProcessNode } from './in-process-node.js';

describe('POST /v1/sql rejects bad input and changes nothing', () => {
  let node: InProcessNode;

  beforeAll(async () => {
    node = await startInProcessNode();
    const create = await node.sql({ sql: 'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(8) NOT NULL, price DOUBLE)' });
    expect(create.status).toBe(200);
    const insert = await node.sql({ sql: 'INSERT INTO items VALUES (1, ?, 2.5), (2, ?, 4)', params: ['pen', 'ink'] });
    expect(insert.status).toBe(200);
  });
  afterAll(async () => node.close());

  async function snapshot(): Promise<unknown> {
    const select = await node.sql({ sql: 'SELECT * FROM items ORDER BY id' });
    return { applied: node.store.appliedIndex(), rows: (select.body['results'] as unknown[])[0] };
  }

  const cases: { name: string; body: unknown; status: number; code: string }[] = [
    { name: 'malformed JSON', body: '{"sql": "SELECT 1"', status: 400, code: 'JSON_MALFORMED' },
    { name: 'a body of the wrong shape', body: { query: 'SELECT 1' }, status: 400, code: 'REQUEST_INVALID' },
    { name: 'a param that is an object', body: { sql: 'SELECT ?', params: [{ a: 1 }] }, status: 400, code: 'REQUEST_INVALID' },
    { name: 'a syntax error', body: { sql: 'INSERT INTO items VALUES (3, "x", 1' }, status: 400, code: 'SQL_SYNTAX' },
    { name: 'an unknown table', body: { sql: 'INSERT INTO nope VALUES (1)' }, status: 404, code: 'TABLE_NOT_FOUND' },
    { name: 'an unknown column in INSERT', body: { sql: 'INSERT INTO items (id, colour) VALUES (3, ?)', params: ['red'] }, status: 400, code: 'COLUMN_NOT_FOUND' },
    { name: 'an unknown column in UPDATE', body: { sql: 'UPDATE items SET colour = 1' }, status: 400, code: 'COLUMN_NOT_FOUND' },
    { name: 'an unknown column in WHERE', body: { sql: 'DELETE FROM items WHERE colour = 1' }, status: 400, code: 'COLUMN_NOT_FOUND' },
    { name: 'a duplicate primary key', body: { sql: 'INSERT INTO items VALUES (1, ?, 1)', params: ['dup'] }, status: 409, code: 'DUPLICATE_KEY' },
    { name: 'a type mismatch', body: { sql: 'INSERT INTO items VALUES (?, ?, ?)', params: [3, 'cap', 'cheap'] }, status: 400, code: 'TYPE_MISMATCH' },
    { name: 'a NULL in a NOT NULL column', body: { sql: 'UPDATE items SET name = NULL WHERE id = 1' }, status: 400, code: 'NOT_NULL_VIOLATION' },
    { name: 'a value too long for its VARCHAR', body: { sql: 'INSERT INTO items VALUES (3, ?, 1)', params: ['much too long'] }, status: 400, code: 'VALUE_TOO_LONG' },
    { name: 'too few params', body: { sql: 'INSERT INTO items VALUES (?, ?, ?)', params: [3, 'cap'] }, status: 400, code: 'PARAM_COUNT_MISMATCH' },
    { name: 'a table created twice', body: { sql: 'CREATE TABLE items (id INT PRIMARY KEY)' }, status: 409, code: 'TABLE_EXISTS' },
    {
      name: 'a table whose Kafka topic would collide with another (app.a_b, app_a.b)',
      body: { statements: [{ sql: 'CREATE TABLE a_b (id INT PRIMARY KEY)' }, { sql: 'CREATE TABLE app_a.b (id INT PRIMARY KEY)' }] },
      status: 400,
      code: 'TABLE_DEFINITION_INVALID',
    },
    { name: 'a column named as the hidden row id', body: { sql: 'CREATE TABLE loose (_tidb_rowid INT)' }, status: 400, code: 'TABLE_DEFINITION_INVALID' },
    { name: 'a ZEROFILL column it would not pad', body: { sql: 'CREATE TABLE loose (id INT UNSIGNED ZEROFILL PRIMARY KEY)' }, status: 400, code: 'SQL_UNSUPPORTED' },
    { name: 'a string with a lone surrogate', body: { sql: 'INSERT INTO items VALUES (3, ?, 1)', params: ['\ud800'] }, status: 400, code: 'TYPE_MISMATCH' },
    { name: 'INSERT … SET', body: { sql: 'INSERT INTO items SET id = 3' }, status: 400, code: 'SQL_UNSUPPORTED' },
    { name: 'a column DEFAULT its column cannot hold', body: { sql: 'CREATE TABLE d (id INT PRIMARY KEY, n TINYINT DEFAULT 300)' }, status: 400, code: 'TABLE_DEFINITION_INVALID' },
    { name: 'a CHECK it would not enforce', body: { sql: 'CREATE TABLE c (id INT PRIMARY KEY, n INT CHECK (n > 0) NOT ENFORCED)' }, status: 400, code: 'SQL_UNSUPPORTED' },
    { name: 'a DIV overflowing BIGINT', body: { sql: 'SELECT ? DIV ?', params: [1e300, 1e-300] }, status: 400, code: 'VALUE_OUT_OF_RANGE' },
    { name: 'a window frame with a RANGE offset', body: { sql: 'SELECT SUM(id) OVER (ORDER BY id RANGE 1 PRECEDING) FROM items' }, status: 400, code: 'SQL_UNSUPPORTED' },
    { name: 'a scalar subquery of two rows', body: { sql: 'SELECT (SELECT id FROM items)' }, status: 400, code: 'SUBQUERY_TOO_MANY_ROWS' },
    { name: 'an ambiguous column', body: { sql: 'SELECT id FROM items a, items b' }, status: 400, code: 'COLUMN_AMBIGUOUS' },
    { name: 'a request over the size limit', body: { sql: `SELECT '${'x'.repeat(requestBytesMax)}'` }, status: 413, code: 'REQUEST_TOO_LARGE' },
    {
      name: 'a transaction whose second statement fails (the first is undone)',
      body: { statements: [{ sql: 'INSERT INTO items VALUES (3, ?, 1)', params: ['cap'] }, { sql: 'INSERT INTO items VALUES (2, ?, 1)', params: ['dup'] }] },
      status: 409,
      code: 'DUPLICATE_KEY',
    },
  ];

  for (const testCase of cases) {
    it(`answers ${testCase.code} for ${testCase.name}`, async () => {
      const before = await snapshot();
      const response = await node.sql(testCase.body);
      expect(response.status).toBe(testCase.status);
      const error = response.body['error'] as { code: string; message: string };
      expect(error.code).toBe(testCase.code);
      expect(error.message.length).toBeGreaterThan(0);
      expect(await snapshot()).toEqual(before);
    });
  }

  it('answers BATCH_TOO_LARGE for a transaction whose changes exceed the batch limit', async () => {
    expect((await node.sql({ sql: 'CREATE TABLE wide (id INT PRIMARY KEY, body TEXT)' })).status).toBe(200);
    const body = 'y'.repeat(1_000);
    for (let first = 0; first < 3_000; first += 500) {
      const rows = Array.from({ length: 500 }, () => '(?, ?)').join(', ');
      const params = Array.from({ length: 500 }, (_, at) => [first + at, body]).flat();
      expect((await node.sql({ sql: `INSERT INTO wide VALUES ${rows}`, params })).status).toBe(200);
    }
    const applied = node.store.appliedIndex();
    // 3,000 rows × (before + after) × ~1 KB is over the 4 MiB a batch may carry.
    const update = await node.sql({ sql: 'UPDATE wide SET body = ?', params: ['z'.repeat(1_000)] });
    expect(update.status).toBe(413);
    expect(update.body['error']).toMatchObject({ code: 'BATCH_TOO_LARGE' });
    expect(node.store.appliedIndex()).toBe(applied);
    const sample = await node.sql({ sql: 'SELECT body FROM wide WHERE id = 2999' });
    expect((sample.body['results'] as { rows: string[][] }[])[0]!.rows).toEqual([[body]]);
  });

  it('gives a syntax error its position', async () => {
    const response = await node.sql({ sql: 'SELECT id FROM items WHERE id = = 1' });
    expect(response.body['error']).toMatchObject({ code: 'SQL_SYNTAX', position: { offset: 32, line: 1, column: 33 } });
  });

  it("carries MySQL's error number and SQLSTATE beside the code, where MySQL has one", async () => {
    const expected: [string, number, string][] = [
      ['SELECT id FROM items WHERE id = = 1', 1064, '42000'],
      ['SELECT * FROM nope', 1146, '42S02'],
      ['INSERT INTO items VALUES (1, \'dup\', 1)', 1062, '23000'],
      ['SELECT colour FROM items', 1054, '42S22'],
    ];
    for (const [sql, errno, sqlstate] of expected) {
      const response = await node.sql({ sql });
      expect(response.body['error'], sql).toMatchObject({ mysql_errno: errno, sqlstate });
    }
    // HTTP's own failures have no MySQL counterpart and say none.
    const malformed = await node.sql('{"sql": ');
    expect(malformed.body['error']).not.toHaveProperty('mysql_errno');
  });

  it('names the failing statement of a transaction', async () => {
    const response = await node.sql({ statements: [{ sql: 'SELECT 1' }, { sql: 'SELECT nope FROM items' }] });
    expect(response.body['error']).toMatchObject({ code: 'COLUMN_NOT_FOUND', statement_index: 1 });
  });

  it('answers a malformed URL in the same error shape', async () => {
    const response = await node.app.inject({ method: 'GET', url: '/v1/%zz' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'REQUEST_INVALID' } });
  });

  it('answers NOT_FOUND for an unknown route', async () => {
    const response = await node.app.inject({ method: 'GET', url: '/v1/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('an internal fault', () => {
  it('answers 500 INTERNAL without leaking the stack or message', async () => {
    const app = await buildHttpServer({
      sql: { run: async () => Promise.reject(new Error('secret detail at /srv/x.ts:12')) },
      node: { status: () => ({}) },
      schemaRegistry: async () => {},
      logLevel: 'silent',
    });
    const response = await app.inject({ method: 'POST', url: '/v1/sql', payload: { sql: 'SELECT 1' } });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error', mysql_errno: 1105, sqlstate: 'HY000' } });
    expect(response.body).not.toContain('secret');
    await app.close();
  });
});
