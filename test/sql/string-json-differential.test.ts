// String and JSON functions as applications call them, run on TideDB and on MariaDB and required
// to agree (rows as text, or the MySQL error number): over literals, NULLs, numbers, multibyte
// text in a VARCHAR and a TEXT column, and documents in a JSON column. MariaDB has no `->` and
// `->>`: TideDB's are compared with MariaDB's JSON_EXTRACT and JSON_UNQUOTE(JSON_EXTRACT(…)).
// MariaDB stores JSON as LONGTEXT; its text is read as text (mysql2's jsonStrings). Where MySQL 8
// (which TideDB follows) and MariaDB answer otherwise, the case is in `mysqlAnswers` with
// MySQL's answer and why, and TideDB must give MySQL's answer.
import { describe, expect, it } from 'vitest';
import { mariadbOptions, mariadbUnreachable } from '../support/mariadb.js';
import { useTempStores } from '../support/temp-stores.js';
import { outcomeOnMaria, outcomeOnTide, useMariadbDatabase } from './differential-outcomes.js';
import type { Outcome } from './differential-outcomes.js';
import { runOnStoreAsync } from './run-on-store.js';

const unreachable = await mariadbUnreachable(mariadbOptions, 'string and JSON differential test');

const database = 'tidedb_string_json';

// Keys in MySQL's storage order (shorter first, then by bytes) and MySQL's spacing, so that
// MariaDB, which keeps a document's text, shows the text MySQL would.
const schema = [
  'CREATE TABLE s (id INT PRIMARY KEY, name VARCHAR(40), body TEXT, doc JSON)',
  `INSERT INTO s VALUES
    (1, 'Ærøskøbing', 'hello world', '{"a": 1, "b": [10, 20, {"c": "x"}], "s": "str"}'),
    (2, 'abc', NULL, '[1, 2, 3]'),
    (3, NULL, '  padded  ', NULL),
    (4, 'a,b,c', 'xyz', '"just text"'),
    (5, 'Ab', 'ab', '{"n": null, "t": true, "tags": ["red", "blue"]}')`,
];

