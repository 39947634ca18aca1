// Every statement kind and the privilege it needs, as a table that any protocol's test can run:
// the setup a fresh node gets (as root), then per case the grants the user already has, the
// statement, the error a user without `needs` gets (MySQL's number), and `needs`, after whose
// GRANT the same statement succeeds.

export const privilegeSetup: readonly string[] = [
  'CREATE TABLE t (id INT PRIMARY KEY, v INT)',
  'CREATE TABLE s (id INT PRIMARY KEY)',
  'INSERT INTO t VALUES (1, 10), (2, 20)',
  'INSERT INTO s VALUES (1)',
  'CREATE VIEW tv AS SELECT id, v FROM t',
  'CREATE DATABASE other',
  "CREATE USER 'w'@'%' IDENTIFIED BY 'w-password'",
];

// What a refused statement must not have changed: read by root before and after.
export const privilegeFingerprint: readonly string[] = ['SELECT * FROM t ORDER BY id', 'SELECT * FROM s ORDER BY id', 'SHOW FULL TABLES', 'SHOW DATABASES', "SHOW GRANTS FOR 'u'@'%'"];

export interface PrivilegeCase {
  readonly sql: string;
  // GRANT clauses (`priv ON level`) the user holds before the statement.
  readonly has: readonly string[];
  readonly needs: string;
  readonly errno: 1142 | 1227;
}

export const privilegeCases: readonly PrivilegeCase[] = [
  { sql: 'SELECT * FROM t', has: [], needs: 'SELECT ON app.t', errno: 1142 },
  { sql: 'SELECT * FROM s WHERE id IN (SELECT id FROM t)', has: ['SELECT ON app.s'], needs: 'SELECT ON app.t', errno: 1142 },
  { sql: 'SELECT s.id, t.v FROM s JOIN t ON s.id = t.id', has: ['SELECT ON app.s'], needs: 'SELECT ON app.t', errno: 1142 },
  { sql: 'SELECT * FROM tv', has: ['SELECT ON app.tv'], needs: 'SELECT ON app.t', errno: 1142 },
  { sql: 'WITH c AS (SELECT v FROM t) SELECT * FROM c', has: [], needs: 'SELECT ON app.t', errno: 1142 },
  { sql: 'INSERT INTO t VALUES (3, 30)', has: [], needs: 'INSERT ON app.t', errno: 1142 },
  { sql: 'INSERT INTO s SELECT id FROM t WHERE id = 2', has: ['INSERT ON app.s'], needs: 'SELECT ON app.t', errno: 1142 },
  { sql: 'UPDATE t SET v = 11 WHERE id = 1', has: [], needs: 'UPDATE ON app.t', errno: 1142 },
  { sql: 'DELETE FROM t WHERE id = 2', has: [], needs: 'DELETE ON app.t', errno: 1142 },
  { sql: 'UPDATE t JOIN s ON t.id = s.id SET t.v = 5', has: ['SELECT ON app.s'], needs: 'UPDATE ON app.t', errno: 1142 },
  { sql: 'UPDATE t JOIN s ON t.id = s.id SET t.v = 5', has: ['UPDATE ON app.t'], needs: 'SELECT ON app.s', errno: 1142 },
  { sql: 'DELETE t FROM t JOIN s ON t.id = s.id', has: ['SELECT ON app.s'], needs: 'DELETE ON app.t', errno: 1142 },
  { sql: 'CREATE TABLE n (id INT PRIMARY KEY)', has: [], needs: 'CREATE ON app.*', errno: 1142 },
  { sql: 'DROP TABLE s', has: [], needs: 'DROP ON app.s', errno: 1142 },
  { sql: 'TRUNCATE TABLE t', has: [], needs: 'DROP ON app.t', errno: 1142 },
  { sql: 'ALTER TABLE t ADD COLUMN w INT', has: [], needs: 'ALTER ON app.t', errno: 1142 },
  { sql: 'CREATE INDEX iv ON t (v)', has: [], needs: 'INDEX ON app.t', errno: 1142 },
  { sql: 'RENAME TABLE s TO s2', has: ['ALTER, DROP ON app.s'], needs: 'CREATE, INSERT ON app.*', errno: 1142 },
  { sql: 'CREATE VIEW v2 AS SELECT id FROM t', has: ['SELECT ON app.t'], needs: 'CREATE ON app.*', errno: 1142 },
  { sql: 'DROP VIEW tv', has: [], needs: 'DROP ON app.tv', errno: 1142 },
  { sql: 'CREATE DATABASE d2', has: [], needs: 'CREATE ON d2.*', errno: 1142 },
  { sql: 'DROP DATABASE other', has: [], needs: 'DROP ON other.*', errno: 1142 },
  { sql: "CREATE USER 'x'@'%' IDENTIFIED BY 'x-password'", has: ['SELECT ON *.*'], needs: 'ALL PRIVILEGES ON *.*', errno: 1227 },
  { sql: "GRANT SELECT ON app.t TO 'u'@'%'", has: [], needs: 'ALL PRIVILEGES ON *.*', errno: 1227 },
  { sql: "SHOW GRANTS FOR 'w'@'%'", has: [], needs: 'ALL PRIVILEGES ON *.*', errno: 1227 },
];
