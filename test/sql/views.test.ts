// Views on a real store: CREATE [OR REPLACE] VIEW and DROP VIEW go through a batch and apply,
// last across a reopen and travel in a state snapshot; views read like tables (joins, views over
// views, db.v), share the table namespace, and every misuse fails with MySQL's number and
// changes nothing. SHOW TABLES, SHOW FULL TABLES, SHOW CREATE VIEW and DESCRIBE list them.
import { describe, expect, it } from 'vitest';
import { isDdlRecord } from '../../services/storage/types.js';
import { mysqlErrorOf } from '../../services/base/mysql-errors.js';
import type { ErrorCode } from '../../services/base/errors.js';
import { Store } from '../../services/storage/store.js';
import { readStateSnapshot } from '../support/state-snapshot-chunks.js';
import { useTempStores } from '../support/temp-stores.js';
import { errorCodeOfSql, runOnStoreAsync } from './run-on-store.js';

const stores = useTempStores('tidedb-views-');

async function rowsOf(store: Store, sql: string): Promise<unknown> {
  return (await runOnStoreAsync(store, sql)).rows;
}

async function seeded(): Promise<Store> {
  const store = stores.open();
  await runOnStoreAsync(store, 'CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, city VARCHAR(20))');
  await runOnStoreAsync(store, 'CREATE TABLE orders (id INT PRIMARY KEY, user_id INT, total DECIMAL(8,2))');
  await runOnStoreAsync(store, "INSERT INTO users VALUES (1, 'ann', 'oslo'), (2, 'bob', 'rome'), (3, 'cy', 'oslo')");
  await runOnStoreAsync(store, 'INSERT INTO orders VALUES (10, 1, 5.50), (11, 1, 2.25), (12, 3, 9.00)');
  return store;
}

// Fails with `code` (and MySQL's `errno`), and leaves the applied index where it was.
async function expectRefused(store: Store, sql: string, code: ErrorCode, errno: number): Promise<void> {
  const applied = store.appliedIndex();
  expect(await errorCodeOfSql(store, sql)).toBe(code);
  expect(mysqlErrorOf(code)?.errno).toBe(errno);
  expect(store.appliedIndex()).toBe(applied);
}

