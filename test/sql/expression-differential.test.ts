// Expressions a differential run against MariaDB found answered otherwise, now run on both and
// required to agree: NULL-safe `<=>` (in WHERE, in a join's ON, nested), arithmetic over
// decimal literals and / (a DECIMAL rounded to its scale once, at its root), COALESCE, IFNULL, IF and CASE
// over text and numbers (text, as in MySQL) and over DECIMALs, CAST … AS DECIMAL(p,s) (exact,
// rounded, held to p digits), LIKE … ESCAPE (and its refusal of a long escape), a native
// function's refusal of a wrong argument count (1582), ~ on integers,
// fractions and negatives, a negative TIME as a number, numbers written as `1e-7` (no point, a
// signed exponent: the parser alone reads a name and a sign), and a BIGINT beyond 2^53 compared
// with the text of its value (as clients send 64-bit ids), in WHERE over a column and over the
// primary key, and in UPDATE and DELETE. `ESCAPE ''` is left out: MySQL documents it as no
// escape character at all, which TideDB follows (like-matcher.test.ts), where MariaDB keeps `\`.
import { describe, it } from 'vitest';
import { mariadbOptions, mariadbUnreachable } from '../support/mariadb.js';
import { useTempStores } from '../support/temp-stores.js';
import { expectSameOutcomes, useMariadbDatabase } from './differential-outcomes.js';

const unreachable = await mariadbUnreachable(mariadbOptions, 'expression differential test');

const schema = [
  'CREATE TABLE e (id BIGINT PRIMARY KEY, bi BIGINT, tm TIME, s VARCHAR(20))',
  "INSERT INTO e VALUES (1234567890123456789, 1234567890123456789, '-01:30:00', 'a_b%c'), (2, 5, '10:00:00', 'axbyc'), (3, -9007199254740993, '-838:59:59', 'a|b'), (4, NULL, '00:00:00', 'A_B')",
  'CREATE TABLE p (id INT PRIMARY KEY, price DECIMAL(20,2))',
  'CREATE TABLE q (id INT PRIMARY KEY, a INT, f DOUBLE, d DECIMAL(10,2))',
  "INSERT INTO q VALUES (1, 3, 0.5, 2.25), (2, 7, -4, 10.00), (3, NULL, 1e3, NULL)",
  "INSERT INTO p VALUES (1, '12345678901234567.89'), (2, NULL), (3, 19.9)",
];