const stringQueries = [
  // MID takes SUBSTRING's two or three arguments; HEX saturates past 64 bits; FORMAT writes a
  // double past 1e21 digit for digit.
  "SELECT MID('abcdef', 3), MID('abcdef', -2, 1), HEX(1e20), HEX(-1e20), FORMAT(1e70, 2), FORMAT(-2.5e22, 0)",
  "SELECT CONCAT('a', 'b', 'c'), CONCAT('a', NULL), CONCAT(1, 2.5, 'x'), CONCAT(NULL)",
  "SELECT CONCAT_WS(',', 'a', NULL, 'b'), CONCAT_WS(NULL, 'a', 'b'), CONCAT_WS('-', NULL, NULL), CONCAT_WS(',', 1, 2)",
  "SELECT id, CONCAT(name, '!'), CONCAT_WS('|', name, body) FROM s ORDER BY id",
  'SELECT id, LENGTH(name), CHAR_LENGTH(name), CHARACTER_LENGTH(name), OCTET_LENGTH(name) FROM s ORDER BY id',
  'SELECT id, UPPER(name), LOWER(name), UCASE(body), LCASE(body) FROM s ORDER BY id',
  // One character maps to one, as MySQL's case tables do (JavaScript's ß → SS, İ → i + dot).
  "SELECT UPPER('straße'), LOWER('İ'), UPPER(NULL), UPPER(12), LOWER('ÀÉÎ')",
  "SELECT SUBSTRING('Quadratically', 5), SUBSTRING('Quadratically', 5, 6), SUBSTRING('Sakila', -3), SUBSTRING('Sakila', -5, 3), SUBSTRING('Sakila', 0), SUBSTRING('Sakila', 0, 2)",
  "SELECT SUBSTRING('abc', 10), SUBSTRING('abc', -10), SUBSTRING('abc', 2, -1), SUBSTRING(NULL, 1), SUBSTRING('abc', NULL), SUBSTRING(12345, 2, 2), SUBSTR('abc', 2), MID('abcdef', 2, 3)",
  'SELECT id, SUBSTRING(name, 2, 3), SUBSTR(name, -2), MID(body, 2, 2) FROM s ORDER BY id',
  // SQL's own spelling, FROM and FOR, nested and beside a subquery's FROM.
  "SELECT SUBSTRING('Quadratically' FROM 5), SUBSTRING('Quadratically' FROM 5 FOR 6), substr('Sakila' from -3 for 2), SUBSTRING(SUBSTRING('abcdef' FROM 2) FROM 2 FOR 2)",
  'SELECT id, SUBSTRING(name FROM 2 FOR 3), SUBSTRING((SELECT MAX(name) FROM s) FROM 2) FROM s WHERE SUBSTRING(name FROM 1 FOR 1) <> \'\' ORDER BY id',
  "SELECT LEFT('foobarbar', 5), RIGHT('foobarbar', 4), LEFT('abc', 0), RIGHT('abc', -1), LEFT('abc', 10), LEFT(NULL, 1), RIGHT('abc', NULL), LEFT(name, 2) FROM s WHERE id = 1",
  "SELECT TRIM('  bar   '), TRIM(LEADING 'x' FROM 'xxxbarxxx'), TRIM(BOTH 'x' FROM 'xxxbarxxx'), TRIM(TRAILING 'xyz' FROM 'barxxyz')",
  "SELECT TRIM('x' FROM 'xxbarxx'), TRIM(LEADING FROM '  a  '), TRIM(BOTH 'ab' FROM 'ababcab'), TRIM(NULL), TRIM('a' FROM NULL), TRIM(NULL FROM 'a')",
  "SELECT id, CONCAT('[', TRIM(body), ']'), CONCAT('[', TRIM(TRAILING ' ' FROM body), ']'), TRIM(LEADING 'a' FROM name) FROM s ORDER BY id",
  "SELECT CONCAT('[', LTRIM('  barbar  '), ']'), CONCAT('[', RTRIM('barbar   '), ']'), LTRIM(NULL), CONCAT('[', RTRIM('\ta\t '), ']')",
  "SELECT LPAD('hi', 4, '??'), LPAD('hi', 1, '??'), RPAD('hi', 5, '?'), RPAD('hi', 1, '?'), LPAD('hi', 0, 'x'), LPAD('hi', -1, 'x'), LPAD('hi', 5, ''), RPAD('abc', 7, 'xy')",
  "SELECT REPEAT('MySQL', 3), REPEAT('a', 0), REPEAT('a', -1), REPEAT(NULL, 2), REPEAT('ab', NULL), SPACE(3), CONCAT('[', SPACE(0), ']'), SPACE(-1), SPACE(NULL)",
  "SELECT REPLACE('www.mysql.com', 'w', 'Ww'), REPLACE('aaa', 'aa', 'b'), REPLACE('abc', '', 'x'), REPLACE('abc', 'b', NULL), REPLACE(123, 2, 9)",
  "SELECT REVERSE('abc'), REVERSE('Ærø'), REVERSE(NULL), REVERSE(123)",
  "SELECT INSTR('foobarbar', 'bar'), INSTR('xbar', 'foobar'), INSTR('Ærøbar', 'bar'), INSTR(NULL, 'a'), INSTR('abc', '')",
  "SELECT LOCATE('bar', 'foobarbar'), LOCATE('xbar', 'foobar'), LOCATE('bar', 'foobarbar', 5), LOCATE('bar', 'foobarbar', 0), LOCATE('', 'abc'), LOCATE('', 'abc', 3), LOCATE('b', 'abc', -1), LOCATE('ø', 'Ærøbø', 4)",
  "SELECT POSITION('bar' IN 'foobarbar'), POSITION('z' IN 'abc'), POSITION(NULL IN 'abc'), POSITION('ø' IN name) FROM s WHERE id = 1",
  "SELECT SUBSTRING_INDEX('www.mysql.com', '.', 2), SUBSTRING_INDEX('www.mysql.com', '.', -2), SUBSTRING_INDEX('www.mysql.com', '.', 0), SUBSTRING_INDEX('a.b', '.', 5), SUBSTRING_INDEX('a.b', '.', -5), SUBSTRING_INDEX('a..b..c', '..', -1), SUBSTRING_INDEX('abc', '', 1)",
  "SELECT id, SUBSTRING_INDEX(name, ',', 2), SUBSTRING_INDEX(name, ',', -1) FROM s ORDER BY id",
  "SELECT FIELD('Bb', 'Aa', 'Bb', 'Cc', 'Dd', 'Ff'), FIELD('Gg', 'Aa', 'Bb'), FIELD(NULL, 'a', NULL), FIELD(2, 1, 2, 3), FIELD('2', 1, 2)",
  "SELECT id FROM s WHERE name IS NOT NULL ORDER BY FIELD(id, 4, 2, 5, 1)",
  "SELECT FIND_IN_SET('b', 'a,b,c,d'), FIND_IN_SET('z', 'a,b'), FIND_IN_SET('', 'a,,b'), FIND_IN_SET(NULL, 'a'), FIND_IN_SET('a', NULL), FIND_IN_SET('a,b', 'a,b'), FIND_IN_SET('a', '')",
  "SELECT id FROM s WHERE FIND_IN_SET('b', name) > 0",
  "SELECT ELT(1, 'Aa', 'Bb'), ELT(3, 'Aa', 'Bb'), ELT(0, 'a'), ELT(NULL, 'a'), ELT(2, 'a', NULL), ELT(1.6, 'a', 'b')",
  "SELECT ASCII('2'), ASCII(2), ASCII('dx'), ASCII(''), ASCII(NULL), ASCII('Æ'), ORD('Æ'), ORD('a')",
  "SELECT STRCMP('text', 'text2'), STRCMP('text2', 'text'), STRCMP('text', 'text'), STRCMP(NULL, 'a'), STRCMP(10, 9)",
  // Against a column of utf8mb4_bin: case counts (a literal beside a literal compares under the
  // connection's collation on both servers, case-insensitive by default).
  "SELECT id, STRCMP(name, 'ab'), STRCMP(name, 'Ab') FROM s WHERE id IN (2, 5) ORDER BY id",
  "SELECT HEX('abc'), HEX(255), HEX(-1), HEX(NULL), HEX(''), HEX('Æ'), HEX(1.5), HEX(-1.5), HEX(x'0aff')",
  "SELECT UNHEX('4D7953514C'), UNHEX('zz'), UNHEX(NULL), UNHEX('616'), HEX(UNHEX('00ff')), HEX(name) FROM s WHERE id = 2",
  "SELECT FORMAT(12332.123456, 4), FORMAT(12332.1, 4), FORMAT(12332.2, 0), FORMAT(-1234567.891, 2), FORMAT(0.5, 0), FORMAT(1.005, 2), FORMAT(NULL, 2), FORMAT(123, NULL)",
  "SELECT FORMAT('12345.678', 1), FORMAT(1234567890123, 0), FORMAT(2.5, 0), FORMAT(-0.4, 0), FORMAT(12.5, -1), FORMAT(100, 2), FORMAT(1e20, 2)",
  "SELECT QUOTE('Don''t!'), QUOTE('a\\\\b'), QUOTE(12), QUOTE(''), id, QUOTE(name) FROM s ORDER BY id",
  "SELECT INSERT('Quadratic', 3, 4, 'What'), INSERT('abc', 10, 1, 'x'), INSERT('abc', 2, 100, 'x'), INSERT('abc', 0, 1, 'x')",
  "SELECT id FROM s WHERE UPPER(name) = 'ABC' OR LOWER(name) = 'ab' ORDER BY id",
];

