// The request's `database` field acts as `USE` for that request: unqualified table names
// resolve in it, in both body shapes and for reads and writes alike; `db.table` still names
// any database; a name that is not an identifier is refused before anything runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessNode } from './in-process-node.js';
import type { InProcessNode } from './in-process-node.js';

describe('POST /v1/sql with a database field', () => {
  let node: InProcessNode;

  beforeAll(async () => {
    node = await startInProcessNode();
  });
  afterAll(async () => node.close());

  const rows = (body: Record<string, unknown>, at = 0): unknown => ((body['results'] as Record<string, unknown>[])[at]!)['rows'];

  it('creates, writes and reads unqualified tables in the named database, apart from the default one', async () => {
    expect((await node.sql({ sql: 'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(8))', database: 'shop' })).status).toBe(200);
    expect((await node.sql({ sql: 'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(8))' })).status).toBe(200);
    const write = await node.sql({ statements: [{ sql: "INSERT INTO items VALUES (1, 'pen')" }, { sql: 'SELECT name FROM items' }], database: 'shop' });
    expect(write.status).toBe(200);
    expect(rows(write.body, 1)).toEqual([['pen']]);
    expect(rows((await node.sql({ sql: 'SELECT name FROM items', database: 'shop' })).body)).toEqual([['pen']]);
    expect(rows((await node.sql({ sql: 'SELECT name FROM shop.items' })).body)).toEqual([['pen']]);
    expect(rows((await node.sql({ sql: 'SELECT name FROM items' })).body)).toEqual([]);
    expect(rows((await node.sql({ sql: 'SELECT name FROM app.items', database: 'shop' })).body)).toEqual([]);
  });

  it('holds for stale reads and reads at an lsn', async () => {
    const write = await node.sql({ sql: "INSERT INTO items VALUES (2, 'ink')", database: 'shop' });
    const lsn = write.body['lsn'] as string;
    expect(rows((await node.sql({ sql: 'SELECT COUNT(*) FROM items', database: 'shop', consistency: 'stale' })).body)).toEqual([[2]]);
    expect(rows((await node.sql({ sql: 'SELECT COUNT(*) FROM items', database: 'shop', min_lsn: lsn })).body)).toEqual([[2]]);
  });

  it('lists the tables of the named database with SHOW TABLES', async () => {
    expect((await node.sql({ sql: 'CREATE TABLE orders (id INT PRIMARY KEY)', database: 'shop' })).status).toBe(200);
    expect(rows((await node.sql({ sql: 'SHOW TABLES', database: 'shop' })).body)).toEqual([['items'], ['orders']]);
    expect(rows((await node.sql({ sql: 'SHOW TABLES' })).body)).toEqual([['items']]);
  });

  it('says which table is missing in which database', async () => {
    const missing = await node.sql({ sql: 'SELECT * FROM orders', database: 'nowhere' });
    expect(missing.status).toBe(404);
    expect(missing.body['error']).toMatchObject({ code: 'TABLE_NOT_FOUND', message: expect.stringContaining('nowhere.orders') });
  });

  it('runs CREATE and DROP DATABASE through the log, answering 1007 and 1008 as MySQL does', async () => {
    expect((await node.sql({ sql: 'CREATE DATABASE crm' })).body['results']).toMatchObject([{ rows_affected: 1 }]);
    expect((await node.sql({ sql: 'CREATE TABLE people (id INT PRIMARY KEY)', database: 'crm' })).status).toBe(200);
    const twice = await node.sql({ sql: 'CREATE DATABASE crm' });
    expect(twice.status).toBe(409);
    expect(twice.body['error']).toMatchObject({ code: 'DATABASE_EXISTS', mysql_errno: 1007 });
    expect(rows((await node.sql({ sql: 'SHOW DATABASES' })).body)).toEqual([['app'], ['crm'], ['shop']]);
    expect((await node.sql({ sql: 'DROP DATABASE crm' })).body['results']).toMatchObject([{ rows_affected: 1 }]);
    const gone = await node.sql({ sql: 'DROP DATABASE crm' });
    expect(gone.status).toBe(404);
    expect(gone.body['error']).toMatchObject({ code: 'DATABASE_NOT_FOUND', mysql_errno: 1008 });
    expect((await node.sql({ sql: 'SELECT * FROM people', database: 'crm' })).status).toBe(404);
  });

  it('switches the rest of a request with USE, and only validates the database when alone', async () => {
    const used = await node.sql({ statements: [{ sql: 'USE shop' }, { sql: 'SELECT name FROM items ORDER BY id' }, { sql: 'CREATE TABLE notes (id INT PRIMARY KEY)' }] });
    expect(used.status).toBe(200);
    expect(rows(used.body, 0)).toEqual([]);
    expect(rows(used.body, 1)).toEqual([['pen'], ['ink']]);
    expect(rows((await node.sql({ sql: 'SHOW TABLES', database: 'shop' })).body)).toContainEqual(['notes']);
    // The next request starts again from its own database: USE lasted one request.
    expect((await node.sql({ sql: 'SELECT * FROM notes' })).status).toBe(404);
    expect((await node.sql({ sql: 'USE shop' })).status).toBe(200);
    expect(rows((await node.sql({ statements: [{ sql: 'USE information_schema' }, { sql: "SELECT COUNT(*) FROM tables WHERE table_name = 'notes'" }] })).body, 1)).toEqual([[1]]);
  });

  it('answers USE of an unknown database with 1049, and runs none of the statements', async () => {
    const before = node.store.appliedIndex();
    const unknown = await node.sql({ statements: [{ sql: 'CREATE TABLE early (id INT PRIMARY KEY)' }, { sql: 'USE nowhere' }] });
    expect(unknown.status).toBe(404);
    expect(unknown.body['error']).toMatchObject({ code: 'DATABASE_UNKNOWN', mysql_errno: 1049, statement_index: 1 });
    expect(node.store.appliedIndex()).toBe(before);
    expect(node.store.table('app', 'early')).toBeUndefined();
  });

  for (const database of ['', 'no-dash', '1st', 'x'.repeat(65), 7]) {
    it(`refuses database ${JSON.stringify(database).slice(0, 12)} with REQUEST_INVALID and changes nothing`, async () => {
      const before = node.store.appliedIndex();
      const refused = await node.sql({ sql: "INSERT INTO items VALUES (9, 'no')", database });
      expect(refused.status).toBe(400);
      expect(refused.body['error']).toMatchObject({ code: 'REQUEST_INVALID' });
      expect(node.store.appliedIndex()).toBe(before);
    });
  }
});
