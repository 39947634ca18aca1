// Proves that UNION, INTERSECT and EXCEPT answer as MariaDB 10.11 does (answers taken from it) on a
// real store: a parenthesized SELECT keeps its own ORDER BY and LIMIT, a set operation's column
// takes the aggregated type of its SELECTs' columns (text meeting a number is text, an integer
// meeting a DECIMAL is a DECIMAL) before rows are compared, and a recursive WITH query's step
// rows take its anchor's types. Values are compared as the text a client reads.
import { describe, expect, it } from 'vitest';
import type { Value } from '../../services/storage/types.js';
import { textOf } from '../../services/sql/values.js';
import { useSqlStore } from './sql-store.js';

const { rows, code } = useSqlStore('tidedb-set-types-', [
  'CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(10), v INT, d DECIMAL(6,2))',
  "INSERT INTO t VALUES (1, '10', 10, 1.50), (2, '9', 9, 2.00), (3, 'abc', 0, NULL), (4, 'x', 40, 3.25), (5, '5', 50, 7.00)",
]);

// Each row's values as text (NULL as null), in the order the statement returns them.
function texts(sql: string): (string | null)[][] {
  return rows(sql).map((row) => row.map((value: Value) => (value === null ? null : textOf(value))));
}

// One column's values, sorted, for statements whose row order is unspecified.
function sortedColumn(sql: string): (string | null)[] {
  return texts(sql).map((row) => row[0] ?? null).sort();
}

describe('ORDER BY and LIMIT of a parenthesized SELECT', () => {
  it('belong to that SELECT in UNION ALL', () => {
    expect(texts('(SELECT id FROM t ORDER BY id LIMIT 2) UNION ALL (SELECT id FROM t ORDER BY id DESC LIMIT 2)')).toEqual([['1'], ['2'], ['5'], ['4']]);
    expect(texts('(SELECT id FROM t ORDER BY id LIMIT 2) UNION ALL SELECT id FROM t WHERE id = 5')).toEqual([['1'], ['2'], ['5']]);
    expect(texts('(SELECT id FROM t ORDER BY id LIMIT 1 OFFSET 2) UNION ALL (SELECT 99)')).toEqual([['3'], ['99']]);
    expect(sortedColumn('SELECT id FROM t WHERE id < 3 UNION (SELECT id FROM t ORDER BY id DESC LIMIT 1)')).toEqual(['1', '2', '5']);
  });

  it('belong to that SELECT in INTERSECT and EXCEPT', () => {
    expect(texts('(SELECT id FROM t ORDER BY id LIMIT 3) INTERSECT (SELECT id FROM t ORDER BY id DESC LIMIT 3)')).toEqual([['3']]);
    expect(sortedColumn('(SELECT id FROM t ORDER BY id LIMIT 3) EXCEPT (SELECT id FROM t ORDER BY id DESC LIMIT 3)')).toEqual(['1', '2']);
  });

  it('belong to that SELECT inside a derived table and a WITH query', () => {
    expect(texts('SELECT COUNT(*) FROM ((SELECT id FROM t LIMIT 2) UNION ALL (SELECT id FROM t LIMIT 2)) x')).toEqual([['4']]);
    expect(sortedColumn('SELECT * FROM ((SELECT id FROM t ORDER BY id LIMIT 1) UNION ALL (SELECT id FROM t ORDER BY id DESC LIMIT 1)) x')).toEqual(['1', '5']);
    expect(sortedColumn('WITH c AS ((SELECT id FROM t ORDER BY id LIMIT 1) UNION ALL (SELECT id FROM t ORDER BY id DESC LIMIT 1)) SELECT * FROM c')).toEqual(['1', '5']);
  });

  it('apply to the whole set operation when written after an unparenthesized last SELECT', () => {
    expect(texts('(SELECT id FROM t ORDER BY id LIMIT 2) UNION ALL SELECT id FROM t ORDER BY id DESC LIMIT 3')).toEqual([['5'], ['4'], ['3']]);
    expect(texts('SELECT id FROM t WHERE id > 3 UNION SELECT id FROM t WHERE id < 2 ORDER BY id LIMIT 2')).toEqual([['1'], ['4']]);
  });

  it('refuses ORDER BY or LIMIT on an unparenthesized SELECT before the last, as MariaDB (1064)', () => {
    expect(code('SELECT id FROM t ORDER BY id UNION SELECT 1')).toBe('SQL_SYNTAX');
    expect(code('SELECT id FROM t LIMIT 1 UNION ALL SELECT 1')).toBe('SQL_SYNTAX');
  });
});

