// Proves each limit on a statement's shape answers its own code and a 4xx, changes nothing, and
// leaves room for real SQL: a whole node in process, driven over HTTP, with shapes just under
// and just over each limit (the ones just under run in full, so they cannot overflow the stack).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expressionNestingMax,
  expressionTermsMax,
  inListItemsMax,
  paramsPerStatementMax,
  statementLengthMax,
} from '../../services/base/limits.js';
import { checkStatementText } from '../../services/sql/statement-shape.js';
import { startInProcessNode } from '../http/in-process-node.js';
import type { InProcessNode } from '../http/in-process-node.js';

type Answer = { status: number; body: Record<string, unknown> };
const rows = (answer: Answer): unknown[][] => (answer.body['results'] as { rows: unknown[][] }[])[0]!.rows;
const code = (answer: Answer): string | undefined => (answer.body['error'] as { code?: string } | undefined)?.code;

describe('limits on a statement, over HTTP', () => {
  let node: InProcessNode;
  let before: unknown;

  beforeAll(async () => {
    node = await startInProcessNode();
    expect((await node.sql({ sql: 'CREATE TABLE t (id INT PRIMARY KEY, v BIGINT)' })).status).toBe(200);
    expect((await node.sql({ sql: 'INSERT INTO t VALUES (1, 10), (2, 20)' })).status).toBe(200);
    before = await state();
  });
  afterAll(async () => node.close());

  async function state(): Promise<unknown> {
    return { applied: node.store.appliedIndex(), rows: rows(await node.sql({ sql: 'SELECT * FROM t ORDER BY id' })) };
  }

  const plus = (terms: number): string => `1${' + 1'.repeat(terms - 1)}`;
  const nots = (depth: number): string => `${'NOT '.repeat(depth)}1`;
  const parens = (depth: number): string => `${'('.repeat(depth)}1${')'.repeat(depth)}`;
  const inList = (items: number): string => `(${Array.from({ length: items }, (_, at) => at).join(',')})`;

  it.each([
    ['a statement over the length limit', { sql: `SELECT 1 /*${'x'.repeat(statementLengthMax)}*/` }, 413, 'STATEMENT_TOO_LONG'],
    ['parentheses over the nesting limit', { sql: `UPDATE t SET v = ${parens(expressionNestingMax + 1)}` }, 400, 'EXPRESSION_TOO_DEEP'],
    ['NOT over the nesting limit', { sql: `DELETE FROM t WHERE ${nots(expressionNestingMax + 1)}` }, 400, 'EXPRESSION_TOO_DEEP'],
    ['unary minus over the nesting limit', { sql: `UPDATE t SET v = ${'- '.repeat(expressionNestingMax + 1)}1` }, 400, 'EXPRESSION_TOO_DEEP'],
    ['calls over the nesting limit', { sql: `SELECT ${'abs('.repeat(expressionNestingMax + 1)}1${')'.repeat(expressionNestingMax + 1)}` }, 400, 'EXPRESSION_TOO_DEEP'],
    ['terms over the limit', { sql: `UPDATE t SET v = ${plus(expressionTermsMax + 1)}` }, 400, 'EXPRESSION_TOO_MANY_TERMS'],
    ['terms over the limit, split by parentheses', { sql: `UPDATE t SET v = ${plus(expressionTermsMax / 2)} + (${plus(expressionTermsMax / 2 + 1)})` }, 400, 'EXPRESSION_TOO_MANY_TERMS'],
    ['three of the longest chains, each at the bottom of the next', { sql: `SELECT NOT (NOT (${plus(expressionTermsMax - 1)}) + ${plus(expressionTermsMax - 1)}) + ${plus(expressionTermsMax - 1)}` }, 400, 'EXPRESSION_TOO_DEEP'],
    ['an IN list over the limit', { sql: `DELETE FROM t WHERE id IN ${inList(inListItemsMax + 1)}` }, 400, 'IN_LIST_TOO_LONG'],
    ['params over the limit', { sql: 'SELECT ?', params: Array.from({ length: paramsPerStatementMax + 1 }, () => 1) }, 400, 'PARAMS_TOO_MANY'],
    ['placeholders over the limit', { sql: `SELECT ${Array.from({ length: paramsPerStatementMax + 1 }, () => '?').join(',')}` }, 400, 'PARAMS_TOO_MANY'],
    ['a name over 64 characters', { sql: `DROP TABLE ${'t'.repeat(65)}` }, 400, 'IDENTIFIER_TOO_LONG'],
    ['a quoted name over 64 characters', { sql: `DELETE FROM t WHERE \`${'v'.repeat(65)}\` = 1` }, 400, 'IDENTIFIER_TOO_LONG'],
  ] as const)('refuses %s with its code, changing nothing', async (_name, body, status, expected) => {
    const answer = await node.sql(body);
    expect({ status: answer.status, code: code(answer) }).toEqual({ status, code: expected });
    expect(await state()).toEqual(before);
  });

  it('runs shapes just under each limit in full', async () => {
    expect(rows(await node.sql({ sql: `SELECT ${plus(expressionTermsMax)}` }))).toEqual([[expressionTermsMax]]);
    expect(rows(await node.sql({ sql: `SELECT ${plus(expressionTermsMax)} AS n FROM t WHERE ${Array.from({ length: 255 }, (_, at) => `v <> ${at + 100}`).join(' AND ')} ORDER BY id` }))).toHaveLength(2);
    expect(rows(await node.sql({ sql: `SELECT ${nots(expressionNestingMax - 1)}` }))).toEqual([[(expressionNestingMax - 1) % 2 === 0]]);
    expect(rows(await node.sql({ sql: `SELECT ${parens(expressionNestingMax - 1)}` }))).toEqual([[1]]);
    expect(rows(await node.sql({ sql: `SELECT id FROM t WHERE id IN ${inList(inListItemsMax)} ORDER BY id` }))).toEqual([[1], [2]]);
    expect(rows(await node.sql({ sql: `SELECT ${'- '.repeat(expressionNestingMax - 1)}1` }))).toEqual([[-1]]);
    // Two of the longest chains, one at the bottom of the other: the deepest tree allowed.
    // MySQL's NOT binds looser than +: NOT ((…) + …), which is false (MariaDB answers 0).
    const deepest = `SELECT NOT (${plus(expressionTermsMax - 1)}) + ${plus(expressionTermsMax - 1)}`;
    expect(rows(await node.sql({ sql: deepest }))).toEqual([[false]]);
    expect(rows(await node.sql({ sql: `${deepest} AS n FROM t WHERE id = 1` }))).toEqual([[false]]);
    expect(rows(await node.sql({ sql: 'SELECT id FROM t WHERE ? = ?', params: [1, 1] })).length).toBe(2);
  });

  it('parses a long statement off the event loop and answers it like a short one', async () => {
    const values = Array.from({ length: 5_000 }, (_, at) => `(${at + 10}, ${at})`).join(', ');
    const insert = await node.sql({ sql: `INSERT INTO t VALUES ${values}` });
    expect(insert.status).toBe(200);
    expect(rows(await node.sql({ sql: 'SELECT v FROM t WHERE id = 5009' }))).toEqual([[4999]]);
    const longBad = await node.sql({ sql: `INSERT INTO t VALUES ${values}, (1, 1` });
    expect(code(longBad)).toBe('SQL_SYNTAX');
    expect((longBad.body['error'] as { position: { offset: number } }).position.offset).toBeGreaterThan(values.length);
    expect((await node.sql({ sql: 'DELETE FROM t WHERE id >= 10' })).status).toBe(200);
    expect(await state()).not.toEqual(before); // the applied index moved
    expect(rows(await node.sql({ sql: 'SELECT * FROM t ORDER BY id' }))).toEqual([[1, 10], [2, 20]]);
  });
});