describe('views', () => {
  it('reads a view like a table: WHERE, ORDER BY, joins, views over views, db.v', async () => {
    const store = await seeded();
    // A text that starts with blanks keeps its SELECT whole (the parser counts past them).
    await runOnStoreAsync(store, "\n   CREATE VIEW oslo AS SELECT id, name FROM users WHERE city = 'oslo'");
    expect(await rowsOf(store, 'SELECT * FROM oslo ORDER BY id')).toEqual([[1n, 'ann'], [3n, 'cy']]);
    expect(await rowsOf(store, "SELECT name FROM app.oslo WHERE name <> 'ann'")).toEqual([['cy']]);
    const sums = (await rowsOf(store, 'SELECT SUM(r.total) FROM oslo o JOIN orders r ON r.user_id = o.id GROUP BY o.name ORDER BY o.name')) as unknown[][];
    expect(sums.map((row) => String(row[0]))).toEqual(['7.75', '9.00']);
    // A view's column keeps its table column's type: INT / 2 is an exact division, as MySQL's.
    expect(((await rowsOf(store, 'SELECT id / 2 FROM oslo ORDER BY id')) as unknown[][]).map((row) => String(row[0]))).toEqual(['0.5000', '1.5000']);
    expect(String(((await rowsOf(store, 'SELECT id / 3 FROM oslo WHERE id = 1')) as unknown[][])[0]![0])).toBe('0.3333');
    await runOnStoreAsync(store, 'CREATE VIEW oslo_names (who) AS SELECT name FROM oslo');
    expect(await rowsOf(store, 'SELECT who FROM oslo_names ORDER BY who DESC')).toEqual([['cy'], ['ann']]);
    // Rows written after the view was made are seen: a view keeps its query, not its rows.
    await runOnStoreAsync(store, "INSERT INTO users VALUES (4, 'di', 'oslo')");
    expect(await rowsOf(store, 'SELECT COUNT(*) FROM oslo_names')).toEqual([[3n]]);
  });

  it("binds a view's names in its own database, whatever the reader's", async () => {
    const store = await seeded();
    await runOnStoreAsync(store, 'CREATE TABLE shop.users (id INT PRIMARY KEY)');
    await runOnStoreAsync(store, 'INSERT INTO shop.users VALUES (100)');
    await runOnStoreAsync(store, 'CREATE VIEW shop.ids AS SELECT id FROM users');
    expect(await rowsOf(store, 'SELECT id FROM shop.ids')).toEqual([[100n]]);
  });

  it('replaces a view with OR REPLACE, drops views, and lasts across a reopen and a snapshot', async () => {
    const dir = stores.dir();
    let store = Store.open(`${dir}/db`);
    await runOnStoreAsync(store, 'CREATE TABLE t (a INT PRIMARY KEY, b INT)');
    await runOnStoreAsync(store, 'INSERT INTO t VALUES (1, 10), (2, 20)');
    await runOnStoreAsync(store, 'CREATE VIEW v AS SELECT a FROM t');
    await runOnStoreAsync(store, 'CREATE OR REPLACE VIEW v AS SELECT b FROM t WHERE a = 2');
    await runOnStoreAsync(store, 'CREATE VIEW w AS SELECT 1 AS one');
    await store.close();
    store = Store.open(`${dir}/db`);
    try {
      expect(await rowsOf(store, 'SELECT * FROM v')).toEqual([[20n]]);
      const target = Store.open(`${dir}/target`);
      try {
        await target.installStateSnapshot(readStateSnapshot(store, 64 * 1024).chunks);
        expect(await rowsOf(target, 'SELECT * FROM v')).toEqual([[20n]]);
        expect(target.allViews().map((view) => view.name)).toEqual(['v', 'w']);
        // Row counts are replicated meta: they travel with the snapshot.
        expect(target.rowCount(target.table('app', 't')!.id)).toBe(2);
      } finally {
        await target.close();
      }
      await runOnStoreAsync(store, 'DROP VIEW v, w');
      expect(store.allViews()).toEqual([]);
      await runOnStoreAsync(store, 'DROP VIEW IF EXISTS v');
    } finally {
      await store.close();
    }
  });

  it('lists views in SHOW TABLES, SHOW FULL TABLES and information, prints SHOW CREATE VIEW, and describes them', async () => {
    const store = await seeded();
    await runOnStoreAsync(store, "CREATE VIEW v (ident, label) AS SELECT id, name FROM users WHERE city = 'oslo'");
    expect(await rowsOf(store, 'SHOW TABLES')).toEqual([['orders'], ['users'], ['v']]);
    const full = await runOnStoreAsync(store, 'SHOW FULL TABLES');
    expect(full.columns).toEqual(['Tables_in_app', 'Table_type']);
    expect(full.rows).toEqual([['orders', 'BASE TABLE'], ['users', 'BASE TABLE'], ['v', 'VIEW']]);
    expect(await rowsOf(store, "SHOW TABLES LIKE 'u%'")).toEqual([['users']]);
    const created = await runOnStoreAsync(store, 'SHOW CREATE VIEW v');
    expect(created.columns).toEqual(['View', 'Create View', 'character_set_client', 'collation_connection']);
    expect(created.rows).toEqual([['v', "CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`%` SQL SECURITY DEFINER VIEW `v` (`ident`,`label`) AS SELECT id, name FROM users WHERE city = 'oslo'", 'utf8mb4', 'utf8mb4_bin']]);
    // SHOW CREATE TABLE of a view answers as SHOW CREATE VIEW, as MySQL does.
    expect((await runOnStoreAsync(store, 'SHOW CREATE TABLE v')).columns[0]).toBe('View');
    expect(await rowsOf(store, 'DESCRIBE v')).toEqual([
      ['ident', 'int(11)', 'NO', '', null, ''],
      ['label', 'varchar(20)', 'NO', '', null, ''],
    ]);
  });

  it("keeps the client's SELECT text, through the parser's rewrites, and reads it back the same", async () => {
    const store = await seeded();
    const query = 'SELECT city, SUM(DISTINCT id) AS s, -9223372036854775807 AS low FROM users GROUP BY city';
    await runOnStoreAsync(store, `CREATE VIEW sums AS ${query} ;  `);
    expect(store.viewDef('app', 'sums')?.query).toBe(query);
    expect(await rowsOf(store, 'SELECT city, s, low FROM sums ORDER BY city')).toEqual([
      ['oslo', expect.anything(), -9223372036854775807n],
      ['rome', expect.anything(), -9223372036854775807n],
    ]);
    const sums = (await rowsOf(store, 'SELECT s FROM sums ORDER BY city')) as unknown[][];
    expect(sums.map((row) => String(row[0]))).toEqual(['4', '2']);
  });

  it('refuses misuse with MySQL numbers, changing nothing', async () => {
    const store = await seeded();
    await runOnStoreAsync(store, 'CREATE VIEW v AS SELECT id FROM users');
    await expectRefused(store, 'CREATE TABLE v (x INT PRIMARY KEY)', 'TABLE_EXISTS', 1050);
    await expectRefused(store, 'CREATE VIEW users AS SELECT 1', 'TABLE_EXISTS', 1050);
    await expectRefused(store, 'CREATE VIEW v AS SELECT 2', 'TABLE_EXISTS', 1050);
    await expectRefused(store, 'DROP TABLE v', 'TABLE_UNKNOWN', 1051);
    await expectRefused(store, 'DROP VIEW users', 'NOT_A_VIEW', 1347);
    await expectRefused(store, 'SHOW CREATE VIEW users', 'NOT_A_VIEW', 1347);
    await expectRefused(store, 'DROP VIEW nope', 'TABLE_UNKNOWN', 1051);
    await expectRefused(store, 'DROP VIEW v, nope', 'TABLE_UNKNOWN', 1051);
    expect(store.allViews().map((view) => view.name)).toEqual(['v']);
    await expectRefused(store, 'CREATE VIEW d AS SELECT id, id FROM users', 'COLUMN_DUPLICATE', 1060);
    await expectRefused(store, 'CREATE VIEW p AS SELECT id FROM users WHERE id = ?', 'SQL_UNSUPPORTED', 1235);
    await expectRefused(store, 'CREATE VIEW m AS SELECT nothing FROM users', 'COLUMN_NOT_FOUND', 1054);
    await expectRefused(store, "INSERT INTO v VALUES (9)", 'VIEW_NOT_UPDATABLE', 1288);
    await expectRefused(store, 'UPDATE v SET id = 2', 'VIEW_NOT_UPDATABLE', 1288);
    await expectRefused(store, 'DELETE FROM v', 'VIEW_NOT_UPDATABLE', 1288);
    await expectRefused(store, 'CREATE OR REPLACE VIEW v AS SELECT * FROM v', 'VIEW_RECURSIVE', 1462);
    await runOnStoreAsync(store, 'CREATE VIEW w AS SELECT id FROM v');
    await expectRefused(store, 'CREATE OR REPLACE VIEW v AS SELECT id FROM w', 'VIEW_RECURSIVE', 1462);
    expect(await rowsOf(store, 'SELECT COUNT(*) FROM w')).toEqual([[3n]]);
  });

  it('answers 1356 for a view whose table was dropped, and reads again once it is back', async () => {
    const store = await seeded();
    await runOnStoreAsync(store, 'CREATE VIEW v AS SELECT name FROM users');
    await runOnStoreAsync(store, 'CREATE VIEW vv AS SELECT name FROM v');
    await runOnStoreAsync(store, 'DROP TABLE users');
    await expectRefused(store, 'SELECT * FROM v', 'VIEW_INVALID', 1356);
    await expectRefused(store, 'SELECT * FROM vv', 'VIEW_INVALID', 1356);
    await runOnStoreAsync(store, 'CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(5))');
    await runOnStoreAsync(store, "INSERT INTO users VALUES (1, 'eve')");
    expect(await rowsOf(store, 'SELECT * FROM vv')).toEqual([['eve']]);
  });

  it('drops a database with its views, and writes no view change to the changelog', async () => {
    const store = stores.open();
    await runOnStoreAsync(store, 'CREATE DATABASE shop');
    await runOnStoreAsync(store, 'CREATE TABLE shop.t (a INT PRIMARY KEY)');
    await runOnStoreAsync(store, 'CREATE VIEW shop.v AS SELECT a FROM t');
    // The database's and the table's schema-change records, and nothing for the view.
    expect(store.readChanges(0n, 100).map((record) => (isDdlRecord(record) ? record.kind : record.op))).toEqual(['create_database', 'create_table']);
    expect((await runOnStoreAsync(store, 'DROP DATABASE shop')).rowsAffected).toBe(1);
    expect(store.allViews()).toEqual([]);
    await expectRefused(store, 'SELECT * FROM shop.v', 'TABLE_NOT_FOUND', 1146);
  });
});
