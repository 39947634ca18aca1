// Proves WITH and WITH RECURSIVE answer as MySQL 8 does on a real store: names visible to later
// WITH queries, the main query and its subqueries, a query read twice computed once, recursion
// to a fixpoint (UNION DISTINCT ending a cycle), MySQL's recursion limit (3636) and the memory
// budget, and refusals of misuse; also GROUP BY … WITH ROLLUP and GROUPING(), which MariaDB
// (the differential tests' oracle) lacks.
import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../services/sql/select/memory-budget.js';
import { errorCodeOf, mysqlErrnoOf, runOnStore } from './run-on-store.js';
import { useSqlStore } from './sql-store.js';
import { countingView, selectRows } from './select-on-view.js';

const { store: openStore, rows, code } = useSqlStore('tidedb-with-', [
  'CREATE TABLE emp (id INT PRIMARY KEY, boss INT, name VARCHAR(10), dept VARCHAR(4), pay INT)',
  "INSERT INTO emp VALUES (1, NULL, 'ann', 'x', 100), (2, 1, 'bob', 'x', 50), (3, 1, 'cid', 'y', 60), (4, 2, 'dan', 'y', 30), (5, 4, 'eve', NULL, 20)",
  'CREATE TABLE edge (src INT, dst INT, PRIMARY KEY (src, dst))',
  'INSERT INTO edge VALUES (1, 2), (2, 3), (3, 1), (3, 4)',
]);

describe('WITH', () => {
  it('names queries for later ones, the main query and its subqueries, with column lists', () => {
    expect(rows('WITH d (dept, total) AS (SELECT dept, SUM(pay) FROM emp GROUP BY dept), top AS (SELECT * FROM d WHERE total > 50) SELECT dept, total FROM top ORDER BY dept')).toEqual([['x', 150n], ['y', 90n]]);
    expect(rows('WITH rich AS (SELECT id FROM emp WHERE pay >= 60) SELECT name FROM emp WHERE id IN (SELECT id FROM rich) ORDER BY name')).toEqual([['ann'], ['cid']]);
    expect(rows('SELECT (WITH c AS (SELECT COUNT(*) AS n FROM emp) SELECT n FROM c)')).toEqual([[5n]]);
  });

  it('computes a query read twice once per statement, and streams one read once', () => {
    const twice = countingView(openStore());
    expect(selectRows('WITH e AS (SELECT id, boss FROM emp) SELECT a.id, b.id FROM e AS a JOIN e AS b ON a.boss = b.id ORDER BY a.id', twice.view)).toEqual([[2n, 1n], [3n, 1n], [4n, 2n], [5n, 4n]]);
    expect(twice.scanned()).toBe(5);
    const once = countingView(openStore());
    expect(selectRows('WITH e AS (SELECT id FROM emp) SELECT id FROM e LIMIT 2', once.view)).toEqual([[1n], [2n]]);
    expect(once.scanned()).toBe(2);
  });

  it('lets an inner WITH hide an outer name and a WITH name hide a table', () => {
    expect(rows('WITH emp AS (SELECT 7 AS id) SELECT id FROM emp')).toEqual([[7n]]);
    expect(rows('WITH c AS (SELECT 1 AS v) SELECT (WITH c AS (SELECT 2 AS v) SELECT v FROM c), v FROM c')).toEqual([[2n, 1n]]);
  });

  it('refuses a name given twice, a column list of the wrong length, and a correlated WITH query', () => {
    expect(code('WITH a AS (SELECT 1), a AS (SELECT 2) SELECT * FROM a')).toBe('SQL_SYNTAX');
    expect(code('WITH a (x, y) AS (SELECT 1) SELECT * FROM a')).toBe('SQL_SYNTAX');
    expect(code('SELECT (WITH c AS (SELECT emp.id AS v) SELECT v FROM c) FROM emp')).toBe('SQL_UNSUPPORTED');
    // Also when the outer reference is in a part of a UNION or in a derived table.
    expect(code('SELECT (WITH c AS (SELECT 1 AS v UNION ALL SELECT emp.id) SELECT MAX(v) FROM c) FROM emp')).toBe('SQL_UNSUPPORTED');
    expect(code('SELECT (WITH c AS (SELECT v FROM (SELECT emp.id AS v) AS d) SELECT v FROM c) FROM emp')).toBe('SQL_UNSUPPORTED');
  });
});

