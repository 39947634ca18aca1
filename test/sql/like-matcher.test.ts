// Proves LIKE runs in bounded time with MySQL's answers: patterns built to make a backtracking
// matcher explode answer at once, and random patterns and values agree with MariaDB's LIKE.
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { compileLike, matchLike } from '../../services/sql/like-matcher.js';
import { seededRandom } from '../support/seeded-random.js';
import { startInProcessNode } from '../http/in-process-node.js';

const like = (value: string, pattern: string): boolean => matchLike(compileLike(pattern), value);

describe('LIKE matcher', () => {
  it('follows MySQL: % any run, _ one code point, backslash escapes', () => {
    expect(like('abc', 'a%')).toBe(true);
    expect(like('abc', '%c')).toBe(true);
    expect(like('abc', 'a_c')).toBe(true);
    expect(like('ac', 'a_c')).toBe(false);
    expect(like('', '%')).toBe(true);
    expect(like('', '_')).toBe(false);
    expect(like('a%c', 'a\\%c')).toBe(true);
    expect(like('abc', 'a\\%c')).toBe(false);
    expect(like('a_c', 'a\\_c')).toBe(true);
    expect(like('abc', 'a\\_c')).toBe(false);
    expect(like('ab\\', 'ab\\')).toBe(true); // a trailing lone backslash is literal
    expect(like('日本', '__')).toBe(true); // code points, not bytes or UTF-16 units
    expect(like('😀', '_')).toBe(true);
    expect(like('Abc', 'abc')).toBe(false); // the binary collation is case-sensitive
    expect(like('aXbXc', '%X%X%')).toBe(true);
    expect(like('mississippi', '%ss%ss%')).toBe(true);
    expect(like('mississippi', '%ss%ss%ss%')).toBe(false);
  });

  it("takes ESCAPE's character in place of the backslash, and none for ESCAPE ''", () => {
    const escaped = (value: string, pattern: string, escape: string): boolean => matchLike(compileLike(pattern, escape === '' ? null : escape.codePointAt(0)!), value);
    expect(escaped('a_b', 'a|_b', '|')).toBe(true);
    expect(escaped('axb', 'a|_b', '|')).toBe(false);
    expect(escaped('a\\xb', 'a\\_b', '|')).toBe(true); // the backslash is a plain character then
    expect(escaped('a|', 'a|', '|')).toBe(true); // a trailing lone escape is literal
    expect(escaped('a\\b', 'a\\_', '')).toBe(true); // no escape at all: `_` stays a wildcard
    expect(escaped('a\\%', 'a\\%', '')).toBe(true);
    expect(escaped('a%', 'a\\%', '')).toBe(false);
  });

  it('answers patterns built to backtrack in milliseconds', () => {
    const value = 'a'.repeat(40);
    const started = performance.now();
    expect(like(value, `${'%a'.repeat(20)}b`)).toBe(false);
    expect(like(value, `${'%a'.repeat(20)}`)).toBe(true);
    expect(like('a'.repeat(100_000), `${'%a'.repeat(1_000)}b`)).toBe(false);
    expect(like(`${'x'.repeat(50_000)}y`, `${'%'.repeat(10)}x%y`)).toBe(true);
    expect(like('a'.repeat(100_000), `%${'a'.repeat(5_000)}b%`)).toBe(false); // a long literal segment
    expect(like('a'.repeat(10_862), '%a'.repeat(1_688))).toBe(true); // one row of an attack seen in fuzzing
    expect(like(`${'ab'.repeat(20_000)}c`, `%${'a_'.repeat(100)}d`)).toBe(false);
    expect(like(`${'ab'.repeat(20_000)}c`, `%${'a_'.repeat(100)}%c`)).toBe(true);
    // O(pattern × value) at worst: 1k × 100k steps in well under the freeze the RegExp caused.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('answers a backtracking LIKE over HTTP at once, and the node keeps serving', async () => {
    const node = await startInProcessNode();
    try {
      const pattern = `${'%a'.repeat(20)}b`;
      const started = performance.now();
      const answer = await node.sql({ sql: `SELECT '${'a'.repeat(40)}' LIKE ?`, params: [pattern] });
      expect(answer.status).toBe(200);
      expect((answer.body['results'] as { rows: unknown[][] }[])[0]!.rows).toEqual([[false]]);
      await node.sql({ sql: 'CREATE TABLE v (id INT PRIMARY KEY, s VARCHAR(200))' });
      const rows = Array.from({ length: 100 }, (_, at) => `(${at}, '${'%'.repeat(at % 7)}${'a'.repeat(150)}x')`).join(',');
      expect((await node.sql({ sql: `INSERT INTO v VALUES ${rows}` })).status).toBe(200);
      const scan = await node.sql({ sql: "SELECT id FROM v WHERE s LIKE '%%%%%%%%%%x' AND s NOT LIKE '%a%a%a%a%a%a%a%a%a%a%b'" });
      expect(scan.status).toBe(200);
      expect((scan.body['results'] as { rows: unknown[][] }[])[0]!.rows).toHaveLength(100);
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      await node.close();
    }
  });
});

const mariadbOptions = { host: '127.0.0.1', port: 3306, user: 'root', connectTimeout: 2_000 };
async function connectMariaDb(): Promise<mysql.Connection | null> {
  try {
    return await mysql.createConnection(mariadbOptions);
  } catch (error) {
    console.warn(`LIKE differential test skipped: MariaDB at 127.0.0.1:3306 is unreachable (${(error as Error).message})`);
    return null;
  }
}
const mariadb = await connectMariaDb();

describe.skipIf(mariadb === null)('LIKE agrees with MariaDB', () => {
  // Values and patterns from a small alphabet, so that matches are common and every wildcard
  // and escape meets every other; compared with the binary collation (TideDB's).
  it('on 2,000 random pattern and value pairs', async () => {
    const seed = Number(process.env['SEED'] ?? 20261125);
    const random = seededRandom(seed);
    const pick = (alphabet: readonly string[], lengthMax: number): string => {
      const length = Math.floor(random() * (lengthMax + 1));
      return Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]!).join('');
    };
    const pairs = Array.from({ length: 2_000 }, () => ({
      value: pick(['a', 'b', 'a', '%', '_', '\\', 'é'], 10),
      pattern: pick(['a', 'b', '%', '%', '_', '\\%', '\\_', '\\\\', 'é'], 8),
    }));
    try {
      for (let at = 0; at < pairs.length; at += 200) {
        const slice = pairs.slice(at, at + 200);
        const sql = `SELECT ${slice.map(() => 'CAST(? AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_bin LIKE ?').join(', ')}`;
        const [rows] = await mariadb!.query({ sql, rowsAsArray: true }, slice.flatMap(({ value, pattern }) => [value, pattern]));
        const expected = (rows as number[][])[0]!;
        slice.forEach(({ value, pattern }, offset) => {
          expect({ seed, value, pattern, matches: like(value, pattern) }).toEqual({ seed, value, pattern, matches: expected[offset] === 1 });
        });
      }
    } finally {
      await mariadb!.end();
    }
  });
});
