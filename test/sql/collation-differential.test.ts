// utf8mb4_general_ci beside MariaDB: one script of statements on tables with general_ci columns
// (mixed case, accents, ß, trailing spaces) runs on both, and each statement must succeed or fail
// alike (MySQL's error number when it fails: 1062 on a UNIQUE or primary key clash under the
// collation, 1267 on an illegal mix) and each query must return the same rows: lookups through
// the primary key and a secondary index, ranges, IN, LIKE, ORDER BY, GROUP BY, DISTINCT, joins,
// MIN/MAX, window partitions, derived tables, views, string functions, UNION, INTERSECT and
// EXCEPT, COLLATE clauses, SHOW
// CREATE TABLE and information_schema, and the keys a MODIFY to another collation rebuilds.
import { describe, expect, it } from 'vitest';
import { TideError } from '../../services/base/errors.js';
import { mysqlErrorOf } from '../../services/base/mysql-errors.js';
import type { Store } from '../../services/storage/store.js';
import type { Value } from '../../services/storage/types.js';
import { mariadbOptions, mariadbUnreachable } from '../support/mariadb.js';
import { useStoreBesideMariadb } from '../support/store-beside-mariadb.js';
import { runOnStoreAsync } from './run-on-store.js';

const database = 'tidedb_collation_difftest';
const unreachable = await mariadbUnreachable(mariadbOptions, 'collation differential test');

// The database is utf8mb4_bin (store-beside-mariadb.ts), as TideDB's default; the columns below
// and the `tags` table's default say general_ci where the test means it.
const script = [
  'CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(100) COLLATE utf8mb4_general_ci NOT NULL, name VARCHAR(50) COLLATE utf8mb4_general_ci, city VARCHAR(30), UNIQUE KEY email_unique (email), KEY by_name (name))',
  'CREATE TABLE codes (code VARCHAR(20) COLLATE utf8mb4_general_ci PRIMARY KEY, n INT)',
  'CREATE TABLE orders (id INT PRIMARY KEY, email VARCHAR(100) COLLATE utf8mb4_general_ci, total INT)',
  'CREATE TABLE tags (id INT PRIMARY KEY, tag VARCHAR(20), label VARCHAR(20) COLLATE utf8mb4_bin, UNIQUE KEY tag_unique (tag)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci',
  "INSERT INTO users VALUES (1, 'ann@x.com', 'Ann', 'Paris'), (2, 'Emile@X.com', 'émile', 'paris'), (3, 'bob@x.com', 'BOB', 'Lyon'), (4, 'zoe@x.com', 'Zoë', 'Nice'), (5, 'strasse@x.com', 'Straße', 'Köln'), (6, 'cara@x.com', 'cara', NULL)",
  "INSERT INTO users VALUES (7, 'ANN@X.COM', 'dup', 'Rome')",
  "INSERT INTO users VALUES (8, 'émile@x.com', 'dup', 'Rome')",
  "INSERT INTO users VALUES (9, 'bob@x.com  ', 'dup', 'Rome')",
  "INSERT INTO users VALUES (10, 'dan@x.com', 'Émile', 'Oslo'), (11, 'eve@x.com', 'ann', 'Bern'), (12, 'fay@x.com', 'Ånn', 'Bern')",
  "INSERT INTO codes VALUES ('abc', 1), ('Déjà', 2), ('zz', 3), ('Mm', 4)",
  "INSERT INTO codes VALUES ('ABC', 5)",
  "INSERT INTO codes VALUES ('deja', 6)",
  "INSERT INTO codes VALUES ('abc   ', 7)",
  "INSERT INTO orders VALUES (1, 'ANN@x.com', 10), (2, 'emile@x.com', 20), (3, 'Bob@X.Com', 30), (4, 'nobody@x.com', 40), (5, 'ann@x.com', 50)",
  "INSERT INTO tags VALUES (1, 'Red', 'Red'), (2, 'green', 'green')",
  "INSERT INTO tags VALUES (3, 'RED', 'RED')",
  "INSERT INTO tags VALUES (4, 'blue', 'RED')",
  "UPDATE users SET email = 'Ann@X.com' WHERE id = 1",
  "UPDATE users SET email = 'BOB@x.com' WHERE id = 6",
  "UPDATE codes SET code = 'ABC' WHERE code = 'abc'",
  'CREATE VIEW people AS SELECT id, name FROM users',
  'CREATE TABLE tickets (id INT PRIMARY KEY, code VARCHAR(20) COLLATE utf8mb4_general_ci, FOREIGN KEY (code) REFERENCES codes (code))',
  "INSERT INTO tickets VALUES (1, 'DEJA'), (2, 'abc')",
  "INSERT INTO tickets VALUES (3, 'nope')",
  "DELETE FROM codes WHERE code = 'déjà'",
];

