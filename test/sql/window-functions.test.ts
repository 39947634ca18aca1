// Proves window functions answer as MySQL 8 does on a real store: ranking over peers, LAG/LEAD
// with offsets and defaults, FIRST/LAST/NTH_VALUE and aggregates over MySQL's default frames
// and explicit ROWS and RANGE frames, windows over grouped rows and in ORDER BY, and that
// misplaced calls, bad frames and a window past the memory budget fail with their codes.
import { describe, expect, it } from 'vitest';
import { OverlayView } from '../../services/sql/overlay-view.js';
import { MemoryBudget } from '../../services/sql/select/memory-budget.js';
import { errorCodeOf, mysqlErrnoOf, runOnStore } from './run-on-store.js';
import { useSqlStore } from './sql-store.js';
import { Decimal } from '../../services/values/decimal.js';
import { selectRows } from './select-on-view.js';

const { store: openStore, rows, code } = useSqlStore('tidedb-window-', [
  'CREATE TABLE s (id INT PRIMARY KEY, grp VARCHAR(4), score INT)',
  "INSERT INTO s VALUES (1, 'a', 10), (2, 'a', 20), (3, 'a', 20), (4, 'a', NULL), (5, 'b', 5), (6, 'b', 7), (7, 'c', NULL)",
]);

describe('ranking functions', () => {
  it('number rows and rank peers (equal ORDER BY values, NULLs first) within each partition', () => {
    expect(rows('SELECT id, ROW_NUMBER() OVER w, RANK() OVER w, DENSE_RANK() OVER w, PERCENT_RANK() OVER w, CUME_DIST() OVER w, NTILE(3) OVER w FROM s WINDOW w AS (PARTITION BY grp ORDER BY score) ORDER BY id')).toEqual([
      [1n, 2n, 2n, 2n, 1 / 3, 0.5, 1n],
      [2n, 3n, 3n, 3n, 2 / 3, 1, 2n],
      [3n, 4n, 3n, 3n, 2 / 3, 1, 3n],
      [4n, 1n, 1n, 1n, 0, 0.25, 1n],
      [5n, 1n, 1n, 1n, 0, 0.5, 1n],
      [6n, 2n, 2n, 2n, 1, 1, 2n],
      [7n, 1n, 1n, 1n, 0, 1, 1n],
    ]);
  });

  it('rank every row of a window without ORDER BY as one peer group', () => {
    expect(rows("SELECT id, RANK() OVER (), ROW_NUMBER() OVER (PARTITION BY grp) FROM s WHERE grp = 'b' ORDER BY id")).toEqual([[5n, 1n, 1n], [6n, 1n, 2n]]);
  });

  it('deal NTILE buckets so the first ones hold one row more', () => {
    expect(rows('SELECT id, NTILE(2) OVER (ORDER BY id), NTILE(10) OVER (ORDER BY id) FROM s ORDER BY id').map((row) => [row[1], row[2]])).toEqual([
      [1n, 1n], [1n, 2n], [1n, 3n], [1n, 4n], [2n, 5n], [2n, 6n], [2n, 7n],
    ]);
  });
});

describe('LAG and LEAD', () => {
  it('read the row at an offset in the partition, else the default evaluated on the current row', () => {
    expect(rows('SELECT id, LAG(score) OVER (ORDER BY id), LEAD(score, 2) OVER (PARTITION BY grp ORDER BY id), LAG(score, 1, id * 100) OVER (PARTITION BY grp ORDER BY id), LEAD(id, 0) OVER (ORDER BY id) FROM s ORDER BY id')).toEqual([
      [1n, null, 20n, 100n, 1n],
      [2n, 10n, null, 10n, 2n],
      [3n, 20n, null, 20n, 3n],
      [4n, 20n, null, 20n, 4n],
      [5n, null, null, 500n, 5n],
      [6n, 5n, null, 5n, 6n],
      [7n, 7n, null, 700n, 7n],
    ]);
  });

  it('take the offset from a placeholder, and refuse a negative one', () => {
    expect(rows("SELECT id, LEAD(id, ?) OVER (ORDER BY id) FROM s WHERE grp = 'a' ORDER BY id", [2n])).toEqual([[1n, 3n], [2n, 4n], [3n, null], [4n, null]]);
    expect(errorCodeOf(() => runOnStore(openStore(), 'SELECT LAG(id, ?) OVER (ORDER BY id) FROM s', [-1n]))).toBe('ARGUMENTS_INCORRECT');
  });
});

