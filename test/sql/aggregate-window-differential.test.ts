// Proves aggregates (COUNT, SUM, AVG, MIN, MAX, GROUP_CONCAT with ORDER BY and SEPARATOR,
// DISTINCT), GROUP BY, HAVING,
// WITH ROLLUP and window functions (ranking, LAG/LEAD, FIRST/LAST/NTH_VALUE, aggregates over
// ROWS and RANGE frames, named windows, windows over aggregates) answer as MariaDB does, over
// rows with NULLs, ties, negatives, DECIMALs, DOUBLEs, text and dates: the same statements run
// on both and their rows (as text) or MySQL error numbers must agree. Where MariaDB answers
// otherwise than MySQL 8 (TideDB's reference), TideDB's answer is asserted as MySQL's instead.
import type { Connection } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../services/storage/store.js';
import { mariadbOptions, mariadbUnreachable } from '../support/mariadb.js';
import { useTempStores } from '../support/temp-stores.js';
import { expectSameOutcomes, outcomeOnMaria, outcomeOnTide, useMariadbDatabase } from './differential-outcomes.js';
import type { Outcome } from './differential-outcomes.js';
import { runOnStoreAsync } from './run-on-store.js';

const unreachable = await mariadbUnreachable(mariadbOptions, 'aggregate and window differential test');

const schema = [
  'DROP TABLE IF EXISTS t',
  'DROP TABLE IF EXISTS empty_t',
  'CREATE TABLE t (id INT PRIMARY KEY, g VARCHAR(10), n INT, d DECIMAL(10,2), f DOUBLE, s VARCHAR(20), dt DATE)',
  `INSERT INTO t VALUES (1, 'a', 10, 1.50, 1.5, 'pear', '2024-01-05'), (2, 'a', -3, 2.25, -0.25, 'apple', '2023-12-31'),
    (3, 'b', NULL, NULL, NULL, NULL, NULL), (4, 'b', 7, -4.10, 2.5, 'fig', '2024-02-29'), (5, 'b', 7, 0.00, 1e3, 'Apple', '2024-01-05'),
    (6, NULL, 0, 3.33, 0.1, 'kiwi', '2020-06-01'), (7, 'c', NULL, 10.01, NULL, 'pear', NULL), (8, 'a', 10, 1.50, 1.5, 'banana', '2022-07-07')`,
  'CREATE TABLE empty_t (id INT PRIMARY KEY, n INT, d DECIMAL(10,2), s VARCHAR(10))',
];