const queries = [
  // NULL-safe equality.
  "SELECT 1 <=> 1, NULL <=> NULL, 1 <=> NULL, NULL <=> 1, 'a' <=> 'a', (1 = 1) <=> 1, 2 <=> 1 + 1, NOT (NULL <=> 2)",
  'SELECT id FROM e WHERE bi <=> NULL ORDER BY id',
  'SELECT id FROM e WHERE NOT (bi <=> 5) ORDER BY id',
  'SELECT a.id, b.id FROM e a JOIN e b ON a.bi <=> b.bi ORDER BY a.id, b.id',
  'SELECT id, bi <=> id, (bi = id) <=> NULL FROM e ORDER BY id',
  // COALESCE, IFNULL, IF and CASE over text and numbers are text: compared, sorted and
  // aggregated as strings.
  "SELECT id FROM e WHERE COALESCE(NULLIF(s, 'axbyc'), id) > '3' ORDER BY id",
  "SELECT MAX(COALESCE(NULLIF(s, 'axbyc'), id)), MIN(IFNULL(NULLIF(s, 'a|b'), id)) FROM e",
  "SELECT id, IF(id > 2, id, s) AS m FROM e ORDER BY m, id",
  "SELECT id, CASE WHEN id = 2 THEN id * 1.5 ELSE s END AS m FROM e ORDER BY m, id",
  "SELECT COALESCE(NULL, 2.50, 'x'), IFNULL(NULL, 7) < '10', IF(1, 10, 'x') < '5'",
  // … and over a DECIMAL column and a decimal literal, a DECIMAL of the larger scale.
  'SELECT id, COALESCE(price, 0.00), IFNULL(price, 1.5), IF(price IS NULL, 0.0, price), CASE WHEN id = 3 THEN 2.125 ELSE price END FROM p ORDER BY id',
  "SELECT id FROM e WHERE s LIKE 'a|_b%' ESCAPE '|' ORDER BY id",
  "SELECT id FROM e WHERE s LIKE 'a_b%' ORDER BY id",
  "SELECT id FROM e WHERE s LIKE 'a||b' ESCAPE '|' ORDER BY id",
  "SELECT id FROM e WHERE s NOT LIKE 'a!%%' ESCAPE '!' ORDER BY id",
  "SELECT 'a%' LIKE 'a#%' ESCAPE '#', 'ab' LIKE 'a#%' ESCAPE '#', 'a#' LIKE 'a#' ESCAPE '#'",
  "SELECT 'a' LIKE 'a' ESCAPE 'ab'",
  // A native function called with the wrong number of arguments: 1582.
  "SELECT LOCATE('a')",
  'SELECT JSON_LENGTH()',
  "SELECT SUBSTRING_INDEX('a.b', '.')",
  'SELECT ~0, ~5, ~(-1), ~1.5, ~(-1.5), ~18446744073709551615',
  // Decimal literals and / are exact in MySQL: rounded once, at the root of the arithmetic.
  'SELECT 0.1 + 0.2 = 0.3, 0.3 - 0.1, 2.5 * 1.1, -(0.1 + 0.2), 0.1 * 3, 1 / 3 + 1 / 3 = 0.6667',
  'SELECT 1 / 3 * 3 = 1, 10 / 3 * 3 = 10, (1 / 3) * 3 * 2 = 2, 1 / 3 = 0.3333',
  "SELECT id FROM e WHERE id * 1.1 = 2.2 OR id / 3 * 3 = 3 ORDER BY id",
  // … and their values are DECIMALs of the root's scale, trailing zeros and every digit kept.
  'SELECT 7 / 2, 1 / 3, 10 / 4 * 2, 2 / 0, 5 / 2.5, -7 / 2, 1 / 3 * 3, 1.50 + 1, 2.0 * 3, 0.1 + 0.2, 12345678901234567890 / 7',
  'SELECT id, bi / 2, bi / 7 * 7, id / 4, (bi / 3) / 7, bi / 3 + bi / 3 FROM e ORDER BY id',
  'SELECT SUM(bi) / 3, MAX(bi) / 2 FROM e',
  // … and with a DOUBLE anywhere in the arithmetic, a double, even over a DECIMAL or a quotient.
  'SELECT id, a / 2 * f, a / 2 + f, d * f, d / f, f / a, d + f, a * f FROM q ORDER BY id',
  'SELECT 7 / 2 * 1e0, 1.5 * 2e0, 10 / 4e0',
  "SELECT CAST('1.005' AS DECIMAL(10,2)), CAST('12345678901234567.25' AS DECIMAL(30,2)), CAST(2.5 AS DECIMAL), CAST(-2.5 AS DECIMAL), CAST(123.456 AS DECIMAL(5,1))",
  "SELECT CAST(12345 AS DECIMAL(4,1)), CAST(-12345 AS DECIMAL(4,1)), CAST('abc' AS DECIMAL(5,2)), CAST(1e20 AS DECIMAL(5,2)), CAST(id AS DECIMAL(25,3)) FROM e WHERE id = 1234567890123456789",
  'SELECT id, ~id FROM e ORDER BY id',
  'SELECT ~0 > 1, ~1 = 18446744073709551614',
  'SELECT id FROM e WHERE id < 5 ORDER BY ~id',
  'SELECT id, tm + 0, tm < 0, tm > 0 FROM e ORDER BY id',
  // How mysql2 writes a small or a large double into the text: no point, a signed exponent.
  'SELECT 1e-7, 1e+21 * 2, 3 - 1e-7, 1e-7 + 1, -2e-3, 2e+3, 1e+2 / 7, 1e+20 * 10, 5e-1 + 0',
  'SELECT id FROM e WHERE bi > 1e+2 AND bi < 1e+19 ORDER BY id',
  "SELECT id FROM e WHERE bi = '1234567890123456789'",
  "SELECT id FROM e WHERE id = '1234567890123456789'",
  "SELECT id FROM e WHERE bi = '-9007199254740993'",
  "SELECT id FROM e WHERE bi > '1234567890123456788' ORDER BY id",
  "SELECT '1234567890123456789' = 1234567890123456789, 1234567890123456789 IN ('1234567890123456789', '1')",
  "UPDATE e SET s = 'found' WHERE bi = '1234567890123456789'",
  "DELETE FROM e WHERE bi = '-9007199254740993'",
  'SELECT id, s FROM e ORDER BY id',
];

describe.skipIf(unreachable !== null)('expressions against MariaDB', () => {
  const maria = useMariadbDatabase('tidedb_expressions');
  const stores = useTempStores('tidedb-expressions-');

  it('gives the same rows and refusals', async () => {
    await expectSameOutcomes(stores.open(), maria(), schema, queries);
  });
});