describe('WITH RECURSIVE', () => {
  it('iterates the step over the previous iteration\'s rows until it adds none', () => {
    expect(rows('WITH RECURSIVE n (i, f) AS (SELECT 1, 1 UNION ALL SELECT i + 1, f * (i + 1) FROM n WHERE i < 6) SELECT i, f FROM n ORDER BY i')).toEqual([
      [1n, 1n], [2n, 2n], [3n, 6n], [4n, 24n], [5n, 120n], [6n, 720n],
    ]);
    expect(rows('WITH RECURSIVE chain (id, depth, path) AS (SELECT id, 0, CAST(name AS CHAR) FROM emp WHERE boss IS NULL UNION ALL SELECT emp.id, chain.depth + 1, CONCAT(chain.path, \'>\', emp.name) FROM emp JOIN chain ON emp.boss = chain.id) SELECT id, depth, path FROM chain ORDER BY id')).toEqual([
      [1n, 0n, 'ann'], [2n, 1n, 'ann>bob'], [3n, 1n, 'ann>cid'], [4n, 2n, 'ann>bob>dan'], [5n, 3n, 'ann>bob>dan>eve'],
    ]);
  });

  it('ends a cycle with UNION DISTINCT, which drops rows already produced', () => {
    expect(rows('WITH RECURSIVE reach (node) AS (SELECT 1 UNION SELECT edge.dst FROM edge JOIN reach ON edge.src = reach.node) SELECT node FROM reach ORDER BY node')).toEqual([[1n], [2n], [3n], [4n]]);
  });

  // MySQL counts an iteration when it starts reading rows the previous one made: 1..1000 reads
  // row 1000 in iteration 1000 (which makes none), 1..1001 needs iteration 1001.
  it('fails past 1000 iterations with MySQL\'s 3636, allowing exactly 1000', () => {
    expect(rows('WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) SELECT COUNT(*), MAX(i) FROM n')).toEqual([[1000n, 1000n]]);
    const endless = 'WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1001) SELECT COUNT(*) FROM n';
    expect(code(endless)).toBe('RECURSION_TOO_DEEP');
    expect(mysqlErrnoOf(() => runOnStore(openStore(), endless))).toBe(3636);
    expect(code('WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i FROM n) SELECT COUNT(*) FROM n')).toBe('RECURSION_TOO_DEEP');
  });

  it('holds its rows against the memory budget, and gives them back after a failure', () => {
    const { view } = countingView(openStore());
    const budget = new MemoryBudget(20_000);
    const wide = `WITH RECURSIVE n (i, pad) AS (SELECT 1, '${'x'.repeat(200)}' UNION ALL SELECT i + 1, pad FROM n WHERE i < 500) SELECT COUNT(*) FROM n`;
    expect(errorCodeOf(() => selectRows(wide, view, budget))).toBe('QUERY_MEMORY_EXCEEDED');
    expect(budget.used).toBe(0);
    expect(selectRows('WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT SUM(i) FROM n', view, budget)).toEqual([[6n]]);
  });

  it('refuses a step before its anchor, the query read in a subquery of its step, and INTERSECT', () => {
    expect(code('WITH RECURSIVE n (i) AS (SELECT i + 1 FROM n UNION ALL SELECT 1) SELECT * FROM n')).toBe('SQL_SYNTAX');
    expect(code('WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT MAX(i) FROM n)) SELECT * FROM n')).toBe('SQL_UNSUPPORTED');
    expect(code('WITH RECURSIVE n (i) AS (SELECT 1 INTERSECT SELECT i FROM n) SELECT * FROM n')).toBe('SQL_UNSUPPORTED');
  });

  it('reads a query of WITH RECURSIVE that does not read itself as a plain one', () => {
    expect(rows('WITH RECURSIVE a AS (SELECT 1 AS v UNION ALL SELECT 2) SELECT v FROM a ORDER BY v')).toEqual([[1n], [2n]]);
  });
});

describe('GROUP BY … WITH ROLLUP', () => {
  it('adds super-aggregate rows with NULL in rolled-up columns, in GROUP BY order', () => {
    expect(rows('SELECT dept, boss, COUNT(*), SUM(pay) FROM emp WHERE boss IS NOT NULL GROUP BY dept, boss WITH ROLLUP')).toEqual([
      [null, 4n, 1n, 20n],
      [null, null, 1n, 20n],
      ['x', 1n, 1n, 50n],
      ['x', null, 1n, 50n],
      ['y', 1n, 1n, 60n],
      ['y', 2n, 1n, 30n],
      ['y', null, 2n, 90n],
      [null, null, 4n, 160n],
    ]);
  });

  it('tells rolled-up NULLs from NULL values with GROUPING(), also in HAVING and ORDER BY', () => {
    expect(rows('SELECT dept, GROUPING(dept), SUM(pay) FROM emp GROUP BY dept WITH ROLLUP HAVING GROUPING(dept) = 1 OR SUM(pay) > 50 ORDER BY GROUPING(dept), dept')).toEqual([
      ['x', 0n, 150n],
      ['y', 0n, 90n],
      [null, 1n, 260n],
    ]);
    expect(code('SELECT GROUPING(dept) FROM emp GROUP BY dept')).toBe('SQL_SYNTAX');
    expect(code('SELECT GROUPING(pay) FROM emp GROUP BY dept WITH ROLLUP')).toBe('SQL_SYNTAX');
  });

  it('reads an expression of the GROUP BY as NULL where it is rolled up, and gives no row over none', () => {
    expect(rows('SELECT pay DIV 50 AS band, pay DIV 50 + 1, COUNT(*) FROM emp GROUP BY pay DIV 50 WITH ROLLUP')).toEqual([
      [0n, 1n, 2n], [1n, 2n, 2n], [2n, 3n, 1n], [null, null, 5n],
    ]);
    expect(rows('SELECT dept, COUNT(*) FROM emp WHERE pay > 1000 GROUP BY dept WITH ROLLUP')).toEqual([]);
  });
});
