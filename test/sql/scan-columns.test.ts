// Proves a SELECT's scans are asked for just the columns the query reads (scan-columns.ts):
// those of its result, WHERE, joins, grouping and ordering, whole rows under a window, and no
// narrowing at all when a correlated subquery reads the rows through outer references; and
// that the answers are those of whole-row scans.
import { describe, expect, it } from 'vitest';
import { OverlayView } from '../../services/sql/overlay-view.js';
import { parseSql } from '../../services/sql/parser.js';
import { planStatement } from '../../services/sql/planner.js';
import { rows } from '../../services/sql/select/iterators.js';
import { scanColumnsOf } from '../../services/sql/select/scan-columns.js';
import { StatementSubqueries } from '../../services/sql/select/subquery-runner.js';
import { MemoryBudget } from '../../services/sql/select/memory-budget.js';
import type { SelectQuery } from '../../services/sql/select/logical-plan.js';
import type { Row } from '../../services/storage/types.js';
import { useSqlStore } from './sql-store.js';

const sql = useSqlStore('tidedb-scan-columns-', [
  'CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(20), c INT, d TEXT)',
  'CREATE TABLE u (id INT PRIMARY KEY, x INT, y VARCHAR(20))',
  "INSERT INTO t VALUES (1, 10, 'one', 3, 'first'), (2, 20, 'two', 2, 'second'), (3, 10, 'three', 1, 'third')",
  "INSERT INTO u VALUES (1, 10, 'p'), (2, 30, 'q'), (4, 10, 'p')",
]);

function queryOf(text: string): SelectQuery {
  const { plan } = planStatement(parseSql(text)[0]!, new OverlayView(sql.store()), 'app');
  if (plan.kind !== 'select') throw new Error(`not a SELECT: ${text}`);
  return plan.query;
}

// Per table the query scans, the names of the columns its scan reads.
function columnsRead(text: string): Record<string, string[]> {
  const read: Record<string, string[]> = {};
  for (const [scan, mask] of scanColumnsOf(queryOf(text).plan)) read[scan.table.name] = scan.table.columns.filter((_, position) => mask[position] === true).map((column) => column.name);
  return read;
}

// The query's rows with every scan reading whole rows.
function wholeRowAnswer(text: string): readonly Row[] {
  const context = new StatementSubqueries(new OverlayView(sql.store()), [], new MemoryBudget()).context([]);
  return [...rows(queryOf(text).plan, context)].filter((row) => row !== null);
}

describe('the columns a SELECT scans', () => {
  it.each([
    ['SELECT a FROM t WHERE b > ?', { t: ['a', 'b'] }],
    ['SELECT * FROM t', { t: ['id', 'a', 'b', 'c', 'd'] }],
    ['SELECT COUNT(*) FROM t', { t: [] }],
    ['SELECT a FROM t ORDER BY c', { t: ['a', 'c'] }],
    ['SELECT DISTINCT a FROM t', { t: ['a'] }],
    ['SELECT a, SUM(c) FROM t GROUP BY a HAVING MAX(b) > ?', { t: ['a', 'b', 'c'] }],
    ['SELECT t.a, u.x FROM t JOIN u ON t.id = u.id WHERE u.y = ?', { t: ['id', 'a'], u: ['id', 'x', 'y'] }],
    ['SELECT t.d FROM t LEFT JOIN u ON t.a = u.x AND u.y > t.b', { t: ['a', 'b', 'd'], u: ['x', 'y'] }],
    ['SELECT s.a FROM (SELECT a, b FROM t) AS s', { t: ['a', 'b'] }],
    ['SELECT a FROM t WHERE c IN (SELECT x FROM u)', { t: ['a', 'c'] }],
    ['SELECT a, ROW_NUMBER() OVER (ORDER BY c) FROM t', { t: ['id', 'a', 'b', 'c', 'd'] }],
    ['SELECT a FROM t UNION ALL SELECT x FROM u', { t: ['a'], u: ['x'] }],
    ['SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.x = t.a)', {}],
    // Outer references from a part of a set operation, or from a derived table, in a subquery.
    ['SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.x = t.a UNION ALL SELECT 1 FROM u WHERE u.x = t.a)', {}],
    ['SELECT b FROM t WHERE EXISTS (SELECT 1 FROM (SELECT u.x FROM u WHERE u.x = t.a) AS s)', {}],
  ])('%s reads %j', (text, expected) => {
    expect(columnsRead(text)).toEqual(expected);
  });

  // Each reads t.a only inside its subquery, which runs again for each row of t.
  it.each([
    ['SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.x = t.a UNION ALL SELECT 1 FROM u WHERE u.x = t.a + 100) ORDER BY id', [['one'], ['three']]],
    ['SELECT b FROM t WHERE EXISTS (SELECT 1 FROM (SELECT u.x FROM u WHERE u.x = t.a) AS s) ORDER BY id', [['one'], ['three']]],
    ['SELECT b, (SELECT MAX(s.id) FROM (SELECT u.id FROM u WHERE u.x = t.a) AS s) FROM t ORDER BY id', [['one', 4n], ['two', null], ['three', 4n]]],
    ['SELECT b, (SELECT COUNT(*) FROM u WHERE u.x = t.a UNION SELECT 5 FROM u WHERE u.x = t.a + 999) FROM t ORDER BY id', [['one', 2n], ['two', 0n], ['three', 2n]]],
  ])('%s reads the outer row for each row of t', (text, expected) => {
    expect(sql.rows(text)).toEqual(expected);
  });

  it.each([
    'SELECT a, b FROM t WHERE c >= 1 ORDER BY c',
    'SELECT COUNT(*), SUM(a) FROM t',
    "SELECT t.b, u.y FROM t JOIN u ON t.a = u.x WHERE u.y = 'p' ORDER BY t.id, u.id",
    'SELECT a, GROUP_CONCAT(b) FROM t GROUP BY a ORDER BY a',
    'SELECT DISTINCT a FROM t ORDER BY a',
  ])('%s answers as whole-row scans do', (text) => {
    const answer = sql.rows(text);
    expect(answer.length).toBeGreaterThan(0);
    expect(answer).toEqual(wholeRowAnswer(text));
  });
});