const aggregateQueries = [
  // AVG of integers is a DECIMAL of their scale + 4 (7.0000), in groups and over windows.
  'SELECT g, AVG(n), AVG(DISTINCT n), AVG(id) FROM t GROUP BY g ORDER BY g',
  'SELECT id, AVG(n) OVER (PARTITION BY g ORDER BY n), AVG(n) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t ORDER BY id',
  'SELECT COUNT(*), COUNT(n), COUNT(d), COUNT(s), COUNT(dt), COUNT(DISTINCT n), COUNT(DISTINCT s), COUNT(DISTINCT g) FROM t',
  // AVG of DECIMALs keeps their scale + 4; of DOUBLEs it is a double (of integers: below).
  'SELECT SUM(n), SUM(d), AVG(d), SUM(f), AVG(f) FROM t',
  'SELECT g, SUM(n), SUM(d), AVG(d), SUM(f), AVG(f) FROM t GROUP BY g ORDER BY g',
  'SELECT g, SUM(DISTINCT n), SUM(DISTINCT d) FROM t GROUP BY g ORDER BY g',
  'SELECT g FROM t GROUP BY g HAVING AVG(n) > 5.5 ORDER BY AVG(n) DESC',
  'SELECT SUM(n) + 1, MAX(n) - MIN(n), COUNT(*) * 2 FROM t',
  // Over no rows: NULL, and COUNT 0; one row without GROUP BY, none with it.
  'SELECT SUM(n) FROM t WHERE id > 100',
  'SELECT SUM(n), AVG(n), AVG(d), MIN(n), MAX(s), COUNT(*), COUNT(n), GROUP_CONCAT(s) FROM t WHERE id > 100',
  'SELECT COUNT(*), SUM(n), AVG(d), MIN(s), MAX(s) FROM empty_t',
  'SELECT n, COUNT(*) FROM empty_t GROUP BY n',
  'SELECT COUNT(*) FROM empty_t GROUP BY n',
  'SELECT MIN(s), MAX(s), MIN(dt), MAX(dt), MIN(d), MAX(d), MIN(f), MAX(f), MIN(n), MAX(n) FROM t',
  'SELECT g, MIN(s), MAX(s), MIN(dt), MAX(dt) FROM t GROUP BY g ORDER BY g',
  'SELECT MIN(COALESCE(s, n)), MAX(IFNULL(dt, s)) FROM t',
  'SELECT MAX(g), MIN(g) FROM t',
  // GROUP_CONCAT skips NULLs; the order within a group is the rows' (one row per group here,
  // or groups whose rows come in id order on both).
  'SELECT g, GROUP_CONCAT(s) FROM t GROUP BY g ORDER BY g',
  'SELECT GROUP_CONCAT(s) FROM t WHERE g = \'a\'',
  'SELECT GROUP_CONCAT(DISTINCT g) FROM t WHERE g IS NOT NULL AND g < \'c\'',
  // GROUP_CONCAT … ORDER BY (by any expression, NULLs first, DESC, several terms) and SEPARATOR,
  // with DISTINCT, in groups and under ROLLUP; orders without ties, which either may break, and
  // without NULL keys, which MariaDB sorts here as if zero (TideDB first, as ORDER BY does).
  "SELECT g, GROUP_CONCAT(s ORDER BY id DESC SEPARATOR '|'), GROUP_CONCAT(id ORDER BY COALESCE(d, 99), id SEPARATOR '') FROM t GROUP BY g ORDER BY g",
  "SELECT GROUP_CONCAT(id ORDER BY COALESCE(n, -100) DESC, id), GROUP_CONCAT(DISTINCT n ORDER BY n DESC SEPARATOR ' / '), GROUP_CONCAT(s SEPARATOR '') FROM t",
  'SELECT g, GROUP_CONCAT(id ORDER BY COALESCE(f, 0.5), id) FROM t GROUP BY g WITH ROLLUP',
  "SELECT GROUP_CONCAT(id ORDER BY s, id) FROM t WHERE s IS NOT NULL",
  "SELECT GROUP_CONCAT(id ORDER BY id SEPARATOR 'it''s'), GROUP_CONCAT(id ORDER BY id SEPARATOR '\\\\'), GROUP_CONCAT(id ORDER BY id SEPARATOR '\\n') FROM t WHERE id < 4",
  // COUNT(DISTINCT …) of several expressions: rows with no NULL among them, each combination once.
  'SELECT COUNT(DISTINCT g, n), COUNT(DISTINCT n, s), COUNT(DISTINCT n, d, f) FROM t',
  'SELECT g, COUNT(DISTINCT n, d), COUNT(DISTINCT id, g) FROM t GROUP BY g ORDER BY g',
  // BIT_AND, BIT_OR and BIT_XOR over 64-bit unsigned values (negatives as two's complement),
  // and over no rows.
  'SELECT g, BIT_AND(n), BIT_OR(n), BIT_XOR(n), BIT_OR(id) FROM t GROUP BY g ORDER BY g',
  'SELECT BIT_AND(n), BIT_OR(n), BIT_XOR(id), BIT_AND(id) FROM t WHERE id > 100',
  'SELECT id, BIT_XOR(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t ORDER BY id',
  // HAVING with and without an aggregate of the select list, and on an alias.
  'SELECT g, COUNT(*) FROM t GROUP BY g HAVING COUNT(*) > 1 ORDER BY g',
  'SELECT g FROM t GROUP BY g HAVING SUM(n) > 5 ORDER BY g',
  "SELECT g FROM t GROUP BY g HAVING MAX(s) = 'pear' ORDER BY g",
  'SELECT g, SUM(n) AS total FROM t GROUP BY g HAVING total > 5 ORDER BY g',
  // GROUP BY an expression, an alias and a position.
  'SELECT n % 2 AS parity, COUNT(*) FROM t GROUP BY n % 2 ORDER BY parity',
  'SELECT n % 2, COUNT(*) FROM t GROUP BY 1 ORDER BY 1',
  'SELECT YEAR(dt) AS y, COUNT(*), SUM(d) FROM t GROUP BY y ORDER BY y',
  'SELECT g, COUNT(*) FROM t GROUP BY 1 ORDER BY 2 DESC, 1',
  'SELECT SUM(n) FROM t GROUP BY g ORDER BY SUM(n)',
  'SELECT g, MAX(n) FROM t GROUP BY g ORDER BY MAX(n) DESC, g',
  // WITH ROLLUP: NULL in the rolled-up columns, a row per level, the grand total last.
  'SELECT g, SUM(n) FROM t GROUP BY g WITH ROLLUP',
  'SELECT g, n, COUNT(*), SUM(d) FROM t GROUP BY g, n WITH ROLLUP',
  'SELECT g, YEAR(dt), COUNT(*) FROM t GROUP BY g, YEAR(dt) WITH ROLLUP',
  'SELECT g, n, s, COUNT(*) FROM t GROUP BY g, n, s WITH ROLLUP',
  'SELECT g, SUM(n) FROM t GROUP BY g WITH ROLLUP HAVING g IS NULL',
  "SELECT COALESCE(g, 'total'), SUM(d), AVG(d) FROM t GROUP BY g WITH ROLLUP",
  'SELECT n, COUNT(*) FROM empty_t GROUP BY n WITH ROLLUP',
  // DISTINCT over aggregated rows.
  'SELECT DISTINCT COUNT(*) FROM t GROUP BY g ORDER BY 1',
  'SELECT DISTINCT g, COUNT(*) FROM t GROUP BY g, n ORDER BY g, 2',
  'SELECT COUNT(DISTINCT g), SUM(DISTINCT n), AVG(DISTINCT d), SUM(DISTINCT d) FROM t',
  'SELECT g, COUNT(DISTINCT n), SUM(DISTINCT n) FROM t GROUP BY g ORDER BY g',
];

