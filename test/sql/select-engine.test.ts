// Proves the SELECT engine (binder → logical plan → pull iterators) on a real LMDB store: name
// scoping and its errors, joins, aggregates, subqueries, ordering and set operations answer as
// MySQL does, LIMIT stops reading, and a query past its memory budget fails with its code.
import { withExecutableComments } from '../../services/sql/executable-comments.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToEnd } from '../../services/base/time-slice.js';
import { OverlayView } from '../../services/sql/overlay-view.js';
import { parseSql } from '../../services/sql/parser.js';
import { planStatement } from '../../services/sql/planner.js';
import type { ReadView } from '../../services/sql/read-view.js';
import { MemoryBudget } from '../../services/sql/select/memory-budget.js';
import { runSelect } from '../../services/sql/select/run-select.js';
import { Store } from '../../services/storage/store.js';
import type { Row, TableDef } from '../../services/storage/types.js';
import { errorCodeOf, runOnStore } from './run-on-store.js';
import { Decimal } from '../../services/values/decimal.js';
import { countingView, selectQuery } from './select-on-view.js';

let dir: string;
let store: Store;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-select-'));
  store = Store.open(join(dir, 'db'));
  for (const sql of [
    'CREATE TABLE t1 (id INT PRIMARY KEY, a INT, b VARCHAR(10))',
    "INSERT INTO t1 VALUES (1, 10, 'x'), (2, 20, 'y'), (3, 20, NULL), (4, NULL, 'x')",
    'CREATE TABLE t2 (id INT PRIMARY KEY, t1_id INT, amount DOUBLE)',
    'INSERT INTO t2 VALUES (1, 1, 1.5), (2, 1, 2.5), (3, 2, 4), (4, 9, 8)',
    'CREATE TABLE empty (id INT PRIMARY KEY, v INT)',
  ]) runOnStore(store, sql);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function rows(sql: string): readonly Row[] {
  return runOnStore(store, sql).result.rows;
}

function code(sql: string): string {
  return errorCodeOf(() => runOnStore(store, sql));
}

describe('names', () => {
  it('resolves aliases, qualified names and outer scopes, and refuses ambiguous or unknown ones', () => {
    expect(rows('SELECT x.a FROM t1 AS x WHERE x.id = 1')).toEqual([[10n]]);
    expect(code('SELECT id FROM t1, t2')).toBe('COLUMN_AMBIGUOUS');
    expect(code('SELECT t3.id FROM t1')).toBe('TABLE_NOT_FOUND');
    expect(code('SELECT nope FROM t1')).toBe('COLUMN_NOT_FOUND');
    expect(code('SELECT a FROM t1 WHERE COUNT(*) > 1')).toBe('SQL_SYNTAX');
    // t1.id inside the subquery is the outer row's: a correlated subquery.
    expect(rows('SELECT id, (SELECT COUNT(*) FROM t2 WHERE t2.t1_id = t1.id) FROM t1 ORDER BY id')).toEqual([[1n, 2n], [2n, 1n], [3n, 0n], [4n, 0n]]);
  });
});

describe('parser gaps', () => {
  it('reads SELECT ALL, AGG(ALL x) and SUM(DISTINCT x), keeping error positions those of the text sent', () => {
    expect(rows('SELECT ALL COUNT(ALL a), SUM(DISTINCT a), AVG (DISTINCT a), MAX(DISTINCT a) FROM t1')).toEqual([[3n, 30n, new Decimal(150000n, 4), 20n]]);
    const sql = 'SELECT ALL SUM(DISTINCT a) FROM t1 WHERE )';
    let position: unknown = null;
    try {
      parseSql(sql);
    } catch (error) {
      position = (error as { details?: { position?: unknown } }).details?.position;
    }
    expect(position).toEqual({ offset: sql.indexOf(')', 30), line: 1, column: sql.indexOf(')', 30) + 1 });
  });
});

