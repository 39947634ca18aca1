// Proves how a collation is declared and kept, on a real store: per column, per table
// (COLLATE=, which later ADD/MODIFY take) and per database (CREATE DATABASE … COLLATE), kept in
// the catalog across a reopen; refused names and misuses with their codes; keys that an index
// lookup, a key range and ORDER BY … LIMIT read in the collation's order (EXPLAIN shows the path,
// and the same queries with access paths off give the same rows); a change of collation that
// rebuilds keys or fails on the rows that clash under the new one.
import { afterEach, describe, expect, it } from 'vitest';
import { mysqlErrorOf } from '../../services/base/mysql-errors.js';
import { accessPaths } from '../../services/sql/select/access-path.js';
import { Store } from '../../services/storage/store.js';
import type { Row } from '../../services/storage/types.js';
import { useTempStores } from '../support/temp-stores.js';
import { errorCodeOfSql, runOnStore, runOnStoreAsync } from './run-on-store.js';

const stores = useTempStores('tidedb-collation-');

afterEach(() => {
  accessPaths.enabled = true;
});

function rows(store: Store, sql: string): readonly Row[] {
  return runOnStore(store, sql).result.rows;
}

function createText(store: Store, table: string): string {
  return String(rows(store, `SHOW CREATE TABLE ${table}`)[0]![1]);
}