describe('frames', () => {
  it('use MySQL defaults: to the last peer with ORDER BY, the whole partition without', () => {
    expect(rows('SELECT id, FIRST_VALUE(id) OVER w, LAST_VALUE(id) OVER w, NTH_VALUE(id, 3) OVER w, SUM(score) OVER w, COUNT(*) OVER w, SUM(score) OVER (PARTITION BY grp) FROM s WINDOW w AS (PARTITION BY grp ORDER BY score) ORDER BY id')).toEqual([
      [1n, 4n, 1n, null, 10n, 2n, 50n],
      [2n, 4n, 3n, 2n, 50n, 4n, 50n],
      [3n, 4n, 3n, 2n, 50n, 4n, 50n],
      [4n, 4n, 4n, null, null, 1n, 50n],
      [5n, 5n, 5n, null, 5n, 1n, 12n],
      [6n, 5n, 6n, null, 12n, 2n, 12n],
      [7n, 7n, 7n, null, null, 1n, null],
    ]);
  });

  it('slide ROWS frames by offsets, an empty frame counting 0 and summing NULL', () => {
    // AVG of integers is a DECIMAL of scale 4, as MySQL's.
    const average = new Decimal(124000n, 4);
    expect(rows('SELECT id, MIN(score) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), MAX(score) OVER (ORDER BY id ROWS BETWEEN 2 FOLLOWING AND 3 FOLLOWING), COUNT(score) OVER (ORDER BY id ROWS BETWEEN 2 FOLLOWING AND 3 FOLLOWING), SUM(id) OVER (ORDER BY id ROWS 2 PRECEDING), AVG(score) OVER () FROM s ORDER BY id')).toEqual([
      [1n, 10n, 20n, 1n, 1n, average],
      [2n, 10n, 5n, 1n, 3n, average],
      [3n, 20n, 7n, 2n, 6n, average],
      [4n, 5n, 7n, 1n, 9n, average],
      [5n, 5n, null, 0n, 12n, average],
      [6n, 5n, null, 0n, 15n, average],
      [7n, 7n, null, 0n, 18n, average],
    ]);
  });

  it('bound RANGE frames by the current row\'s peers', () => {
    expect(rows('SELECT id, SUM(score) OVER (ORDER BY score RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), COUNT(*) OVER (ORDER BY score RANGE CURRENT ROW), SUM(score) OVER (ORDER BY score RANGE UNBOUNDED PRECEDING), COUNT(*) OVER (ORDER BY score RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM s ORDER BY id')).toEqual([
      [1n, 50n, 1n, 22n, 7n],
      [2n, 40n, 2n, 62n, 7n],
      [3n, 40n, 2n, 62n, 7n],
      [4n, 62n, 2n, null, 7n],
      [5n, 62n, 1n, 5n, 7n],
      [6n, 57n, 1n, 12n, 7n],
      [7n, 62n, 2n, null, 7n],
    ]);
  });

  it('refuse frames that start after they end, RANGE offsets without one numeric ORDER BY, and DISTINCT aggregates', () => {
    expect(code('SELECT SUM(id) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) FROM s')).toBe('SQL_SYNTAX');
    expect(code('SELECT SUM(id) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW) FROM s')).toBe('SQL_SYNTAX');
    expect(code('SELECT SUM(id) OVER (ORDER BY id, grp RANGE BETWEEN 2 PRECEDING AND CURRENT ROW) FROM s')).toBe('SQL_SYNTAX');
    expect(code('SELECT SUM(id) OVER (RANGE BETWEEN CURRENT ROW AND 2 FOLLOWING) FROM s')).toBe('SQL_SYNTAX');
    // An offset is read in the BETWEEN form, where the parser notes the frame's place.
    expect(code('SELECT SUM(id) OVER (ORDER BY id RANGE 2 PRECEDING) FROM s')).toBe('SQL_UNSUPPORTED');
    expect(code('SELECT COUNT(DISTINCT grp) OVER () FROM s')).toBe('SQL_UNSUPPORTED');
  });
});