const windowQueries = [
  'SELECT id, g, n, ROW_NUMBER() OVER (PARTITION BY g ORDER BY n, id), RANK() OVER (PARTITION BY g ORDER BY n), DENSE_RANK() OVER (PARTITION BY g ORDER BY n) FROM t ORDER BY id',
  'SELECT id, n, RANK() OVER (ORDER BY n DESC), DENSE_RANK() OVER (ORDER BY n DESC) FROM t ORDER BY id',
  // PERCENT_RANK and CUME_DIST are DOUBLEs in MySQL; MariaDB shows them with 10 digits, so they
  // are compared rounded.
  'SELECT id, ROUND(PERCENT_RANK() OVER (ORDER BY n DESC), 6), ROUND(CUME_DIST() OVER (ORDER BY n DESC), 6) FROM t ORDER BY id',
  'SELECT id, PERCENT_RANK() OVER (PARTITION BY g ORDER BY n), ROUND(CUME_DIST() OVER (PARTITION BY g ORDER BY n), 6) FROM t ORDER BY id',
  'SELECT id, NTILE(3) OVER (ORDER BY id), NTILE(5) OVER (ORDER BY id), NTILE(20) OVER (ORDER BY id), NTILE(2) OVER (PARTITION BY g ORDER BY id) FROM t ORDER BY id',
  'SELECT id, LAG(n) OVER (ORDER BY id), LEAD(n) OVER (ORDER BY id), LAG(n, 2) OVER (ORDER BY id), LEAD(s, 3) OVER (ORDER BY id), LAG(dt, 0) OVER (ORDER BY id) FROM t ORDER BY id',
  'SELECT id, LAG(s) OVER (PARTITION BY g ORDER BY id), LEAD(d) OVER (PARTITION BY g ORDER BY id DESC) FROM t ORDER BY id',
  'SELECT id, FIRST_VALUE(s) OVER (PARTITION BY g ORDER BY id), LAST_VALUE(s) OVER (PARTITION BY g ORDER BY id), NTH_VALUE(s, 2) OVER (PARTITION BY g ORDER BY id) FROM t ORDER BY id',
  'SELECT id, FIRST_VALUE(n) OVER (ORDER BY n), LAST_VALUE(n) OVER (ORDER BY n), NTH_VALUE(n, 3) OVER (ORDER BY n) FROM t ORDER BY id',
  'SELECT id, LAST_VALUE(s) OVER (PARTITION BY g ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING), NTH_VALUE(s, 2) OVER (PARTITION BY g ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM t ORDER BY id',
  // The default frame with ORDER BY is RANGE up to the current row's last peer.
  'SELECT id, SUM(n) OVER (PARTITION BY g ORDER BY n), AVG(d) OVER (PARTITION BY g ORDER BY n), COUNT(*) OVER (PARTITION BY g ORDER BY n), COUNT(n) OVER (PARTITION BY g ORDER BY n), MIN(s) OVER (PARTITION BY g ORDER BY n), MAX(s) OVER (PARTITION BY g ORDER BY n) FROM t ORDER BY id',
  'SELECT id, SUM(d) OVER (ORDER BY n), AVG(d) OVER (ORDER BY n), SUM(f) OVER (ORDER BY n), AVG(f) OVER (ORDER BY n) FROM t ORDER BY id',
  'SELECT id, SUM(n) OVER (), AVG(f) OVER (), COUNT(*) OVER (), SUM(n) OVER (PARTITION BY g), AVG(d) OVER (PARTITION BY g) FROM t ORDER BY id',
  'SELECT id, SUM(n) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), AVG(d) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), COUNT(n) OVER (ORDER BY id ROWS 2 PRECEDING) FROM t ORDER BY id',
  'SELECT id, SUM(n) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), MAX(s) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), MIN(n) OVER (ORDER BY id ROWS BETWEEN 3 FOLLOWING AND 5 FOLLOWING) FROM t ORDER BY id',
  'SELECT id, SUM(n) OVER (ORDER BY n RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), COUNT(*) OVER (ORDER BY n RANGE UNBOUNDED PRECEDING) FROM t ORDER BY id',
  'SELECT id, FIRST_VALUE(id) OVER w, LAST_VALUE(id) OVER w FROM t WINDOW w AS (PARTITION BY g ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) ORDER BY id',
  'SELECT id, SUM(n) OVER w, ROW_NUMBER() OVER w, RANK() OVER w FROM t WINDOW w AS (PARTITION BY g ORDER BY n, id) ORDER BY id',
  'SELECT id, SUM(n) OVER (ORDER BY dt), MIN(dt) OVER (PARTITION BY g), MAX(dt) OVER (ORDER BY id ROWS 1 PRECEDING) FROM t ORDER BY id',
  // Windows over an aggregated level.
  'SELECT g, SUM(n), SUM(SUM(n)) OVER (ORDER BY g), RANK() OVER (ORDER BY SUM(n) DESC), COUNT(*) OVER () FROM t GROUP BY g ORDER BY g',
  'SELECT g, COUNT(*) AS c, SUM(COUNT(*)) OVER () AS total, AVG(SUM(d)) OVER () FROM t GROUP BY g ORDER BY g',
  'SELECT g, ROW_NUMBER() OVER (ORDER BY g) FROM t GROUP BY g ORDER BY g',
  'SELECT SUM(n), ROW_NUMBER() OVER (ORDER BY SUM(n)) FROM t',
  // ORDER BY a window function's alias, or the call itself.
  'SELECT id, ROW_NUMBER() OVER (ORDER BY n DESC, id) AS rn FROM t ORDER BY rn',
  'SELECT id, RANK() OVER (ORDER BY s) AS r FROM t ORDER BY r DESC, id',
  'SELECT id, n, SUM(n) OVER (ORDER BY id) AS running FROM t ORDER BY running, id',
  'SELECT id, RANK() OVER (ORDER BY n) FROM t ORDER BY RANK() OVER (ORDER BY n), id',
  'SELECT * FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY g ORDER BY id DESC) AS rn FROM t) x WHERE rn = 1 ORDER BY id',
  'SELECT DISTINCT g, COUNT(*) OVER (PARTITION BY g) FROM t ORDER BY g',
  'SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM empty_t',
  'SELECT COUNT(*) OVER (), SUM(n) OVER () FROM empty_t',
  'SELECT COUNT(*), ROW_NUMBER() OVER () FROM empty_t',
];