describe('joins', () => {
  it('answers inner, left, right, USING and comma joins', () => {
    expect(rows('SELECT t1.id, t2.id FROM t1 JOIN t2 ON t2.t1_id = t1.id ORDER BY 1, 2')).toEqual([[1n, 1n], [1n, 2n], [2n, 3n]]);
    expect(rows('SELECT t1.id, t2.id FROM t1 LEFT JOIN t2 ON t2.t1_id = t1.id WHERE t1.id > 1 ORDER BY 1')).toEqual([[2n, 3n], [3n, null], [4n, null]]);
    expect(rows('SELECT t1.id, t2.id FROM t1 RIGHT JOIN t2 ON t2.t1_id = t1.id ORDER BY 2')).toEqual([[1n, 1n], [1n, 2n], [2n, 3n], [null, 4n]]);
    expect(rows('SELECT * FROM t1 JOIN t1 AS u USING (id) WHERE id = 2')).toEqual([[2n, 20n, 'y', 20n, 'y']]);
    expect(rows('SELECT COUNT(*) FROM t1, t2, t1 AS u WHERE u.id = t2.t1_id AND t1.id = u.id')).toEqual([[3n]]);
  });
});

describe('aggregates', () => {
  it('groups with NULL rules, HAVING, DISTINCT and an empty input', () => {
    expect(rows('SELECT COUNT(*), COUNT(a), SUM(a), AVG(a), MIN(b), MAX(b), COUNT(DISTINCT a), SUM(DISTINCT a) FROM t1')).toEqual([[4n, 3n, 50n, new Decimal(166667n, 4), 'x', 'y', 2n, 30n]]);
    expect(rows('SELECT a, COUNT(*) FROM t1 GROUP BY a HAVING COUNT(*) > 1')).toEqual([[20n, 2n]]);
    expect(rows('SELECT COUNT(*), SUM(v), MAX(v) FROM empty')).toEqual([[0n, null, null]]);
    expect(rows('SELECT v, COUNT(*) FROM empty GROUP BY v')).toEqual([]);
    expect(rows('SELECT t1_id, SUM(amount) AS total FROM t2 GROUP BY t1_id ORDER BY total DESC LIMIT 2')).toEqual([[9n, 8], [1n, 4]]);
  });
});

describe('expressions', () => {
  it('divides exact numbers to 4 more digits, and evaluates CASE, COALESCE, IF and NULLIF', () => {
    // DECIMALs of the dividend's scale + 4, as MySQL's: 1.5 / 3 is 0.50000.
    expect(rows('SELECT 1 / 3, 7 / 2, 1.5 / 3, 5 / 0, 7 DIV 2, 1 / 3 * 3, 1.50 + 1, 2.0 * 3, 12345678901234567890 / 7')[0]!.map(String)).toEqual(['0.3333', '3.5000', '0.50000', 'null', '3', '1.0000', '2.50', '6.0', '1763668414462081127.1429']);
    expect(rows("SELECT CASE a WHEN 10 THEN 'ten' ELSE 'other' END, CASE WHEN a > 15 THEN 1 END FROM t1 WHERE id <= 2 ORDER BY id")).toEqual([['ten', null], ['other', 1n]]);
    expect(rows('SELECT COALESCE(NULL, a, 0), IFNULL(a, -1), NULLIF(a, 10), IF(a > 15, 1, 0), ABS(-a) FROM t1 WHERE id = 1')).toEqual([[10n, 10n, null, 0n, 10n]]);
    expect(rows('SELECT NULL IN (SELECT v FROM empty), 1 IN (SELECT a FROM t1), 5 NOT IN (SELECT a FROM t1)')).toEqual([[false, null, null]]);
  });

  it('runs the text of executable comments for this version, as MySQL does, and leaves the others comments', () => {
    expect(rows('SELECT /*! 1 + */ 1, /*!50000 2 + */ 1, /*!99999 100 + */ 1, /*M! 5 + */ 1')).toEqual([[2n, 3n, 1n, 1n]]);
    // Inside a string, a quoted name or an ordinary comment, nothing is opened up.
    expect(rows("SELECT '/*! 1 + */ 1' /* /*! 7 */")).toEqual([['/*! 1 + */ 1']]);
    // Positions stay the client's: only the markers become spaces.
    const dumped = 'CREATE TABLE t (id INT) /*!40101 ENGINE = innodb */';
    expect(withExecutableComments(dumped)).toBe(dumped.replace('/*!40101', '        ').replace('*/', '  '));
  });

  it('builds strings with REPEAT, SPACE, LPAD and RPAD as MariaDB does, NULL where it answers NULL', () => {
    // MariaDB 10.11 answers the same row for the same select list.
    expect(rows("SELECT REPEAT('ab', 3), REPEAT('ab', 0), REPEAT('ab', -1), REPEAT(NULL, 2), SPACE(3), LPAD('hi', 5, 'xy'), LPAD('hello', 3, 'x'), RPAD('hi', 5, 'xy'), LPAD('hi', 5, ''), LPAD('hi', -1, 'x'), RPAD('hé', 4, 'ü')")).toEqual([
      ['ababab', '', '', null, '   ', 'xyxhi', 'hel', 'hixyx', null, null, 'héüü'],
    ]);
    // Past the bound on a built string: NULL, as MySQL past max_allowed_packet.
    expect(rows("SELECT REPEAT('x', 20000000) IS NULL, LENGTH(REPEAT('x', 1000))")).toEqual([[true, 1000n]]);
  });

  it('groups AND before XOR before OR, as MySQL does (the parser reads them left to right)', () => {
    expect(rows('SELECT 1 OR 0 AND 0, (1 OR 0) AND 0, 0 AND 0 OR 1, 1 XOR 1 OR 1, 1 OR 1 XOR 1')).toEqual([[true, false, true, true, true]]);
    expect(rows('SELECT id FROM t1 WHERE id = 1 OR id = 2 AND a = 10 ORDER BY id')).toEqual([[1n]]);
    // NOT binds looser than IN and comparisons, also when written NOT (…).
    expect(rows('SELECT id FROM t1 WHERE NOT (+ a) NOT IN (20) ORDER BY id')).toEqual([[2n], [3n]]);
    expect(rows('SELECT NOT (1) + 1 > 5, (NOT (1)) + 1 > 5')).toEqual([[true, false]]);
    // As a WHERE conjunct too, where an equality's sides are otherwise bound apart (join keys).
    expect(rows('SELECT id FROM t1 WHERE NOT (+ 40) / - a = id ORDER BY id')).toEqual(rows('SELECT id FROM t1 WHERE NOT (40 / - a = id) ORDER BY id'));
    expect(rows('SELECT COUNT(*) FROM t1 WHERE NOT (40) / - a = id')).not.toEqual([[0n]]);
  });

  it('keeps BETWEEN with a NULL bound false when the other bound already fails', () => {
    expect(rows('SELECT 5 BETWEEN NULL AND 4, 5 NOT BETWEEN NULL AND 4, 5 BETWEEN NULL AND 6, 5 BETWEEN 6 AND NULL')).toEqual([[false, true, null, false]]);
  });

  it('refuses a scalar subquery of several rows', () => {
    expect(code('SELECT (SELECT a FROM t1)')).toBe('SUBQUERY_TOO_MANY_ROWS');
  });
});

