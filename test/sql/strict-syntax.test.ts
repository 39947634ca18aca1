// Proves statements that MySQL refuses as syntax errors are refused here too, with the stray
// token's position, and change nothing. The cases come from comparing the parser's acceptance
// with MariaDB's over mutated corpus statements (test/bench/parser-strictness.ts); each one
// ran before, most of them destructively (`DROP TABLE t1 t2` dropped t1, `DELETE x FROM t` emptied t).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessNode } from '../http/in-process-node.js';
import type { InProcessNode } from '../http/in-process-node.js';

type Answer = { status: number; body: Record<string, unknown> };
const errorOf = (answer: Answer): { code?: string; position?: { offset: number } } => (answer.body['error'] ?? {}) as { code?: string; position?: { offset: number } };

describe('strict acceptance of what the parser lets through', () => {
  let node: InProcessNode;

  beforeAll(async () => {
    node = await startInProcessNode();
    for (const table of ['t', 't1', 't2', 'x', 'junk']) {
      expect((await node.sql({ sql: `CREATE TABLE ${table} (a INT PRIMARY KEY, b INT)` })).status).toBe(200);
      expect((await node.sql({ sql: `INSERT INTO ${table} VALUES (1, 10), (2, 20)` })).status).toBe(200);
    }
  });
  afterAll(async () => node.close());

  async function everything(): Promise<unknown> {
    const tables: unknown[] = [];
    for (const table of ['t', 't1', 't2', 'x', 'junk']) tables.push((await node.sql({ sql: `SELECT * FROM ${table} ORDER BY a` })).body);
    return { applied: node.store.appliedIndex(), tables };
  }

  // [statement, code, offset of the stray token (null: no position)]
  it.each([
    // A table to drop has no alias.
    ['DROP TABLE IF EXISTS t t', 'SQL_SYNTAX', 23],
    ['DROP TABLE x junk', 'SQL_SYNTAX', 13],
    ['DROP TABLE x AS junk', 'SQL_SYNTAX', 13],
    ['DROP TABLE t1 t2', 'SQL_SYNTAX', 14],
    ["DROP TABLE t 'x'", 'SQL_SYNTAX', 13],
    ['DROP TABLE t1, app.t2 /* c */ AS junk', 'SQL_SYNTAX', 30],
    ['DROP TABLE `t` `x`', 'SQL_SYNTAX', 15],
    // The table of a DELETE has no alias; a target list before FROM is not ignored (each
    // target must name a table of FROM, MySQL's 1109).
    ['DELETE FROM t t', 'SQL_SYNTAX', 14],
    ['DELETE FROM t1 junk WHERE a = 1', 'SQL_SYNTAX', 15],
    ['DELETE FROM t AS junk WHERE a = 1', 'SQL_SYNTAX', 14],
    ['DELETE x FROM t', 'DELETE_TARGET_UNKNOWN', null],
    ['DELETE t, x FROM t', 'DELETE_TARGET_UNKNOWN', null],
    ['DELETE FROM t, x', 'SQL_SYNTAX', 13],
    // Comments as MySQL reads them, not as the parser does.
    ['DROP TABLE t--junk', 'SQL_SYNTAX', 12],
    ['DELETE FROM t WHERE a = 1 --1', 'SQL_SYNTAX', 26],
    // One ORDER BY and one LIMIT.
    ['SELECT a FROM t ORDER BY a ORDER BY b', 'SQL_SYNTAX', 27],
    ['SELECT a FROM t LIMIT 1 LIMIT 2', 'SQL_SYNTAX', 24],
    // IGNORE, REPLACE and AS need a SELECT after them.
    ['CREATE TABLE t3 (a INT PRIMARY KEY) IGNORE', 'SQL_SYNTAX', 36],
    ['CREATE TABLE t3 (a INT PRIMARY KEY) REPLACE', 'SQL_SYNTAX', 36],
    ['CREATE TABLE t3 (a INT PRIMARY KEY) AS', 'SQL_SYNTAX', 36],
    // GO is no statement separator.
    ['DROP TABLE t GO', 'SQL_SYNTAX', 13],
    ['DROP TABLE t GO DROP TABLE x', 'SQL_SYNTAX', 13],
    // After blanks a text starts with (the offset is in the whole text).
    ['\n  DROP TABLE t1 t2', 'SQL_SYNTAX', 17],
    ['   SELECT a FROM t LIMIT 1 LIMIT 2', 'SQL_SYNTAX', 27],
  ] as const)('refuses %s', async (sql, code, offset) => {
    const before = await everything();
    const error = errorOf(await node.sql({ sql }));
    expect({ code: error.code, offset: error.position?.offset ?? null }).toEqual({ code, offset });
    expect(await everything()).toEqual(before);
  });

  it('still runs the same statements written correctly', async () => {
    for (const sql of ['SELECT a FROM t ORDER BY a LIMIT 1', "SELECT a AS 'x' FROM t", 'SELECT 5 - -3', 'SELECT 1 -- a comment', 'DELETE FROM junk WHERE a = 1 # gone', 'DROP TABLE IF EXISTS nothing_here', 'DROP TABLE x', 'DROP TABLE t1, t2;', '\n  SELECT 1e-7, a <=> 1 FROM t', '  SELECT * FROM t NATURAL JOIN t AS u', '\n\tSELECT SUM(a) OVER (ORDER BY a RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t']) {
      expect({ sql, status: (await node.sql({ sql })).status }).toEqual({ sql, status: 200 });
    }
    expect((await node.sql({ sql: 'SELECT 5 - -3' })).body['results']).toMatchObject([{ rows: [[8]] }]);
    expect((await node.sql({ sql: 'SELECT * FROM x' })).body['error']).toMatchObject({ code: 'TABLE_NOT_FOUND' });
  });
});