// Queries whose rows must be the same. Where strings equal under the collation tie, an ORDER BY
// names a tie-breaker, and the text shown for a group is never asked (it is any one of them).
const queries = [
  'SELECT id, email FROM users ORDER BY id',
  'SELECT code, n FROM codes ORDER BY n',
  "SELECT id FROM users WHERE email = 'ANN@X.COM'",
  "SELECT id FROM users WHERE email = 'emile@x.com'",
  "SELECT id FROM users WHERE email = 'bob@x.com   '",
  "SELECT id FROM users WHERE name = 'EMILE' ORDER BY id",
  "SELECT id FROM users WHERE name = 'ANN' ORDER BY id",
  "SELECT id FROM users WHERE name <> 'ann' ORDER BY id",
  "SELECT code, n FROM codes WHERE code = 'DEJA'",
  "SELECT code, n FROM codes WHERE code = 'abc  '",
  "SELECT code FROM codes WHERE code > 'ABC' AND code < 'n' ORDER BY code",
  "SELECT id FROM users WHERE name BETWEEN 'B' AND 'd' ORDER BY id",
  "SELECT id FROM users WHERE name < 'C' ORDER BY id",
  "SELECT id FROM users WHERE email IN ('ANN@X.COM', 'Zoe@x.com', 'strasse@X.COM') ORDER BY id",
  "SELECT id FROM users WHERE name IN ('strasse', 'ZOE', 'x') ORDER BY id",
  "SELECT id FROM users WHERE name LIKE 'e%' ORDER BY id",
  "SELECT id FROM users WHERE name LIKE '%NN' ORDER BY id",
  "SELECT id FROM users WHERE name NOT LIKE '_mile' ORDER BY id",
  "SELECT id FROM users WHERE city LIKE 'p%' ORDER BY id",
  'SELECT id, name FROM users ORDER BY name, id',
  'SELECT id FROM users ORDER BY name DESC, id',
  'SELECT id FROM users ORDER BY email DESC',
  'SELECT code FROM codes ORDER BY code',
  'SELECT COUNT(*), MIN(id) FROM users GROUP BY name ORDER BY MIN(id)',
  'SELECT COUNT(*), SUM(total) FROM orders GROUP BY email ORDER BY 2',
  'SELECT COUNT(*) FROM (SELECT DISTINCT name FROM users) AS d',
  'SELECT COUNT(DISTINCT name), COUNT(DISTINCT city) FROM users',
  'SELECT COUNT(DISTINCT name, city), COUNT(DISTINCT city, id) FROM users',
  'SELECT MIN(name), MAX(name), MIN(email), MAX(email) FROM users',
  'SELECT u.id, o.id FROM users u JOIN orders o ON u.email = o.email ORDER BY u.id, o.id',
  'SELECT o.id, u.id FROM orders o LEFT JOIN users u ON o.email = u.email ORDER BY o.id',
  'SELECT o.id FROM orders o WHERE o.email IN (SELECT email FROM users) ORDER BY o.id',
  "SELECT id FROM users WHERE name COLLATE utf8mb4_bin = 'ann' ORDER BY id",
  "SELECT id FROM users WHERE city COLLATE utf8mb4_general_ci = 'PARIS' ORDER BY id",
  "SELECT id FROM users WHERE city = 'PARIS' ORDER BY id",
  "SELECT id FROM users ORDER BY name COLLATE utf8mb4_bin, id",
  "SELECT 'a' = 'A', 'a' COLLATE utf8mb4_general_ci = 'A', 'é' COLLATE utf8mb4_general_ci = 'E', 'ß' COLLATE utf8mb4_general_ci = 's'",
  "SELECT id FROM tags WHERE tag = 'GREEN'",
  "SELECT id FROM tags WHERE label = 'GREEN'",
  "SELECT id FROM (SELECT id, name FROM users) AS d WHERE d.name = 'ANN' ORDER BY id",
  "SELECT id FROM people WHERE name = 'ANN' ORDER BY id",
  "WITH w AS (SELECT id, name FROM users) SELECT id FROM w WHERE name = 'ANN' ORDER BY id",
  'WITH w AS (SELECT name FROM users) SELECT COUNT(DISTINCT name) FROM w',
  'SELECT COUNT(*), MIN(id) FROM people GROUP BY name ORDER BY MIN(id)',
  'SELECT id, ROW_NUMBER() OVER (PARTITION BY name ORDER BY id), RANK() OVER (ORDER BY name) FROM users ORDER BY id',
  'SELECT id, MAX(name) OVER (), MIN(email) OVER () FROM users ORDER BY id',
  "SELECT id FROM users WHERE UPPER(name) = 'EMILE' ORDER BY id",
  "SELECT id FROM users WHERE CONCAT(name, '!') = 'ANN!' ORDER BY id",
  "SELECT name FROM users WHERE id IN (1, 11) UNION SELECT 'ANN'",
  "SELECT name FROM users WHERE id < 4 UNION ALL SELECT 'aaa' ORDER BY 1",
  'SELECT COUNT(*) FROM (SELECT name FROM users UNION SELECT city FROM users) AS u',
  "SELECT COUNT(*) FROM (SELECT name FROM users INTERSECT SELECT 'EMILE') AS i",
  "SELECT COUNT(*) FROM (SELECT name FROM users EXCEPT SELECT 'ANN') AS e",
  'SHOW CREATE TABLE users',
  'SHOW CREATE TABLE tags',
  "SELECT TABLE_NAME, COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION",
  "SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME",
  'SELECT id FROM users WHERE name = city ORDER BY id',
  "SELECT id FROM users WHERE city = name COLLATE utf8mb4_general_ci ORDER BY id",
  "SELECT 'a' COLLATE utf8mb4_bin = 'A' COLLATE utf8mb4_general_ci",
  'SELECT u.id, o.id FROM users u JOIN orders o ON u.city = o.email ORDER BY u.id',
  'SELECT id FROM users WHERE name COLLATE utf8mb4_bin = city ORDER BY id',
];

