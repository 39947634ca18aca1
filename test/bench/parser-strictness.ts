/**
 * Parser strictness: statements that MySQL/MariaDB reject as syntax errors (1064,
 * ER_PARSE_ERROR) but that node-sql-parser accepts and TideDB then runs or plans.
 *
 *   npx tsc -p test/bench/tsconfig.json && node .tmp/bench-build/bench/parser-strictness.js
 *       [--corpus DIR] [--tide URL] [--mysql HOST:PORT] [--seed N]
 *       [--per-kind N] [--mutations N] [--synthetic-mutations N] [--out FILE] [--no-keywords]
 *
 * Needs a running TideDB node (default http://127.0.0.1:4951, e.g.
 * `node dist/services/main.js --data-dir /tmp/strict-node --port 4951 --log-level warn`)
 * and MariaDB (default 127.0.0.1:3306, root, no password). Both are given the same
 * tables first, so that an unknown name does not hide how a statement parses.
 *
 * Seeds are statements of the sqllogictest corpus as engine `mysql` runs them (a seeded
 * sample of each statement kind of each file) plus a fixed list of DDL and DML the corpus
 * lacks (ALTER, TRUNCATE, DROP DATABASE, INSERT … SET, …). Each seed is cut into tokens
 * and mutated, seeded and reproducibly: a token duplicated, deleted, swapped with the
 * next one, a stray token (identifier, keyword, number, string, punctuation) appended or
 * inserted at a random place. Each mutated text is then:
 *
 *  - prepared on MariaDB (COM_STMT_PREPARE in database `strict_probe`): the server
 *    parses the text and resolves names but executes nothing, so DDL and DML leave the
 *    tables as they are. Only 1064 versus anything else matters. SELECT and DML are also
 *    executed inside START TRANSACTION … ROLLBACK as a cross-check of the prepared
 *    verdict (disagreements are counted).
 *  - parsed by node-sql-parser (database MySQL), as TideDB does.
 *  - sent to TideDB as the first statement of a two-statement request whose second
 *    statement fails at plan time (SELECT from a missing table). A failed request
 *    changes nothing, so the tables never drift, and the error tells how far the
 *    mutated statement got: an error at statement_index 1 means it was accepted and
 *    would have answered 200 on its own.
 *
 * A seed that MariaDB itself answers with 1064 (SQLite-only syntax) is not mutated.
 * Findings (MariaDB 1064, TideDB accepted or rejected only after planning began) are
 * grouped by which AST fields the mutation changed compared with the seed's AST; the
 * records go to --out as JSON. The classes and the checks they call for are in
 * docs/parser-strictness-report.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import mysql from 'mysql2/promise';
import type { Connection } from 'mysql2/promise';
import NodeSqlParser from 'node-sql-parser';
import { corpusFiles, runnableRecords, statementKind } from '../slt/corpus-files.js';
import type { StatementKind } from '../slt/corpus-files.js';

// ---------------------------------------------------------------------------
// Options

interface Options {
  corpus: string;
  tide: string;
  mysqlHost: string;
  mysqlPort: number;
  seed: number;
  perKind: number;
  mutations: number;
  syntheticMutations: number;
  out: string;
  keywords: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    corpus: '/work/shared/sqllogictest',
    tide: 'http://127.0.0.1:4951',
    mysqlHost: '127.0.0.1',
    mysqlPort: 3306,
    seed: 20240611,
    perKind: 3,
    mutations: 6,
    syntheticMutations: 30,
    out: '.tmp/parser-strictness.json',
    keywords: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1] ?? '';
    switch (flag) {
      case '--corpus': options.corpus = value; i++; break;
      case '--tide': options.tide = value.replace(/\/$/, ''); i++; break;
      case '--mysql': {
        const [host, port] = value.split(':');
        options.mysqlHost = host || '127.0.0.1';
        options.mysqlPort = Number(port || 3306);
        i++;
        break;
      }
      case '--seed': options.seed = Number(value); i++; break;
      case '--per-kind': options.perKind = Number(value); i++; break;
      case '--mutations': options.mutations = Number(value); i++; break;
      case '--synthetic-mutations': options.syntheticMutations = Number(value); i++; break;
      case '--out': options.out = value; i++; break;
      case '--no-keywords': options.keywords = false; break;
      default: throw new Error(`unknown argument ${String(flag)}`);
    }
  }
  return options;
}

// ---------------------------------------------------------------------------
// Seeded randomness (mulberry32)

class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  }
}

// ---------------------------------------------------------------------------
// Corpus extraction

interface Stmt {
  file: string;
  line: number;
  kind: StatementKind;
  sql: string;
}

// The `statement ok` and `query` records engine mysql runs in one .test file. `statement
// error` records are meant to fail: they are not seeds.
function extractFile(path: string, display: string): Stmt[] {
  return runnableRecords(readFileSync(path, 'utf8'))
    .filter((record) => record.kind === 'query' || !record.expectError)
    .map((record) => {
      const sql = record.sql.trim();
      return { file: display, line: record.line, kind: statementKind(sql), sql };
    });
}

// Statements the corpus does not have (or has only in SQLite's dialect), over this schema.
const syntheticSchema = [
  'CREATE TABLE t1(a INTEGER PRIMARY KEY, b INTEGER, c TEXT)',
  'CREATE TABLE t2(x INTEGER PRIMARY KEY, y VARCHAR(20))',
  'CREATE INDEX i1 ON t1(b)',
  'CREATE VIEW v1 AS SELECT a, b FROM t1',
];
const syntheticSeeds = [
  'DROP TABLE t1',
  'DROP TABLE IF EXISTS t1',
  'DROP TABLE t1, t2',
  'DROP TABLE IF EXISTS t1, t2 CASCADE',
  'DROP TEMPORARY TABLE IF EXISTS t1',
  'DROP DATABASE IF EXISTS nodb',
  'DROP SCHEMA nodb',
  'DROP VIEW v1',
  'DROP VIEW IF EXISTS v1',
  'DROP INDEX i1 ON t1',
  'TRUNCATE TABLE t1',
  'TRUNCATE t1',
  'ALTER TABLE t1 ADD COLUMN d INTEGER',
  'ALTER TABLE t1 DROP COLUMN c',
  'ALTER TABLE t1 RENAME TO t9',
  'ALTER TABLE t1 ADD INDEX i2 (b)',
  'ALTER TABLE t1 MODIFY b BIGINT NOT NULL',
  'RENAME TABLE t1 TO t9',
  'DELETE FROM t1',
  'DELETE FROM t1 WHERE a = 1',
  "DELETE FROM t1 WHERE b > 2 AND c = 'x'",
  'DELETE FROM t1 WHERE a IN (1, 2)',
  'UPDATE t1 SET b = 1',
  "UPDATE t1 SET b = b + 1, c = 'y' WHERE a = 3",
  'UPDATE t1 SET c = NULL WHERE b BETWEEN 1 AND 5',
  "INSERT INTO t1 VALUES (1, 2, 'x')",
  'INSERT INTO t1 (a, b) VALUES (1, 2), (3, 4)',
  'INSERT t1 (a, b) VALUES (5, 6)',
  'INSERT INTO t1 SET a = 1, b = 2',
  "REPLACE INTO t1 VALUES (1, 2, 'x')",
  'CREATE TABLE t3 (a INT PRIMARY KEY, b VARCHAR(10) NOT NULL)',
  'CREATE TABLE IF NOT EXISTS t3 (a INT, b BIGINT, PRIMARY KEY (a))',
  'CREATE TABLE t3 (a INT PRIMARY KEY AUTO_INCREMENT, b BOOLEAN)',
  'CREATE DATABASE d2',
  'CREATE INDEX i3 ON t1 (c(10))',
  'CREATE VIEW v2 AS SELECT a FROM t1',
  'SELECT a, b FROM t1 WHERE a = 1 ORDER BY b DESC LIMIT 1',
  'SELECT * FROM t1 LIMIT 2 OFFSET 1',
  "SELECT a AS x FROM t1 WHERE c LIKE 'a%'",
  'SELECT 1',
  'SELECT a FROM t1 ORDER BY a, b LIMIT 1, 2',
  'SELECT a FROM t1 WHERE b IS NOT NULL',
  'SELECT t1.a FROM t1 WHERE t1.b = 2',
];

// ---------------------------------------------------------------------------
// Tokens and mutations

interface Token {
  start: number;
  end: number;
  text: string;
}

const tokenPattern =
  /\s+|--[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`(?:[^`]|``)*`|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+|[A-Za-z_$][A-Za-z0-9_$]*|<=>|<=|>=|<>|!=|\|\||&&|<<|>>|:=|[\s\S]/gy;

function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  tokenPattern.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = tokenPattern.exec(sql)) !== null) {
    const text = match[0];
    if (/^\s/.test(text) || text.startsWith('--') || text.startsWith('#') || text.startsWith('/*')) continue;
    out.push({ start: match.index, end: match.index + text.length, text });
  }
  return out;
}

const strayKeywords = [
  'AS', 'ON', 'WHERE', 'TABLE', 'IF', 'EXISTS', 'NOT', 'NULL', 'LIMIT', 'ORDER', 'BY', 'SET', 'FROM',
  'AND', 'OR', 'DESC', 'ASC', 'ALL', 'DISTINCT', 'GO', 'CASCADE', 'RESTRICT', 'IGNORE', 'LOW_PRIORITY',
  'QUICK', 'INTO', 'VALUES', 'DEFAULT', 'KEY', 'INDEX', 'PRIMARY', 'UNIQUE', 'USING', 'FOR', 'UPDATE',
  'LOCK', 'IN', 'SHARE', 'MODE', 'OFFSET', 'GROUP', 'HAVING', 'JOIN', 'SELECT', 'DELETE', 'DROP', 'TRUE',
  'COLUMN', 'ADD', 'TO', 'WITH', 'COLLATE', 'BINARY', 'INTERVAL', 'CASE', 'END', 'IS', 'LIKE', 'BETWEEN',
];
const strayPunctuation = [',', '(', ')', '.', '=', '*', '+', '-', ';', '<', '@', ':', '[', ']', '{', '}'];

type Op = 'duplicate' | 'delete' | 'swap' | 'append' | 'insert';
const ops: readonly Op[] = ['duplicate', 'delete', 'swap', 'append', 'append', 'insert', 'insert'];

interface Mutation {
  op: Op;
  detail: string;
  sql: string;
}

function strayToken(rng: Rng, tokens: readonly Token[]): string {
  const names = tokens.filter((t) => /^[A-Za-z_]/.test(t.text) && !strayKeywords.includes(t.text.toUpperCase())).map((t) => t.text);
  switch (rng.int(6)) {
    case 0: return rng.pick(['junk', 'x', 'foo', 'zz9']);
    case 1: return names.length > 0 ? rng.pick(names) : 'junk';
    case 2:
    case 3: return rng.pick(strayKeywords);
    case 4: return rng.pick(['1', '0', '2.5', "'s'", '1e3', 'NULL']);
    default: return rng.pick(strayPunctuation);
  }
}

function mutate(sql: string, tokens: readonly Token[], rng: Rng): Mutation | null {
  if (tokens.length === 0) return null;
  const op = rng.pick(ops);
  const at = rng.int(tokens.length);
  const token = tokens[at]!;
  switch (op) {
    case 'duplicate':
      return { op, detail: `${token.text} @${at}`, sql: `${sql.slice(0, token.end)} ${token.text}${sql.slice(token.end)}` };
    case 'delete':
      if (tokens.length < 2) return null;
      return { op, detail: `${token.text} @${at}`, sql: `${sql.slice(0, token.start)}${sql.slice(token.end)}` };
    case 'swap': {
      const next = tokens[at + 1];
      if (next === undefined || next.text === token.text) return null;
      return {
        op,
        detail: `${token.text}<>${next.text} @${at}`,
        sql: `${sql.slice(0, token.start)}${next.text}${sql.slice(token.end, next.start)}${token.text}${sql.slice(next.end)}`,
      };
    }
    case 'append': {
      const stray = strayToken(rng, tokens);
      return { op, detail: stray, sql: `${sql} ${stray}` };
    }
    case 'insert': {
      const stray = strayToken(rng, tokens);
      return { op, detail: `${stray} @${at}`, sql: `${sql.slice(0, token.start)}${stray} ${sql.slice(token.start)}` };
    }
  }
}

// ---------------------------------------------------------------------------
// node-sql-parser

const nsp = new NodeSqlParser.Parser();
const nspOptions = { database: 'MySQL' } as const;

function astify(sql: string): { ok: true; ast: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, ast: nsp.astify(sql, nspOptions) };
  } catch (error) {
    return { ok: false, message: String((error as Error).message).slice(0, 120) };
  }
}

// Paths (array indexes as []) where two ASTs differ: which field took the stray token.
function astDiff(a: unknown, b: unknown, path = '', out: Set<string> = new Set()): Set<string> {
  if (out.size >= 6) return out;
  if (a === b) return out;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    out.add(path || '(root)');
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      out.add(`${path}[].length`);
      return out;
    }
    a.forEach((item, i) => astDiff(item, b[i], `${path}[]`, out));
    return out;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    if (key === 'loc') continue;
    astDiff(ra[key], rb[key], path ? `${path}.${key}` : key, out);
  }
  return out;
}

// ---------------------------------------------------------------------------
// MariaDB

type MariaVerdict = 'parse_error' | 'ok' | `error ${number}`;

async function mariaPrepare(conn: Connection, sql: string): Promise<MariaVerdict> {
  try {
    const statement = await conn.prepare(sql);
    statement.close();
    return 'ok';
  } catch (error) {
    const errno = (error as { errno?: number }).errno;
    if (errno === 1064) return 'parse_error';
    return `error ${errno ?? -1}`;
  }
}

const executableStart = /^\s*\(?\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE)\b/i;

async function mariaExecuteInTransaction(conn: Connection, sql: string): Promise<MariaVerdict | null> {
  if (!executableStart.test(sql)) return null;
  await conn.query('START TRANSACTION');
  try {
    await conn.query(sql);
    return 'ok';
  } catch (error) {
    const errno = (error as { errno?: number }).errno;
    return errno === 1064 ? 'parse_error' : `error ${errno ?? -1}`;
  } finally {
    await conn.query('ROLLBACK');
  }
}

async function mariaSetup(conn: Connection, schema: readonly string[]): Promise<void> {
  await conn.query('DROP DATABASE IF EXISTS strict_probe');
  await conn.query('CREATE DATABASE strict_probe');
  await conn.query('USE strict_probe');
  for (const sql of schema) {
    try {
      await conn.query(sql);
    } catch {
      // A file may create a name twice or use SQLite-only DDL: what succeeds is enough.
    }
  }
}

// ---------------------------------------------------------------------------
// TideDB

interface TideAnswer {
  status: number;
  code: string | null;
  message: string | null;
  statementIndex: number | null;
}

async function tideRequest(base: string, body: unknown): Promise<TideAnswer> {
  const response = await fetch(`${base}/v1/sql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await response.json()) as { error?: { code?: string; message?: string; statement_index?: number } };
  return {
    status: response.status,
    code: json.error?.code ?? null,
    message: json.error?.message ?? null,
    statementIndex: json.error?.statement_index ?? null,
  };
}

const sentinel = 'SELECT * FROM zz_strictness_sentinel_missing';

type TideVerdict =
  | 'accepted' // would answer 200 on its own
  | 'syntax_parse' // SQL_SYNTAX from the parser (carries a position)
  | 'syntax_planner' // SQL_SYNTAX raised by the planner after parsing
  | 'request_invalid' // several statements in one text
  | 'unsupported' // SQL_UNSUPPORTED
  | 'other_error'; // parsed and planned far enough to hit a name/type/key error

async function tideTry(base: string, sql: string): Promise<{ verdict: TideVerdict; answer: TideAnswer }> {
  const answer = await tideRequest(base, { statements: [{ sql }, { sql: sentinel }] });
  if (answer.status === 200) throw new Error(`sentinel request answered 200 for ${sql}`);
  let verdict: TideVerdict;
  if (answer.statementIndex === 1) verdict = 'accepted';
  else if (answer.code === 'SQL_SYNTAX') verdict = /syntax error at line|at end of input|^syntax error$/.test(answer.message ?? '') ? 'syntax_parse' : 'syntax_planner';
  else if (answer.code === 'REQUEST_INVALID') verdict = 'request_invalid';
  else if (answer.code === 'SQL_UNSUPPORTED') verdict = 'unsupported';
  else verdict = 'other_error';
  return { verdict, answer };
}

const tideTypes: Readonly<Record<string, string>> = {
  INT: 'INT', INTEGER: 'INT', BIGINT: 'BIGINT', FLOAT: 'DOUBLE', REAL: 'DOUBLE', DOUBLE: 'DOUBLE', TEXT: 'TEXT', BOOLEAN: 'BOOLEAN',
};

// The corpus's CREATE TABLE in the subset TideDB takes: supported types, a primary key
// (the declared one, else the first column), no UNIQUE. Null when it cannot be adapted.
function tideCreateTable(sql: string): { name: string; sql: string } | null {
  const parsed = astify(sql);
  if (!parsed.ok) return null;
  const ast = (Array.isArray(parsed.ast) ? parsed.ast[0] : parsed.ast) as Record<string, unknown>;
  const table = ((ast['table'] as Record<string, unknown>[] | undefined) ?? [])[0];
  const name = table?.['table'];
  if (typeof name !== 'string') return null;
  const columns: string[] = [];
  let key: string | null = null;
  for (const definition of (ast['create_definitions'] as Record<string, unknown>[] | undefined) ?? []) {
    if (definition['resource'] === 'constraint' && definition['constraint_type'] === 'primary key') {
      const first = ((definition['definition'] as Record<string, unknown>[] | undefined) ?? [])[0];
      if (typeof first?.['column'] === 'string') key = first['column'];
    }
    if (definition['resource'] !== 'column') continue;
    const column = (definition['column'] as Record<string, unknown>)['column'];
    const data = definition['definition'] as Record<string, unknown>;
    const typeName = String(data['dataType']).toUpperCase();
    const type = typeName === 'VARCHAR' ? `VARCHAR(${Number(data['length']) || 255})` : (tideTypes[typeName] ?? 'TEXT');
    const columnName = typeof column === 'string' ? column : String(((column as Record<string, unknown>)['expr'] as Record<string, unknown>)['value']);
    columns.push(`${columnName} ${type}`);
    if (definition['primary_key'] !== undefined && definition['primary_key'] !== null) key = columnName;
  }
  if (columns.length === 0) return null;
  key ??= columns[0]!.split(' ')[0]!;
  return { name, sql: `CREATE TABLE ${name} (${columns.join(', ')}, PRIMARY KEY (${key}))` };
}

async function tideSetup(base: string, schema: readonly string[], previous: readonly string[]): Promise<string[]> {
  for (const name of previous) await tideRequest(base, { sql: `DROP TABLE IF EXISTS ${name}` });
  const created: string[] = [];
  for (const sql of schema) {
    if (statementKind(sql) !== 'CREATE TABLE') continue;
    const adapted = tideCreateTable(sql);
    if (adapted === null || created.includes(adapted.name)) continue;
    const answer = await tideRequest(base, { sql: adapted.sql });
    if (answer.status === 200) created.push(adapted.name);
  }
  return created;
}

// ---------------------------------------------------------------------------
// Run

interface Record_ {
  group: string;
  seed: string;
  kind: StatementKind;
  op: Op;
  detail: string;
  sql: string;
  maria: MariaVerdict;
  mariaExec: MariaVerdict | null;
  nsp: 'accept' | 'reject';
  tide: TideVerdict;
  tideCode: string | null;
  tideMessage: string | null;
  astDiff: string[];
}

interface Group {
  name: string;
  schema: string[];
  seeds: { sql: string; kind: StatementKind }[];
  mutations: number;
}

function buildGroups(options: Options, rng: Rng): Group[] {
  const groups: Group[] = [];
  for (const path of corpusFiles(options.corpus)) {
    const display = relative(options.corpus, path);
    const statements = extractFile(path, display);
    const schema = statements.filter((s) => /^CREATE (TABLE|INDEX|VIEW)$/.test(s.kind)).map((s) => s.sql);
    const byKind = new Map<StatementKind, string[]>();
    for (const s of statements) {
      const list = byKind.get(s.kind) ?? [];
      if (!list.includes(s.sql)) list.push(s.sql);
      byKind.set(s.kind, list);
    }
    const seeds: { sql: string; kind: StatementKind }[] = [];
    for (const [kind, list] of [...byKind].sort(([a], [b]) => a.localeCompare(b))) {
      for (const sql of rng.sample(list, options.perKind)) seeds.push({ sql, kind });
    }
    groups.push({ name: display, schema, seeds, mutations: options.mutations });
  }
  groups.push({
    name: 'synthetic',
    schema: syntheticSchema,
    seeds: syntheticSeeds.map((sql) => ({ sql, kind: statementKind(sql) })),
    mutations: options.syntheticMutations,
  });
  return groups;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const rng = new Rng(options.seed);
  const groups = buildGroups(options, rng);
  const conn = await mysql.createConnection({ host: options.mysqlHost, port: options.mysqlPort, user: 'root', multipleStatements: false });
  const records: Record_[] = [];
  const skippedSeeds: { group: string; sql: string; why: string }[] = [];
  let seedsUsed = 0;
  let tideTables: string[] = [];
  const started = Date.now();
  try {
    for (const group of groups) {
      await mariaSetup(conn, group.schema);
      tideTables = await tideSetup(options.tide, group.schema, tideTables);
      for (const seed of group.seeds) {
        const base = await mariaPrepare(conn, seed.sql);
        if (base === 'parse_error') {
          skippedSeeds.push({ group: group.name, sql: seed.sql, why: 'MariaDB 1064' });
          continue;
        }
        const baseAst = astify(seed.sql);
        seedsUsed++;
        const tokens = tokenize(seed.sql);
        const seen = new Set<string>([seed.sql]);
        let made = 0;
        for (let attempt = 0; made < group.mutations && attempt < group.mutations * 5; attempt++) {
          const mutation = mutate(seed.sql, tokens, rng);
          if (mutation === null || seen.has(mutation.sql)) continue;
          seen.add(mutation.sql);
          made++;
          const maria = await mariaPrepare(conn, mutation.sql);
          const mariaExec = await mariaExecuteInTransaction(conn, mutation.sql);
          const parsed = astify(mutation.sql);
          const { verdict, answer } = await tideTry(options.tide, mutation.sql);
          records.push({
            group: group.name,
            seed: seed.sql,
            kind: seed.kind,
            op: mutation.op,
            detail: mutation.detail,
            sql: mutation.sql,
            maria,
            mariaExec,
            nsp: parsed.ok ? 'accept' : 'reject',
            tide: verdict,
            tideCode: answer.code,
            tideMessage: answer.message,
            astDiff: parsed.ok && baseAst.ok ? [...astDiff(baseAst.ast, parsed.ast)] : [],
          });
        }
      }
      process.stderr.write(`${group.name}: ${records.length} mutations so far\n`);
    }
  } finally {
    for (const name of tideTables) await tideRequest(options.tide, { sql: `DROP TABLE IF EXISTS ${name}` }).catch(() => undefined);
    await conn.query('DROP DATABASE IF EXISTS strict_probe').catch(() => undefined);
    await conn.end();
  }
  report(records, seedsUsed, skippedSeeds.length, Date.now() - started);
  const keywords = options.keywords ? await keywordScan(options) : [];
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, JSON.stringify({ options, seedsUsed, skippedSeeds, records, keywords }, null, 1));
  console.log(`\nrecords written to ${options.out}`);
}

function report(records: readonly Record_[], seedsUsed: number, seedsSkipped: number, ms: number): void {
  const count = (predicate: (r: Record_) => boolean) => records.filter(predicate).length;
  const parseError = (r: Record_) => r.maria === 'parse_error';
  console.log(`seeds mutated: ${seedsUsed} (skipped, MariaDB 1064 on the seed itself: ${seedsSkipped})`);
  console.log(`mutated statements tried: ${records.length} in ${(ms / 1000).toFixed(1)} s`);
  console.log(`MariaDB 1064: ${count(parseError)}; not 1064: ${count((r) => !parseError(r))}`);
  console.log(`prepare vs execute-in-transaction disagreements on 1064: ${count((r) => r.mariaExec !== null && (r.mariaExec === 'parse_error') !== parseError(r))} of ${count((r) => r.mariaExec !== null)}`);
  console.log(`MariaDB 1064 and node-sql-parser accepts: ${count((r) => parseError(r) && r.nsp === 'accept')}`);
  const verdicts: TideVerdict[] = ['accepted', 'other_error', 'syntax_planner', 'request_invalid', 'unsupported', 'syntax_parse'];
  console.log('MariaDB 1064, by TideDB verdict:');
  for (const v of verdicts) console.log(`  ${v.padEnd(16)} ${count((r) => parseError(r) && r.tide === v)}`);
  console.log(`not 1064 in MariaDB but SQL_SYNTAX from TideDB's parser (stricter than MariaDB): ${count((r) => !parseError(r) && r.tide === 'syntax_parse')}`);
  for (const v of ['accepted', 'other_error', 'syntax_planner', 'unsupported'] as const) {
    const flagged = records.filter((r) => parseError(r) && r.tide === v);
    const bySignature = new Map<string, Record_[]>();
    for (const r of flagged) {
      const signature = `${r.kind} | ${r.tide !== 'accepted' ? `${r.tideCode}: ${(r.tideMessage ?? '').replace(/'[^']*'/g, "'…'")} | ` : ''}${r.astDiff.join(' ') || '(same AST as seed)'}`;
      bySignature.set(signature, [...(bySignature.get(signature) ?? []), r]);
    }
    console.log(`\n=== MariaDB 1064, TideDB ${v}: ${flagged.length}, by statement kind and changed AST fields ===`);
    for (const [signature, list] of [...bySignature].sort((a, b) => b[1].length - a[1].length)) {
      console.log(`\n[${list.length}] ${signature}`);
      for (const r of list.slice(0, 3)) console.log(`    ${r.op} ${r.detail}: ${r.sql.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
  }
}

// ---------------------------------------------------------------------------
// Keywords as names: every word of MariaDB's INFORMATION_SCHEMA.KEYWORDS in each place a
// bare name or alias may stand. MariaDB answers 1064 for its reserved words there; a
// word node-sql-parser nonetheless reads as a name is a finding.

const keywordContexts: readonly { name: string; sql: (word: string) => string }[] = [
  { name: 'DROP TABLE <name>', sql: (w) => `DROP TABLE ${w}` },
  { name: 'CREATE TABLE <name>', sql: (w) => `CREATE TABLE ${w} (a INT PRIMARY KEY)` },
  { name: 'CREATE TABLE column <name>', sql: (w) => `CREATE TABLE t3 (${w} INT PRIMARY KEY)` },
  { name: 'SELECT <column>', sql: (w) => `SELECT ${w} FROM t1` },
  { name: 'SELECT expr <alias>', sql: (w) => `SELECT a ${w} FROM t1` },
  { name: 'FROM table <alias>', sql: (w) => `SELECT a FROM t1 ${w}` },
  { name: 'WHERE <column>', sql: (w) => `DELETE FROM t1 WHERE ${w} = 1` },
  { name: 'UPDATE SET <column>', sql: (w) => `UPDATE t1 SET ${w} = 1` },
  { name: 'UPDATE table <alias>', sql: (w) => `UPDATE t1 ${w} SET a = 1` },
  { name: 'INSERT (<column>)', sql: (w) => `INSERT INTO t1 (${w}) VALUES (1)` },
];

interface KeywordFinding {
  context: string;
  word: string;
  sql: string;
  tide: TideVerdict;
  tideCode: string | null;
}

async function keywordScan(options: Options): Promise<KeywordFinding[]> {
  const conn = await mysql.createConnection({ host: options.mysqlHost, port: options.mysqlPort, user: 'root' });
  const findings: KeywordFinding[] = [];
  let tried = 0;
  const tideTables = await tideSetup(options.tide, syntheticSchema, []);
  try {
    await mariaSetup(conn, syntheticSchema);
    const [rows] = await conn.query('SELECT WORD FROM information_schema.KEYWORDS ORDER BY WORD');
    const words = (rows as { WORD: string }[]).map((row) => row.WORD).filter((word) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(word));
    for (const context of keywordContexts) {
      for (const word of words) {
        const sql = context.sql(word);
        tried++;
        if ((await mariaPrepare(conn, sql)) !== 'parse_error' || !astify(sql).ok) continue;
        const { verdict, answer } = await tideTry(options.tide, sql);
        findings.push({ context: context.name, word, sql, tide: verdict, tideCode: answer.code });
      }
    }
  } finally {
    for (const name of tideTables) await tideRequest(options.tide, { sql: `DROP TABLE IF EXISTS ${name}` }).catch(() => undefined);
    await conn.query('DROP DATABASE IF EXISTS strict_probe').catch(() => undefined);
    await conn.end();
  }
  console.log(`\n=== keywords as names: ${tried} statements, ${findings.length} MariaDB 1064 but node-sql-parser accepts ===`);
  for (const context of keywordContexts) {
    const list = findings.filter((f) => f.context === context.name);
    if (list.length === 0) continue;
    const accepted = list.filter((f) => f.tide === 'accepted' || f.tide === 'other_error');
    console.log(`\n[${list.length}] ${context.name} (TideDB planned it: ${accepted.length}): ${list.map((f) => f.word).join(' ')}`);
    const codes = new Map<string, number>();
    for (const f of list) {
      const key = f.tide === 'accepted' || f.tideCode === null ? f.tide : `${f.tide} ${f.tideCode}`;
      codes.set(key, (codes.get(key) ?? 0) + 1);
    }
    console.log(`    TideDB: ${[...codes].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  }
  return findings;
}

await main();