describe('windows in a query level', () => {
  it('run after GROUP BY and HAVING, over the groups, with aggregates in their arguments', () => {
    expect(rows('SELECT grp, SUM(score), RANK() OVER (ORDER BY SUM(score) DESC), SUM(COUNT(*)) OVER (ORDER BY grp) FROM s GROUP BY grp HAVING COUNT(*) > 1 ORDER BY grp')).toEqual([
      ['a', 50n, 1n, 4n],
      ['b', 12n, 2n, 6n],
    ]);
  });

  it('order by a window function, before DISTINCT and LIMIT', () => {
    expect(rows('SELECT id FROM s ORDER BY ROW_NUMBER() OVER (ORDER BY score DESC, id) LIMIT 3')).toEqual([[2n], [3n], [1n]]);
    expect(rows('SELECT DISTINCT grp, COUNT(*) OVER (PARTITION BY grp) AS n FROM s ORDER BY n DESC, grp')).toEqual([['a', 4n], ['b', 2n], ['c', 1n]]);
  });

  it('read named windows, several calls sharing one', () => {
    expect(rows("SELECT id, ROW_NUMBER() OVER w, SUM(id) OVER w FROM s WHERE grp = 'b' WINDOW w AS (ORDER BY id DESC) ORDER BY id")).toEqual([[5n, 2n, 11n], [6n, 1n, 6n]]);
    expect(code('SELECT ROW_NUMBER() OVER nope FROM s')).toBe('SQL_SYNTAX');
    expect(code('SELECT 1 FROM s WINDOW w AS (), w AS (ORDER BY id)')).toBe('SQL_SYNTAX');
  });

  it('refuse window functions outside the select list and ORDER BY, with MySQL\'s 3593', () => {
    for (const sql of [
      'SELECT id FROM s WHERE ROW_NUMBER() OVER () > 1',
      'SELECT grp FROM s GROUP BY RANK() OVER (ORDER BY id)',
      'SELECT grp FROM s GROUP BY grp HAVING RANK() OVER (ORDER BY grp) > 1',
      'SELECT SUM(ROW_NUMBER() OVER ()) FROM s',
      'SELECT LAG(ROW_NUMBER() OVER ()) OVER () FROM s',
    ]) {
      expect(code(sql), sql).toBe('WINDOW_FUNCTION_MISPLACED');
      expect(mysqlErrnoOf(() => runOnStore(openStore(), sql))).toBe(3593);
    }
  });

  it('refuse bad arguments: NTILE of no constant, of zero, and a ranking function with arguments', () => {
    expect(code('SELECT NTILE(score) OVER () FROM s')).toBe('SQL_SYNTAX');
    expect(code('SELECT NTILE(0) OVER () FROM s')).toBe('ARGUMENTS_INCORRECT');
    expect(code('SELECT NTH_VALUE(id, 0) OVER () FROM s')).toBe('ARGUMENTS_INCORRECT');
    expect(code('SELECT RANK(id) OVER () FROM s')).toBe('SQL_SYNTAX');
  });

  it('hold their rows against the memory budget, and give them back after', () => {
    const view = new OverlayView(openStore());
    const budget = new MemoryBudget(600);
    expect(errorCodeOf(() => selectRows('SELECT a.id, ROW_NUMBER() OVER (ORDER BY a.id) FROM s a, s b', view, budget))).toBe('QUERY_MEMORY_EXCEEDED');
    expect(budget.used).toBe(0);
    expect(selectRows("SELECT ROW_NUMBER() OVER () FROM s WHERE grp = 'c'", view, budget)).toEqual([[1n]]);
    expect(budget.used).toBe(0);
  });
});
