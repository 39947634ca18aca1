// INSERT IGNORE, REPLACE and ON DUPLICATE KEY UPDATE beside MariaDB: one script of colliding
// statements runs on both, and each statement's outcome (rows affected, or failing) and the
// table after it must match.
import { describe, expect, it } from 'vitest';
import { TideError } from '../../services/base/errors.js';
import type { Store } from '../../services/storage/store.js';
import { useStoreBesideMariadb } from '../support/store-beside-mariadb.js';
import { mariadbOptions as sharedOptions, mariadbUnreachable } from '../support/mariadb.js';
import { runOnStore } from './run-on-store.js';

const database = 'tidedb_upsert_difftest';
// Without FOUND_ROWS, MariaDB counts an unchanged ON DUPLICATE KEY UPDATE row as 0, as TideDB does.
const mariadbOptions = { ...sharedOptions, flags: ['-FOUND_ROWS'] };
const unreachable = await mariadbUnreachable(mariadbOptions, 'upsert differential test');

// Left out on purpose: INSERT IGNORE of a row with another error (a NULL for a NOT NULL
// column), which MariaDB turns into a warning and a stored 0 and TideDB refuses (upsert.test.ts).
const script = [
  'CREATE TABLE t (id INT PRIMARY KEY, code VARCHAR(10), n INT NOT NULL DEFAULT 0, UNIQUE KEY code_unique (code))',
  "INSERT INTO t VALUES (1, 'a', 1), (2, 'b', 2), (3, NULL, 3), (4, NULL, 4)",
  "INSERT IGNORE INTO t VALUES (1, 'x', 0), (5, 'b', 0), (6, 'f', 6), (6, 'g', 7), (7, 'f', 0), (8, NULL, 8)",
  "REPLACE INTO t VALUES (1, 'a', 10)",
  "REPLACE INTO t VALUES (2, 'f', 20)",
  "REPLACE t (id, code) VALUES (11, 'k'), (11, 'l'), (12, 'l')",
  'REPLACE INTO t SELECT id + 100, NULL, n FROM t WHERE id < 3',
  "INSERT INTO t VALUES (1, 'zz', 5) ON DUPLICATE KEY UPDATE n = n + VALUES(n)",
  "INSERT INTO t VALUES (50, 'l', 5) ON DUPLICATE KEY UPDATE n = VALUES(n), code = 'm'",
  "INSERT INTO t VALUES (1, 'a', 0) ON DUPLICATE KEY UPDATE n = n",
  "INSERT INTO t VALUES (60, 'p', 1), (60, 'q', 2), (61, 'p', 3) ON DUPLICATE KEY UPDATE n = n * 10 + VALUES(n)",
  "INSERT INTO t VALUES (1, 'a', 0) ON DUPLICATE KEY UPDATE code = 'm'",
  "INSERT INTO t VALUES (1, 'a', 0) ON DUPLICATE KEY UPDATE id = 70, n = id",
  "INSERT INTO t (id, code) SELECT * FROM (SELECT id, code FROM t WHERE id > 100) AS s ON DUPLICATE KEY UPDATE n = n + 1",
];

describe.skipIf(unreachable !== null)('upserts beside MariaDB', () => {
  const sides = useStoreBesideMariadb(database, mariadbOptions);

  it('agrees on every statement’s rows affected or failure, and on the table after each', async () => {
    const { store, connection } = sides();
    for (const sql of script) {
      const ours = outcomeOf(() => runOnStore(store, sql).result.rowsAffected);
      let theirs: string;
      try {
        const [result] = await connection.query(sql);
        theirs = `affected ${(result as { affectedRows: number }).affectedRows}`;
      } catch {
        theirs = 'failed';
      }
      expect(`${sql}: ${ours}`).toBe(`${sql}: ${theirs}`);
      if (sql.startsWith('CREATE')) continue;
      const [rows] = await connection.query({ sql: 'SELECT id, code, n FROM t ORDER BY id', rowsAsArray: true });
      const ourRows = runOnStore(store, 'SELECT id, code, n FROM t ORDER BY id').result.rows;
      expect(ourRows.map((row) => row.map((value) => (value === null ? null : String(value))))).toEqual((rows as unknown[][]).map((row) => row.map((value) => (value === null ? null : String(value)))));
    }
  });
});

function outcomeOf(action: () => number): string {
  try {
    return `affected ${action()}`;
  } catch (error) {
    if (error instanceof TideError) return 'failed';
    throw error;
  }
}