describe('ordering and sets', () => {
  it('orders by alias, position and expression, and combines with UNION [ALL]', () => {
    expect(rows('SELECT id AS k FROM t1 ORDER BY k DESC LIMIT 2')).toEqual([[4n], [3n]]);
    expect(rows('SELECT id FROM t1 ORDER BY a IS NULL, -id')).toEqual([[3n], [2n], [1n], [4n]]);
    expect(rows('SELECT DISTINCT a FROM t1 ORDER BY 1')).toEqual([[null], [10n], [20n]]);
    expect(rows('SELECT a FROM t1 UNION SELECT t1_id FROM t2 ORDER BY 1')).toEqual([[null], [1n], [2n], [9n], [10n], [20n]]);
    expect(rows('SELECT id FROM t1 WHERE id = 1 UNION ALL SELECT id FROM t1 WHERE id = 1')).toEqual([[1n], [1n]]);
    expect(rows('SELECT a FROM t1 INTERSECT SELECT a FROM t1 WHERE id > 1 ORDER BY 1')).toEqual([[null], [20n]]);
    expect(rows('SELECT a FROM t1 EXCEPT SELECT a FROM t1 WHERE id = 4 ORDER BY 1')).toEqual([[10n], [20n]]);
    // INTERSECT binds tighter: 1 ∪ ({2} ∩ {3}).
    expect(rows('SELECT 1 UNION SELECT 2 INTERSECT SELECT 3')).toEqual([[1n]]);
    expect(rows('SELECT d.s FROM (SELECT a + 1 AS s FROM t1) AS d WHERE d.s > 15')).toEqual([[21n], [21n]]);
  });

  it('counts duplicates with INTERSECT ALL and EXCEPT ALL', () => {
    // a is 10, 20, 20, NULL; rows 2..4 hold 20, 20, NULL.
    expect(rows('SELECT a FROM t1 INTERSECT ALL SELECT a FROM t1 WHERE id > 1 ORDER BY 1')).toEqual([[null], [20n], [20n]]);
    expect(rows('SELECT a FROM t1 EXCEPT ALL SELECT a FROM t1 WHERE id = 3 ORDER BY 1')).toEqual([[null], [10n], [20n]]);
    expect(rows('SELECT a FROM t1 WHERE a = 20 EXCEPT ALL SELECT 20 EXCEPT ALL SELECT 20')).toEqual([]);
    // INTERSECT ALL binds tighter: {1} ∪all ({1, 1} ∩all {1}).
    expect(rows('SELECT 1 UNION ALL SELECT 1 INTERSECT ALL SELECT 1')).toEqual([[1n], [1n]]);
  });
});