describe('declaring a collation', () => {
  it('takes a column’s COLLATE, else the table’s, else the database’s, and keeps them across a reopen', async () => {
    const dir = stores.dir();
    let store = Store.open(`${dir}/db`);
    await runOnStoreAsync(store, 'CREATE DATABASE ci DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci');
    await runOnStoreAsync(store, 'CREATE TABLE ci.t (id INT PRIMARY KEY, a VARCHAR(10), b TEXT COLLATE utf8mb4_bin, n INT)');
    await runOnStoreAsync(store, 'CREATE TABLE app.u (id INT PRIMARY KEY, a CHAR(4), b VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8_general_ci) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci');
    await runOnStoreAsync(store, 'CREATE TABLE app.v (id INT PRIMARY KEY, a VARCHAR(10) COLLATE utf8mb4_general_ci, b VARCHAR(10))');
    await store.close();
    store = Store.open(`${dir}/db`);
    try {
      expect(createText(store, 'ci.t')).toBe('CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  `a` varchar(10) DEFAULT NULL,\n  `b` text CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL,\n  `n` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci');
      expect(createText(store, 'app.u')).toMatch(/`a` char\(4\) DEFAULT NULL,\n {2}`b` varchar\(10\) DEFAULT NULL,[\s\S]*COLLATE=utf8mb4_general_ci$/);
      expect(createText(store, 'app.v')).toMatch(/`a` varchar\(10\) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci DEFAULT NULL,\n {2}`b` varchar\(10\) DEFAULT NULL,[\s\S]*COLLATE=utf8mb4_bin$/);
      expect(rows(store, "SELECT TABLE_NAME, COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'ci' ORDER BY ORDINAL_POSITION")).toEqual([
        ['t', 'id', null], ['t', 'a', 'utf8mb4_general_ci'], ['t', 'b', 'utf8mb4_bin'], ['t', 'n', null],
      ]);
      expect(rows(store, "SELECT SCHEMA_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ('app', 'ci') ORDER BY 1")).toEqual([['app', 'utf8mb4_bin'], ['ci', 'utf8mb4_general_ci']]);
      expect(rows(store, "SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app' ORDER BY 1")).toEqual([['u', 'utf8mb4_general_ci'], ['v', 'utf8mb4_bin']]);
      expect(rows(store, "SHOW TABLE STATUS FROM ci").map((row) => row[14])).toEqual(['utf8mb4_general_ci']);
      await runOnStoreAsync(store, "INSERT INTO ci.t VALUES (1, 'Straße', 'Straße', 1)");
      expect(rows(store, "SELECT a = 'STRASE', b = 'STRASE' FROM ci.t")).toEqual([[true, false]]);
    } finally {
      await store.close();
    }
  });

  it('gives columns that ALTER TABLE adds or redefines without COLLATE the table’s default, as MySQL does', async () => {
    const store = stores.open();
    await runOnStoreAsync(store, 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10) COLLATE utf8mb4_bin) COLLATE=utf8mb4_general_ci');
    await runOnStoreAsync(store, 'ALTER TABLE t ADD COLUMN b VARCHAR(10), ADD COLUMN c VARCHAR(10) COLLATE utf8mb4_bin');
    expect(createText(store, 't')).toMatch(/`a` varchar\(10\) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL,\n {2}`b` varchar\(10\) DEFAULT NULL,\n {2}`c` varchar\(10\) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin/);
    await runOnStoreAsync(store, 'ALTER TABLE t MODIFY a VARCHAR(10)');
    expect(createText(store, 't')).toMatch(/`a` varchar\(10\) DEFAULT NULL/);
    // A new default changes no column the table has; a column added after takes it.
    await runOnStoreAsync(store, 'ALTER TABLE t ADD COLUMN d VARCHAR(10), COLLATE utf8mb4_bin');
    expect(createText(store, 't')).toMatch(/`a` varchar\(10\) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci DEFAULT NULL,\n {2}`b` varchar\(10\) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci DEFAULT NULL,\n {2}`c` varchar\(10\) DEFAULT NULL,\n {2}`d` varchar\(10\) DEFAULT NULL,[\s\S]*COLLATE=utf8mb4_bin$/);
  });

  it('refuses unknown collations, other character sets, COLLATE on what is not text and a foreign key across collations, changing nothing', async () => {
    const store = stores.open();
    await runOnStoreAsync(store, 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10), n INT)');
    const applied = store.appliedIndex();
    expect(await errorCodeOfSql(store, 'CREATE TABLE u (a VARCHAR(10) COLLATE utf8mb4_0900_ai_ci)')).toBe('COLLATION_UNKNOWN');
    expect(await errorCodeOfSql(store, 'CREATE TABLE u (a VARCHAR(10)) COLLATE=utf8mb4_unicode_ci')).toBe('COLLATION_UNKNOWN');
    expect(await errorCodeOfSql(store, 'CREATE TABLE u (a VARCHAR(10) CHARACTER SET latin1)')).toBe('SQL_UNSUPPORTED');
    expect(await errorCodeOfSql(store, 'CREATE TABLE u (n INT COLLATE utf8mb4_general_ci)')).toBe('COLLATION_UNKNOWN');
    expect(await errorCodeOfSql(store, 'CREATE DATABASE d COLLATE utf8mb4_unicode_ci')).toBe('COLLATION_UNKNOWN');
    expect(await errorCodeOfSql(store, 'SELECT a FROM t ORDER BY a COLLATE latin1_bin')).toBe('COLLATION_UNKNOWN');
    expect(await errorCodeOfSql(store, 'SELECT n COLLATE utf8mb4_general_ci FROM t')).toBe('COLLATION_UNKNOWN');
    expect(await errorCodeOfSql(store, "SELECT a COLLATE utf8mb4_bin = 'x' COLLATE utf8mb4_general_ci FROM t")).toBe('COLLATION_MIX_ILLEGAL');
    expect(store.appliedIndex()).toBe(applied);
    await runOnStoreAsync(store, 'CREATE TABLE p (c VARCHAR(10) COLLATE utf8mb4_general_ci PRIMARY KEY)');
    const created = store.appliedIndex();
    expect(await errorCodeOfSql(store, 'CREATE TABLE c (id INT PRIMARY KEY, c VARCHAR(10), FOREIGN KEY (c) REFERENCES p (c))')).toBe('FOREIGN_KEY_COLUMNS_INCOMPATIBLE');
    expect(store.appliedIndex()).toBe(created);
    expect(mysqlErrorOf('COLLATION_UNKNOWN')).toEqual({ errno: 1273, sqlstate: 'HY000' });
    expect(mysqlErrorOf('COLLATION_MIX_ILLEGAL')).toEqual({ errno: 1267, sqlstate: 'HY000' });
  });
});