const jsonQueries = [
  // Keys and values, paths and values, in pairs: another count is refused as the call is bound (1582).
  "SELECT JSON_OBJECT('a')",
  "SELECT JSON_SET('{}', '$.a')",
  "SELECT JSON_ARRAY_APPEND('[]', '$', 1, '$')",
  'SELECT id, doc FROM s ORDER BY id',
  "SELECT id, JSON_EXTRACT(doc, '$.a'), JSON_EXTRACT(doc, '$.b[1]'), JSON_EXTRACT(doc, '$.b[2].c'), JSON_EXTRACT(doc, '$[0]'), JSON_EXTRACT(doc, '$.s'), JSON_EXTRACT(doc, '$.b[2]') FROM s ORDER BY id",
  "SELECT id, JSON_EXTRACT(doc, '$.b[*]'), JSON_EXTRACT(doc, '$.*'), JSON_EXTRACT(doc, '$**.c') FROM s ORDER BY id",
  "SELECT JSON_EXTRACT('{\"a\": 1, \"b\": 2}', '$.a', '$.b'), JSON_EXTRACT('[1, 2]', '$[5]'), JSON_EXTRACT(NULL, '$'), JSON_EXTRACT('{\"a\": [1, 2]}', '$.a[0]', '$.zz'), JSON_EXTRACT('{\"a\": [1, 2]}', '$.zz', '$.yy')",
  "SELECT JSON_EXTRACT('[1,[2,3]]', '$[1][0]'), JSON_EXTRACT('[1,[2,3]]', '$[1]'), JSON_EXTRACT('{\"a b\": 5}', '$.\"a b\"'), JSON_EXTRACT('{\"a\": true, \"b\": null}', '$.a'), JSON_EXTRACT('{\"a\": true, \"b\": null}', '$.b')",
  "SELECT JSON_EXTRACT('[[1, 2], [3]]', '$[*][0]'), JSON_EXTRACT('{\"a\": [1, {\"a\": 2}]}', '$**.a'), JSON_EXTRACT('[1, 2, 3]', '$[0 to 1]')",
  { tide: "SELECT id, doc->'$.a', doc->'$.b[2]', doc->>'$.s', doc->>'$.b[2].c', doc->'$.nope', doc->>'$.tags[0]' FROM s ORDER BY id", maria: "SELECT id, JSON_EXTRACT(doc, '$.a'), JSON_EXTRACT(doc, '$.b[2]'), JSON_UNQUOTE(JSON_EXTRACT(doc, '$.s')), JSON_UNQUOTE(JSON_EXTRACT(doc, '$.b[2].c')), JSON_EXTRACT(doc, '$.nope'), JSON_UNQUOTE(JSON_EXTRACT(doc, '$.tags[0]')) FROM s ORDER BY id" },
  { tide: "SELECT id FROM s WHERE doc->>'$.s' = 'str' OR doc->>'$.tags[1]' = 'blue' ORDER BY id", maria: "SELECT id FROM s WHERE JSON_UNQUOTE(JSON_EXTRACT(doc, '$.s')) = 'str' OR JSON_UNQUOTE(JSON_EXTRACT(doc, '$.tags[1]')) = 'blue' ORDER BY id" },
  "SELECT id FROM s WHERE JSON_EXTRACT(doc, '$.a') = 1",
  "SELECT JSON_UNQUOTE('\"abc\"'), JSON_UNQUOTE('abc'), JSON_UNQUOTE('\"a\\\\tb\"'), JSON_UNQUOTE('\"\\\\u00e9\"'), JSON_UNQUOTE(NULL), JSON_UNQUOTE('[1]')",
  "SELECT id, JSON_UNQUOTE(JSON_EXTRACT(doc, '$.s')) FROM s ORDER BY id",
  "SELECT JSON_OBJECT('a', 1, 'b', 'x'), JSON_OBJECT(), JSON_OBJECT('a', NULL), JSON_OBJECT('a', 1.5, 'b', TRUE), JSON_OBJECT('a', '[1]')",
  "SELECT JSON_ARRAY(1, 'a', NULL, 2.5), JSON_ARRAY(), JSON_ARRAY(TRUE, FALSE), JSON_ARRAY(JSON_OBJECT('a', 1)), JSON_OBJECT('k', JSON_ARRAY(1, 2))",
  "SELECT id, JSON_OBJECT('d', doc, 'n', name), JSON_ARRAY(id, name) FROM s ORDER BY id",
  "SELECT id, JSON_LENGTH(doc), JSON_LENGTH(doc, '$.b'), JSON_LENGTH(doc, '$.zz'), JSON_DEPTH(doc) FROM s ORDER BY id",
  "SELECT JSON_LENGTH('[]'), JSON_LENGTH('{}'), JSON_LENGTH('1'), JSON_LENGTH(NULL), JSON_DEPTH('[1, [2]]'), JSON_DEPTH('{}')",
  "SELECT id, JSON_KEYS(doc), JSON_KEYS(doc, '$.b[2]') FROM s ORDER BY id",
  "SELECT JSON_KEYS('{\"a\": 1, \"b\": 2}'), JSON_KEYS('[1]'), JSON_KEYS(NULL), JSON_KEYS('{\"a\": 1}', '$.zz')",
  "SELECT JSON_CONTAINS('{\"a\": 1, \"b\": 2}', '1', '$.a'), JSON_CONTAINS('{\"a\": 1, \"b\": 2}', '{\"a\": 1}'), JSON_CONTAINS('[1, 2, 3]', '2'), JSON_CONTAINS('[1, 2, 3]', '[1, 3]'), JSON_CONTAINS('[1, 2]', '5'), JSON_CONTAINS('[1, [2]]', '2')",
  "SELECT JSON_CONTAINS(NULL, '1'), JSON_CONTAINS('1', '1'), JSON_CONTAINS('\"a\"', '\"a\"'), JSON_CONTAINS('{\"a\": [1, 2]}', '{\"a\": 1}'), JSON_CONTAINS('[1, 2]', '1.0'), JSON_CONTAINS('{\"a\": 1}', '{}'), JSON_CONTAINS('\"a\"', '\"A\"')",
  "SELECT id, JSON_CONTAINS(doc, '2') FROM s ORDER BY id",
  "SELECT JSON_CONTAINS(doc, '\"red\"', '$.tags'), JSON_CONTAINS(doc, '[\"blue\", \"red\"]', '$.tags'), JSON_CONTAINS(doc, '{\"t\": true}') FROM s WHERE id = 5",
  "SELECT JSON_CONTAINS_PATH('{\"a\": 1}', 'one', '$.a', '$.b'), JSON_CONTAINS_PATH('{\"a\": 1}', 'all', '$.a', '$.b'), JSON_CONTAINS_PATH(NULL, 'one', '$')",
  "SELECT JSON_TYPE('{}'), JSON_TYPE('[]'), JSON_TYPE('1'), JSON_TYPE('1.5'), JSON_TYPE('\"s\"'), JSON_TYPE('true'), JSON_TYPE('null'), JSON_TYPE(NULL), JSON_TYPE('-5')",
  "SELECT id, JSON_TYPE(doc), JSON_TYPE(JSON_EXTRACT(doc, '$.a')), JSON_TYPE(JSON_EXTRACT(doc, '$.tags')) FROM s ORDER BY id",
  "SELECT JSON_VALID('{\"a\": 1}'), JSON_VALID('{a: 1}'), JSON_VALID(NULL), JSON_VALID(''), JSON_VALID('1'), JSON_VALID(1)",
  'SELECT id, JSON_VALID(doc), JSON_VALID(body) FROM s ORDER BY id',
  "SELECT JSON_QUOTE('a\"b'), JSON_QUOTE(NULL), JSON_QUOTE('é')",
  "SELECT JSON_SET('{\"a\": 1}', '$.a', 2, '$.b', 3), JSON_INSERT('{\"a\": 1}', '$.a', 2, '$.b', 3), JSON_REPLACE('{\"a\": 1}', '$.a', 2, '$.b', 3)",
  "SELECT JSON_SET('[1, 2]', '$[5]', 9), JSON_INSERT('[1, 2]', '$[0]', 9), JSON_SET('{\"a\": {\"b\": 1}}', '$.a.c', 'x'), JSON_SET('{}', '$.a.b', 1), JSON_SET('1', '$[1]', 2), JSON_SET('{}', '$[0]', 5)",
  "SELECT JSON_SET(NULL, '$.a', 1), JSON_SET('{}', '$.a', NULL), JSON_SET('{}', '$.a', JSON_OBJECT('x', 1)), JSON_SET('{}', '$.a', '[1]')",
  "SELECT JSON_REMOVE('{\"a\": 1, \"b\": 2}', '$.a'), JSON_REMOVE('[1, 2, 3]', '$[1]'), JSON_REMOVE('[1, 2]', '$[5]'), JSON_REMOVE('[1, 2, 3]', '$[1]', '$[1]')",
  "SELECT JSON_ARRAY_APPEND('[1]', '$', 2), JSON_ARRAY_APPEND('[1]', '$', NULL), JSON_ARRAY_APPEND('{\"a\": 1}', '$.a', 2), JSON_MERGE_PATCH('{\"a\": 1, \"b\": 2}', '{\"b\": null, \"c\": 3}'), JSON_MERGE_PATCH('[1]', '{\"a\": 1}')",
  "SELECT id, JSON_SET(doc, '$.a', 99), JSON_REMOVE(doc, '$.b') FROM s WHERE id = 1",
  "UPDATE s SET doc = JSON_SET(doc, '$.a', 2, '$.s', 'new') WHERE id = 1",
  "UPDATE s SET doc = JSON_ARRAY_APPEND(doc, '$.tags', 'green') WHERE id = 5",
  "SELECT id, doc FROM s WHERE id IN (1, 5) ORDER BY id",
  "SELECT id FROM s WHERE JSON_EXTRACT(doc, '$.a') = 2",
  "SELECT id FROM s WHERE JSON_CONTAINS(doc, '\"green\"', '$.tags')",
];