// A change of collation rebuilds the keys: values equal under the new collation clash.
const alterations = [
  'DROP TABLE tickets',
  'ALTER TABLE users MODIFY city VARCHAR(30) COLLATE utf8mb4_general_ci',
  "SELECT id FROM users WHERE city = 'PARIS' ORDER BY id",
  'ALTER TABLE users ADD UNIQUE KEY city_unique (city)',
  'ALTER TABLE users MODIFY email VARCHAR(100) COLLATE utf8mb4_bin NOT NULL',
  "INSERT INTO users VALUES (20, 'ANN@X.COM', 'new', NULL)",
  "SELECT id FROM users WHERE email = 'ANN@X.COM'",
  'ALTER TABLE codes MODIFY code VARCHAR(20) COLLATE utf8mb4_bin',
  "INSERT INTO codes VALUES ('abc', 8)",
  'ALTER TABLE codes MODIFY code VARCHAR(20) COLLATE utf8mb4_general_ci',
  'SELECT code, n FROM codes ORDER BY n',
  'SHOW CREATE TABLE users',
  'ALTER TABLE orders COLLATE utf8mb4_general_ci',
  'ALTER TABLE orders ADD COLUMN note VARCHAR(10), ADD COLUMN tag VARCHAR(10) COLLATE utf8mb4_bin',
  'SHOW CREATE TABLE orders',
];

describe.skipIf(unreachable !== null)('utf8mb4_general_ci tables beside MariaDB', () => {
  const sides = useStoreBesideMariadb(database, mariadbOptions);

  it('agrees on every statement and query', async () => {
    const { store, connection } = sides();
    await connection.query('SET NAMES utf8mb4 COLLATE utf8mb4_bin');
    const mismatches: string[] = [];
    for (const sql of [...script, ...queries, ...alterations]) {
      const ours = await outcomeOnTide(store, sql);
      const theirs = await outcomeOnMaria(connection, sql);
      if (ours !== theirs) mismatches.push(`${sql}\n  MariaDB ${theirs}\n  TideDB  ${ours}`);
    }
    expect(mismatches).toEqual([]);
  });
});

type Connection = ReturnType<ReturnType<typeof useStoreBesideMariadb>>['connection'];

async function outcomeOnTide(store: Store, sql: string): Promise<string> {
  try {
    const result = await runOnStoreAsync(store, sql);
    // ALTER's rows affected differ by MariaDB's algorithm (in place or copy): only its outcome counts.
    if (sql.startsWith('ALTER')) return 'ok';
    return /^(SELECT|SHOW|WITH)/.test(sql) ? rowsText(result.rows) : `ok ${result.rowsAffected}`;
  } catch (error) {
    if (error instanceof TideError) return `error ${mysqlErrorOf(error.code)?.errno ?? error.code}`;
    throw error;
  }
}

async function outcomeOnMaria(connection: Connection, sql: string): Promise<string> {
  try {
    const [result] = await connection.query({ sql, rowsAsArray: true });
    if (sql.startsWith('ALTER')) return 'ok';
    return /^(SELECT|SHOW|WITH)/.test(sql) ? rowsText(result as unknown as readonly (readonly unknown[])[]) : `ok ${(result as { affectedRows: number }).affectedRows}`;
  } catch (error) {
    return `error ${(error as { errno?: number }).errno ?? String(error)}`;
  }
}

// Rows as text, values as MariaDB's text protocol gives them (booleans as 1 and 0).
function rowsText(rows: readonly (readonly unknown[])[]): string {
  return JSON.stringify(rows.map((row) => row.map((value) => textOf(value as Value))));
}

function textOf(value: Value): string | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}