// RANGE frames with numeric offsets: a distance between ORDER BY values (DECIMAL and DOUBLE
// ones too), both directions, NULL values reaching only their peers.
const rangeOffsetQueries = [
  'SELECT id, SUM(n) OVER (ORDER BY n RANGE BETWEEN 3 PRECEDING AND 3 FOLLOWING) FROM t ORDER BY id',
  'SELECT id, COUNT(*) OVER (ORDER BY n RANGE BETWEEN 5 PRECEDING AND CURRENT ROW), SUM(id) OVER (ORDER BY n DESC RANGE BETWEEN 2 PRECEDING AND 1 FOLLOWING) FROM t ORDER BY id',
  'SELECT id, SUM(id) OVER (ORDER BY d RANGE BETWEEN 1.5 PRECEDING AND CURRENT ROW) FROM t ORDER BY id',
  'SELECT id, SUM(id) OVER (ORDER BY d DESC RANGE BETWEEN 2.25 PRECEDING AND 0.5 FOLLOWING) FROM t ORDER BY id',
  'SELECT id, SUM(id) OVER (ORDER BY f RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING), COUNT(f) OVER (ORDER BY f RANGE BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t ORDER BY id',
  'SELECT id, COUNT(*) OVER (ORDER BY n RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), COUNT(*) OVER (ORDER BY n DESC RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) FROM t ORDER BY id',
  'SELECT id, COUNT(*) OVER (ORDER BY n RANGE BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING), COUNT(*) OVER (ORDER BY n DESC RANGE BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING) FROM t ORDER BY id',
  'SELECT id, COUNT(*) OVER (ORDER BY n RANGE BETWEEN 2 FOLLOWING AND 4 FOLLOWING), SUM(n) OVER (PARTITION BY g ORDER BY n RANGE BETWEEN 10 PRECEDING AND 0 FOLLOWING) FROM t ORDER BY id',
  'SELECT id, FIRST_VALUE(id) OVER (ORDER BY id RANGE BETWEEN 2 PRECEDING AND 1 FOLLOWING), LAST_VALUE(id) OVER (ORDER BY id DESC RANGE BETWEEN 3 PRECEDING AND 1 FOLLOWING), LAST_VALUE(n) OVER (ORDER BY n RANGE BETWEEN 4 PRECEDING AND 4 FOLLOWING) FROM t ORDER BY id',
  'SELECT id, AVG(d) OVER (ORDER BY id RANGE BETWEEN 2 PRECEDING AND 2 FOLLOWING), MAX(s) OVER (ORDER BY id DESC RANGE BETWEEN 3 PRECEDING AND CURRENT ROW) FROM t ORDER BY id',
  'SELECT g, SUM(SUM(n)) OVER (ORDER BY SUM(n) RANGE BETWEEN 5 PRECEDING AND CURRENT ROW) FROM t GROUP BY g ORDER BY g',
];