// Where MySQL 8, which TideDB follows, answers otherwise than MariaDB: the statement, MySQL's
// outcome, and why. None is run on MariaDB.
const mysqlAnswers: readonly { readonly sql: string; readonly outcome: Outcome; readonly why: string }[] = [
  {
    sql: "SELECT JSON_EXTRACT('{\"bb\": 1, \"a\": 2, \"1\": 3}', '$.*'), JSON_EXTRACT('{\"bb\": {\"c\": 1}, \"a\": {\"c\": 2}}', '$**.c')",
    outcome: { rows: [['[3, 2, 1]', '[2, 1]']] },
    why: 'wildcards follow the keys in MySQL\'s storage order (shorter first, then by bytes); MariaDB keeps the order given',
  },
  {
    sql: "SELECT JSON_OBJECT('n', 1, 'd', 2), JSON_KEYS('{\"b\": 1, \"a\": 2}')",
    outcome: { rows: [['{"d": 2, "n": 1}', '["a", "b"]']] },
    why: 'MySQL keeps an object\'s keys sorted (shorter first, then by bytes); MariaDB in the order given',
  },
  {
    sql: "SELECT JSON_CONTAINS('{\"a\": 1}', '1', '$.z'), JSON_CONTAINS('[1, 2]', '1', '$.a')",
    outcome: { rows: [[null, null]] },
    why: 'MySQL answers NULL for a path that finds nothing in the target; MariaDB 0',
  },
  {
    sql: "SELECT JSON_REMOVE('{\"a\": 1}', '$')",
    outcome: { errno: 3140 },
    why: 'MySQL refuses to remove the whole document (its 3153, not in the catalogue of codes yet); MariaDB answers NULL',
  },
  {
    sql: "SELECT JSON_EXTRACT('[1, 2, 3]', '$[last]'), JSON_EXTRACT('[1, 2, 3]', '$[last-1 to last]'), JSON_SET('[1, 2]', '$[last]', 0)",
    outcome: { rows: [['3', '[2, 3]', '[1, 0]']] },
    why: 'MySQL paths name the last element as `last`; MariaDB reads no such path',
  },
  {
    sql: "SELECT LOCATE('', 'abc', 4)",
    outcome: { rows: [['4']] },
    why: 'MySQL finds the empty text just past the end; MariaDB answers 0 there',
  },
];