describe('INSERT … SELECT', () => {
  it('fills listed columns from a query that reads all its rows before the first write', () => {
    runOnStore(store, 'CREATE TABLE copy (id INT PRIMARY KEY, a INT, note VARCHAR(10))');
    expect(runOnStore(store, 'INSERT INTO copy (id, a) SELECT id, a FROM t1 WHERE id <= 2').result.rowsAffected).toBe(2);
    expect(runOnStore(store, 'INSERT INTO copy SELECT id + 10, a, note FROM copy').result.rowsAffected).toBe(2);
    expect(rows('SELECT * FROM copy ORDER BY id')).toEqual([[1n, 10n, null], [2n, 20n, null], [11n, 10n, null], [12n, 20n, null]]);
    expect(code('INSERT INTO copy SELECT id FROM t1')).toBe('VALUE_COUNT_MISMATCH');
    expect(code('INSERT INTO copy SELECT * FROM t1')).toBe('DUPLICATE_KEY');
  });
});

describe('DML with subqueries', () => {
  it('reads subqueries in UPDATE and DELETE conditions before changing rows', () => {
    runOnStore(store, 'CREATE TABLE marks (id INT PRIMARY KEY, seen INT)');
    runOnStore(store, 'INSERT INTO marks VALUES (1, 0), (2, 0), (3, 0)');
    expect(runOnStore(store, 'UPDATE marks SET seen = (SELECT COUNT(*) FROM t2 WHERE t2.t1_id = marks.id) WHERE id IN (SELECT t1_id FROM t2)').result.rowsAffected).toBe(2);
    expect(rows('SELECT * FROM marks ORDER BY id')).toEqual([[1n, 2n], [2n, 1n], [3n, 0n]]);
    expect(runOnStore(store, 'DELETE FROM marks WHERE NOT EXISTS (SELECT 1 FROM t2 WHERE t2.t1_id = marks.id)').result.rowsAffected).toBe(1);
    expect(rows('SELECT id FROM marks ORDER BY id')).toEqual([[1n], [2n]]);
  });
});

describe('execution', () => {
  it('stops reading a table once LIMIT has its rows', () => {
    const { view, scanned } = countingView(store);
    const result = runToEnd(runSelect(selectQuery('SELECT id FROM t1 LIMIT 2', view), [], view));
    expect(result.rows).toEqual([[1n], [2n]]);
    expect(scanned()).toBe(2);
  });

  it('reads one row for a primary key pinned by WHERE, also inside a join', () => {
    const { view, scanned } = countingView(store);
    expect(runToEnd(runSelect(selectQuery('SELECT a FROM t1 WHERE id = 3', view), [], view)).rows).toEqual([[20n]]);
    expect(scanned()).toBe(0);
    expect(runToEnd(runSelect(selectQuery('SELECT t2.id FROM t1, t2 WHERE t1.id = 2 AND t2.t1_id = t1.id', view), [], view)).rows).toEqual([[3n]]);
    expect(scanned()).toBe(4); // t2 only
  });

  it('fails with QUERY_MEMORY_EXCEEDED past the budget, and gives back what it held after', () => {
    const view = new OverlayView(store);
    const budget = new MemoryBudget(300);
    const query = selectQuery('SELECT * FROM t1 a, t1 b, t2 ORDER BY a.b', view);
    expect(errorCodeOf(() => runToEnd(runSelect(query, [], view, budget)))).toBe('QUERY_MEMORY_EXCEEDED');
    expect(budget.used).toBe(0);
    expect(runToEnd(runSelect(selectQuery('SELECT id FROM t1 ORDER BY id DESC LIMIT 1', view), [], view, budget)).rows).toEqual([[4n]]);
  });
});