// The standard deviations and variances, doubles in MySQL 8 (MariaDB shows them to four digits
// when the argument is an integer): compared with MariaDB's as numbers.
const spreadQueries = [
  'SELECT STDDEV(n), STDDEV_POP(n), STDDEV_SAMP(n), VAR_POP(n), VAR_SAMP(n), STDDEV(f), VAR_SAMP(d) FROM t',
  'SELECT g, STDDEV_POP(n), STDDEV_SAMP(id), VAR_SAMP(f) FROM t GROUP BY g ORDER BY g',
  'SELECT STDDEV(n), VAR_SAMP(n) FROM t WHERE id > 100',
  'SELECT id, VAR_POP(n) OVER (PARTITION BY g ORDER BY id) FROM t ORDER BY id',
];

// MySQL 8's answers where MariaDB's differ: LAG and LEAD take a default (MariaDB refuses the
// third argument), the column of the type value and default aggregate to; JSON_ARRAYAGG and
// JSON_OBJECTAGG write their documents as MySQL 8 writes JSON.
const mysqlAnswers: readonly { readonly sql: string; readonly outcome: Outcome }[] = [
  {
    sql: 'SELECT g, JSON_ARRAYAGG(n), JSON_ARRAYAGG(s) FROM t WHERE id < 8 GROUP BY g ORDER BY g',
    outcome: {
      rows: [
        [null, '[0]', '["kiwi"]'], ['a', '[10, -3]', '["pear", "apple"]'], ['b', '[null, 7, 7]', '[null, "fig", "Apple"]'], ['c', '[null]', '["pear"]'],
      ],
    },
  },
  { sql: 'SELECT JSON_ARRAYAGG(id) FROM t WHERE id > 100', outcome: { rows: [[null]] } },
  // JSON_OBJECTAGG: MySQL 8 orders members by key and keeps the last of duplicate keys (MariaDB
  // writes every member, in row order).
  { sql: 'SELECT g, JSON_OBJECTAGG(id, n) FROM t WHERE id < 5 GROUP BY g ORDER BY g', outcome: { rows: [['a', '{"1": 10, "2": -3}'], ['b', '{"3": null, "4": 7}']] } },
  { sql: 'SELECT JSON_OBJECTAGG(g, id), JSON_OBJECTAGG(s, n) FROM t WHERE g IS NOT NULL AND s IS NOT NULL', outcome: { rows: [['{"a": 8, "b": 5, "c": 7}', '{"fig": 7, "pear": null, "Apple": 7, "apple": -3, "banana": 10}']] } },
  { sql: 'SELECT JSON_OBJECTAGG(id, s) FROM t WHERE id > 100', outcome: { rows: [[null]] } },
  { sql: 'SELECT JSON_OBJECTAGG(g, id) FROM t', outcome: { errno: 3158 } },
  { sql: "SELECT JSON_OBJECT(NULL, 'x')", outcome: { errno: 3158 } },
  {
    sql: "SELECT id, LEAD(n, 3, -1) OVER (ORDER BY id), LAG(s, 1, 'none') OVER (PARTITION BY g ORDER BY id), LEAD(d, 1, 0) OVER (ORDER BY id) FROM t ORDER BY id",
    outcome: {
      rows: [
        ['1', '7', 'none', '2.25'], ['2', '7', 'pear', null], ['3', '0', 'none', '-4.10'], ['4', null, null, '0.00'],
        ['5', '10', 'fig', '3.33'], ['6', '-1', 'none', '10.01'], ['7', '-1', 'none', '1.50'], ['8', '-1', 'apple', '0.00'],
      ],
    },
  },
];