describe('the text scan', () => {
  it('does not count what strings, quoted names and comments hold', () => {
    const deep = '('.repeat(expressionNestingMax + 1);
    expect(() => checkStatementText(`SELECT '${deep}', "${deep}" -- ${deep}\n # ${deep}\n /* ${deep} */`)).not.toThrow();
    expect(() => checkStatementText(`SELECT 'it''s \\' ${deep}' FROM \`a\`\`b\``)).not.toThrow();
    expect(() => checkStatementText(`SELECT ${'x'.repeat(64)}, 1.5e-3, 0x${'f'.repeat(100)}, ${'9'.repeat(100)}`)).not.toThrow();
  });

  it('counts prefix operators after an operator but not binary ones', () => {
    expect(() => checkStatementText(`SELECT 1${' - 1'.repeat(expressionNestingMax * 2)}`)).not.toThrow();
    expect(() => checkStatementText(`SELECT 1 = ${'NOT '.repeat(expressionNestingMax + 1)}1`)).toThrow(/nest/);
    expect(() => checkStatementText(`SELECT a NOT IN ${'('.repeat(expressionNestingMax - 1)}1${')'.repeat(expressionNestingMax - 1)}`)).not.toThrow();
  });

  it('refuses comment forms MySQL reads differently from the parser', () => {
    expect(() => checkStatementText('SELECT 5--3')).toThrow(expect.objectContaining({ code: 'SQL_SYNTAX' }));
    // Executable comments this version runs are opened up before the scan (executable-comments.ts);
    // those it leaves — for a later version, MariaDB's — are comments to MySQL too.
    expect(() => checkStatementText('DELETE FROM t WHERE a = 1 /*!99999 OR 1=1 */')).not.toThrow();
    expect(() => checkStatementText('SELECT 1 /*M! + 1 */')).not.toThrow();
    expect(() => checkStatementText("SELECT '--x' FROM t -- fine")).not.toThrow();
    expect(() => checkStatementText('SELECT 1 --')).not.toThrow();
  });
});