describe.skipIf(unreachable !== null)('string and JSON functions against MariaDB', () => {
  // JSON values as their text: mysql2 would parse MariaDB's JSON text into objects otherwise.
  const maria = useMariadbDatabase(database, { jsonStrings: true });
  const stores = useTempStores('tidedb-string-json-');

  it('gives the same rows and refusals', async () => {
    const store = stores.open();
    for (const sql of schema) {
      await maria().query(sql);
      await runOnStoreAsync(store, sql);
    }
    for (const query of [...stringQueries, ...jsonQueries]) {
      const [ours, theirs] = typeof query === 'string' ? [query, query] : [query.tide, query.maria];
      const expected = await outcomeOnMaria(maria(), theirs);
      expect(await outcomeOnTide(store, ours), ours).toEqual(expected);
    }
  });
});

// MySQL 8's answers need no MariaDB: they run wherever the tests do.
describe('string and JSON functions where MariaDB differs from MySQL 8', () => {
  const stores = useTempStores('tidedb-string-json-mysql-');

  it("gives MySQL's answers where MariaDB's differ", async () => {
    const store = stores.open();
    for (const { sql, outcome, why } of mysqlAnswers) expect(await outcomeOnTide(store, sql), `${sql}: ${why}`).toEqual(outcome);
  });
});