describe.skipIf(unreachable !== null)('aggregates and window functions against MariaDB', () => {
  const maria = useMariadbDatabase('tidedb_aggregate_window');
  const stores = useTempStores('tidedb-aggregate-window-');

  it('gives the same aggregates, groups, HAVING and ROLLUP rows', async () => {
    await expectSameOutcomes(stores.open(), maria(), schema, aggregateQueries);
  });

  it('gives the same window function values', async () => {
    await expectSameOutcomes(stores.open(), maria(), schema, windowQueries);
  });

  it('gives the same standard deviations and variances, as numbers', async () => {
    const store = stores.open();
    await createSchema(store, maria());
    const numbers = (outcome: Outcome): unknown => ('rows' in outcome ? outcome.rows.map((row) => row.map((value) => (value === null || Number.isNaN(Number(value)) ? value : Number(Number(value).toFixed(4))))) : outcome);
    for (const sql of spreadQueries) expect(numbers(await outcomeOnTide(store, sql)), sql).toEqual(numbers(await outcomeOnMaria(maria(), sql)));
  });

  it('reads RANGE frames with numeric offsets as distances between ORDER BY values', async () => {
    const store = stores.open();
    await createSchema(store, maria());
    for (const sql of rangeOffsetQueries) expect(await outcomeOnTide(store, sql), sql).toEqual(await outcomeOnMaria(maria(), sql));
  });

});

// MySQL 8's answers need no MariaDB: they run wherever the tests do.
describe('aggregates and window functions where MariaDB differs from MySQL 8', () => {
  const stores = useTempStores('tidedb-aggregate-window-mysql-');

  it('holds BIT_AND, BIT_OR and BIT_XOR to 64 bits, and refuses JSON_ARRAYAGG over a window', async () => {
    const store = stores.open();
    for (const sql of schema) await runOnStoreAsync(store, sql);
    const outcome = await outcomeOnTide(store, 'SELECT BIT_OR(f * 1e30), BIT_AND(-1e30), BIT_XOR(n * 1e25) FROM t');
    const values = 'rows' in outcome ? outcome.rows[0]!.map((value) => BigInt(value!)) : [];
    expect(values).toHaveLength(3);
    for (const value of values) expect(value >= 0n && value < 2n ** 64n, String(value)).toBe(true);
    expect(await outcomeOnTide(store, 'SELECT JSON_ARRAYAGG(id) OVER () FROM t')).toEqual({ errno: 1235 });
  });

  it('answers as MySQL 8', async () => {
    const store = stores.open();
    for (const sql of schema) await runOnStoreAsync(store, sql);
    for (const { sql, outcome } of mysqlAnswers) expect(await outcomeOnTide(store, sql), sql).toEqual(outcome);
  });
});

async function createSchema(store: Store, maria: Connection): Promise<void> {
  for (const sql of schema) {
    await maria.query(sql);
    await runOnStoreAsync(store, sql);
  }
}