describe('the type of a set operation\'s column', () => {
  it('is text when text meets a number: 1 and \'1\' are one row', () => {
    expect(texts("SELECT 1 UNION SELECT '1'")).toEqual([['1']]);
    expect(texts('SELECT v FROM t UNION SELECT s FROM t ORDER BY 1')).toEqual([['0'], ['10'], ['40'], ['5'], ['50'], ['9'], ['abc'], ['x']]);
    expect(texts('SELECT COUNT(*) FROM (SELECT v FROM t UNION SELECT s FROM t) x')).toEqual([['8']]);
  });

  it('is text in INTERSECT and EXCEPT', () => {
    expect(texts('SELECT v FROM t INTERSECT SELECT s FROM t ORDER BY 1')).toEqual([['10'], ['9']]);
    expect(texts('SELECT v FROM t EXCEPT SELECT s FROM t ORDER BY 1')).toEqual([['0'], ['40'], ['50']]);
  });

  it('is text for the grouping and aggregates above it', () => {
    expect(texts('SELECT x, COUNT(*) FROM (SELECT v AS x FROM t UNION ALL SELECT s FROM t) u GROUP BY x ORDER BY x')).toEqual([
      ['0', '1'], ['10', '2'], ['40', '1'], ['5', '1'], ['50', '1'], ['9', '2'], ['abc', '1'], ['x', '1'],
    ]);
    expect(texts('SELECT MAX(x) FROM (SELECT v AS x FROM t UNION ALL SELECT s FROM t) u')).toEqual([['x']]);
  });

  it('shows a DECIMAL meeting text with its scale', () => {
    expect(sortedColumn("SELECT 2.50 UNION SELECT 'a'")).toEqual(['2.50', 'a']);
    expect(sortedColumn("SELECT d FROM t WHERE id = 1 UNION SELECT 'a'")).toEqual(['1.50', 'a']);
  });

  it('is a DECIMAL of the larger scale when an integer meets a DECIMAL', () => {
    expect(sortedColumn('SELECT 1 UNION SELECT 2.5')).toEqual(['1.0', '2.5']);
    expect(texts('SELECT d FROM t UNION SELECT v FROM t ORDER BY 1')).toEqual([
      [null], ['0.00'], ['1.50'], ['2.00'], ['3.25'], ['7.00'], ['9.00'], ['10.00'], ['40.00'], ['50.00'],
    ]);
  });
});

describe('a recursive WITH query\'s step', () => {
  it('converts its rows to the anchor\'s column types', () => {
    expect(texts('WITH RECURSIVE r (x) AS (SELECT 1 UNION ALL SELECT x + 0.5 FROM r WHERE x < 3) SELECT * FROM r')).toEqual([['1'], ['2'], ['3']]);
    expect(texts('WITH RECURSIVE r (x) AS (SELECT 1.5 UNION ALL SELECT x * 1.55 FROM r WHERE x < 5) SELECT * FROM r')).toEqual([['1.5'], ['2.3'], ['3.6'], ['5.6']]);
    expect(sortedColumn("WITH RECURSIVE r (x) AS (SELECT 'a' UNION ALL SELECT 5 FROM r WHERE x = 'a') SELECT * FROM r")).toEqual(['5', 'a']);
  });

  it('stops under UNION DISTINCT once the converted row repeats', () => {
    expect(texts("WITH RECURSIVE r (x, y) AS (SELECT 1, 'a' UNION SELECT x + 0.4, y FROM r WHERE x < 3) SELECT * FROM r")).toEqual([['1', 'a']]);
  });
});