describe('keys under utf8mb4_general_ci', () => {
  const setup = [
    'CREATE TABLE people (id INT PRIMARY KEY, email VARCHAR(60) COLLATE utf8mb4_general_ci, name VARCHAR(30) COLLATE utf8mb4_general_ci, UNIQUE KEY by_email (email), KEY by_name (name DESC))',
    "INSERT INTO people VALUES (1, 'a@x.com', 'ann'), (2, 'B@x.com', 'Bob'), (3, 'c@x.com', 'Émile'), (4, 'd@x.com', 'emily'), (5, 'e@x.com', 'ANN'), (6, 'f@x.com', 'zoë'), (7, 'g@x.com', NULL)",
  ];
  const queries = [
    "SELECT id FROM people WHERE email = 'A@X.COM'",
    "SELECT id FROM people WHERE email IN ('b@X.com', 'C@x.COM ') ORDER BY id",
    "SELECT id FROM people WHERE name = 'ANN' ORDER BY id",
    "SELECT id FROM people WHERE name > 'Emile' AND name <= 'EMILY' ORDER BY id",
    "SELECT id FROM people WHERE name BETWEEN 'a' AND 'E' ORDER BY id",
    "SELECT id FROM people WHERE name COLLATE utf8mb4_bin = 'ANN'",
    'SELECT name FROM people ORDER BY name DESC, id LIMIT 3',
    'SELECT email FROM people ORDER BY email LIMIT 3',
    'SELECT id FROM people ORDER BY name, id',
  ];

  it('reads through the index in the collation, and answers as a full scan does', async () => {
    const store = stores.open();
    for (const sql of setup) await runOnStoreAsync(store, sql);
    const explained = (sql: string): string => rows(store, `EXPLAIN ${sql}`).map((row) => row.join(' ')).join('\n');
    expect(explained("SELECT id FROM people WHERE email = 'A@X.COM'")).toMatch(/index:by_email\(email\)/);
    expect(explained("SELECT id FROM people WHERE name = 'ANN'")).toMatch(/index:by_name/);
    // Under another collation the key's order is not the comparison's: no index.
    expect(explained("SELECT id FROM people WHERE email COLLATE utf8mb4_bin = 'A@X.COM'")).not.toMatch(/by_email/);
    const withPaths = queries.map((sql) => rows(store, sql));
    accessPaths.enabled = false;
    const withoutPaths = queries.map((sql) => rows(store, sql));
    expect(withPaths).toEqual(withoutPaths);
    expect(withPaths).toEqual([
      [[1n]],
      [[2n], [3n]],
      [[1n], [5n]],
      [[4n]],
      [[1n], [2n], [5n]],
      [[5n]],
      [['zoë'], ['emily'], ['Émile']],
      [['a@x.com'], ['B@x.com'], ['c@x.com']],
      [[7n], [1n], [5n], [2n], [3n], [4n], [6n]],
    ]);
  });

  it('refuses a row whose key equals another’s under the collation, within one statement too', async () => {
    const store = stores.open();
    for (const sql of setup) await runOnStoreAsync(store, sql);
    const applied = store.appliedIndex();
    expect(await errorCodeOfSql(store, "INSERT INTO people VALUES (8, 'A@X.Com', 'x')")).toBe('DUPLICATE_KEY');
    expect(await errorCodeOfSql(store, "INSERT INTO people VALUES (8, 'new@x.com', 'x'), (9, 'NEW@x.com', 'y')")).toBe('DUPLICATE_KEY');
    expect(await errorCodeOfSql(store, "UPDATE people SET email = 'é@x.com' WHERE id = 1")).toBe('DUPLICATE_KEY');
    expect(await errorCodeOfSql(store, "UPDATE people SET email = 'ÿ@x.com' WHERE id = 1")).toBe('no error');
    expect(await errorCodeOfSql(store, "UPDATE people SET email = 'Ÿ@X.COM' WHERE id = 2")).toBe('DUPLICATE_KEY');
    // The same key in another case is the same row: it is updated, not refused.
    expect(await errorCodeOfSql(store, "UPDATE people SET email = 'F@X.COM' WHERE id = 6")).toBe('no error');
    expect(rows(store, "SELECT email FROM people WHERE email = 'f@x.com'")).toEqual([['F@X.COM']]);
    expect(store.appliedIndex()).toBe(applied + 2n);
  });

  it('rebuilds the keys when MODIFY changes a column’s collation, or fails on rows that clash under the new one', async () => {
    const store = stores.open();
    await runOnStoreAsync(store, 'CREATE TABLE codes (code VARCHAR(10) PRIMARY KEY, tag VARCHAR(10), UNIQUE KEY by_tag (tag))');
    await runOnStoreAsync(store, "INSERT INTO codes VALUES ('a', 'x'), ('B', 'Y'), ('c', 'y')");
    expect(await errorCodeOfSql(store, 'ALTER TABLE codes MODIFY tag VARCHAR(10) COLLATE utf8mb4_general_ci')).toBe('DUPLICATE_KEY');
    await runOnStoreAsync(store, "DELETE FROM codes WHERE code = 'c'");
    await runOnStoreAsync(store, 'ALTER TABLE codes MODIFY code VARCHAR(10) COLLATE utf8mb4_general_ci, MODIFY tag VARCHAR(10) COLLATE utf8mb4_general_ci');
    expect(rows(store, "SELECT code FROM codes WHERE code = 'b'")).toEqual([['B']]);
    expect(rows(store, "SELECT code FROM codes WHERE tag = 'X'")).toEqual([['a']]);
    expect(rows(store, 'SELECT code FROM codes ORDER BY code')).toEqual([['a'], ['B']]);
    expect(await errorCodeOfSql(store, "INSERT INTO codes VALUES ('A', 'z')")).toBe('DUPLICATE_KEY');
  });
});
