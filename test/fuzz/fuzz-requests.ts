// The requests of the HTTP fuzz test: malformed bodies, statements from the public sqllogictest
// corpus (as they are and mutated), shapes built to hit each statement limit, and big but legal
// requests. Request n of seed s is a pure function of (s, n, corpus), so a failure replays alone.
import { openSync, readSync, closeSync } from 'node:fs';
import { corpusFiles, runnableRecords } from '../slt/corpus-files.js';
import { seededRandom } from '../support/seeded-random.js';
import { expressionNestingMax, expressionTermsMax, inListItemsMax, paramsPerStatementMax, requestBytesMax, statementLengthMax } from '../../services/base/limits.js';
import { identifierLengthMax } from '../../services/base/identifiers.js';

// The one table no generated request may name: the test compares its rows before and after.
export const sentinelTable = 'zz_fuzz_sentinel_7f3a';

// What a request must be answered with, when the contract says exactly: one of these codes,
// each with its catalogue status. Requests without one must still answer 200 or a 4xx.
export interface Expectation {
  readonly codes: readonly string[];
}

export type FuzzRequest =
  | {
      readonly transport: 'http';
      readonly label: string;
      readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
      readonly path: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string | Uint8Array | null;
      readonly expect: Expectation | null;
    }
  | {
      // Bytes written to a socket as they are, for requests fetch() would refuse to send.
      readonly transport: 'raw';
      readonly label: string;
      readonly text: string;
      readonly expect: Expectation | null;
    };

export interface Corpus {
  // CREATE TABLE statements, each once, in the order first met.
  readonly creates: readonly string[];
  // Every other `statement ok` and `query` record.
  readonly statements: readonly string[];
}

type Random = () => number;

// ---------------------------------------------------------------------------------------------
// The corpus

// Reads each file's first bytesPerFileMax bytes only: the whole corpus is 24 MB, and a few
// hundred KB per file already hold its tables, inserts and many queries.
export function loadCorpus(dir: string, bytesPerFileMax = 192 * 1024): Corpus {
  const creates: string[] = [];
  const statements: string[] = [];
  // The select scripts first: where two scripts define a table of the same name (t1), the
  // definition the most statements use is the one created.
  const files = corpusFiles(dir).sort((a, b) => Number(!a.includes('select')) - Number(!b.includes('select')));
  for (const file of files) {
    for (const sql of recordsOf(readPrefix(file, bytesPerFileMax))) {
      if (/^\s*CREATE\s+TABLE\b/i.test(sql)) {
        if (!creates.includes(sql)) creates.push(sql);
      } else {
        statements.push(sql);
      }
    }
  }
  return { creates, statements };
}

function readPrefix(path: string, bytesMax: number): string {
  const buffer = Buffer.alloc(bytesMax);
  const fd = openSync(path, 'r');
  try {
    const length = readSync(fd, buffer, 0, bytesMax, 0);
    // Some scripts end their lines in CRLF.
    const text = buffer.subarray(0, length).toString('utf8').replaceAll('\r\n', '\n');
    // A record cut by the prefix would be half a statement: keep whole records only.
    return length < bytesMax ? text : text.slice(0, text.lastIndexOf('\n\n') + 1);
  } finally {
    closeSync(fd);
  }
}

// The SQL of each `statement ok` and `query` record engine mysql runs, until `halt`.
function recordsOf(text: string): string[] {
  return runnableRecords(text)
    .filter((record) => (record.kind === 'query' || !record.expectError) && record.sql !== '')
    .map((record) => record.sql);
}

// The corpus's tables in a form TideDB accepts, where it refuses them as they are: FLOAT is
// DOUBLE, INTEGER is BIGINT, and a table with no primary key gets an AUTO_INCREMENT one that
// INSERTs with a column list (most of the corpus's) leave alone. Without these, every corpus
// query would meet TABLE_NOT_FOUND and the fuzz would hardly reach the planner.
export function adaptedCreate(create: string): string {
  let sql = create.replace(/\bFLOAT\b/gi, 'DOUBLE').replace(/\bINTEGER\b/gi, 'BIGINT');
  if (!/PRIMARY\s+KEY/i.test(sql)) sql = sql.replace(/\)\s*$/, ', fuzz_pk BIGINT PRIMARY KEY AUTO_INCREMENT)');
  return sql;
}

export function tableOfCreate(create: string): string | null {
  return /^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)/i.exec(create)?.[1] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Generation

export function generateRequest(seed: number, number: number, corpus: Corpus): FuzzRequest {
  // Each request has its own generator, derived from the seed and its number: request n is
  // the same whatever order the others were sent or answered in.
  const random = seededRandom(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(number + 1, 0xc2b2ae35));
  for (;;) {
    const request = number < limitShapes.length ? limitShapes[number]!(random, corpus) : anyRequest(random, corpus);
    // Only the fixed setup touches the sentinel: a request naming it, however it came about,
    // is refused here and another one drawn.
    if (!mentionsSentinel(request)) return request;
  }
}

function mentionsSentinel(request: FuzzRequest): boolean {
  const text = request.transport === 'raw' ? request.text : typeof request.body === 'string' ? request.body : request.body === null ? '' : Buffer.from(request.body).toString('latin1');
  return text.toLowerCase().includes(sentinelTable) || (request.transport === 'http' && request.path.toLowerCase().includes(sentinelTable));
}

function anyRequest(random: Random, corpus: Corpus): FuzzRequest {
  const roll = random();
  if (roll < 0.4) return corpusRequest(random, corpus);
  if (roll < 0.65) return mutatedRequest(random, corpus);
  if (roll < 0.88) return pick(random, malformedShapes)(random, corpus);
  if (roll < 0.95) return pick(random, limitShapes)(random, corpus);
  if (roll < 0.97) return pick(random, rawShapes)(random);
  return pick(random, bigLegalShapes)(random, corpus);
}

// ---- (b) corpus statements, as they are and mutated

function corpusStatement(random: Random, corpus: Corpus): string {
  return pick(random, corpus.statements);
}

function corpusRequest(random: Random, corpus: Corpus): FuzzRequest {
  const sql = corpusStatement(random, corpus);
  // A corpus DROP TABLE would leave the queries on that table nothing to read for the rest of
  // the run; dropping and re-creating it in one transaction keeps the DDL in the mix.
  const dropped = /^\s*DROP\s+TABLE\s+(\w+)\s*$/i.exec(sql)?.[1];
  const create = dropped === undefined ? undefined : corpus.creates.find((candidate) => tableOfCreate(candidate) === dropped);
  if (create !== undefined) return sqlPost('corpus drop and re-create', { statements: [{ sql }, { sql: adaptedCreate(create) }] });
  if (random() < 0.1) {
    const statements = Array.from({ length: 2 + Math.floor(random() * 4) }, () => ({ sql: corpusStatement(random, corpus) }));
    return sqlPost('corpus transaction', { statements });
  }
  return sqlPost('corpus', { sql });
}

const keywords = [
  'SELECT', 'FROM', 'WHERE', 'NOT', 'NULL', 'AND', 'OR', '(', ')', 'IN', 'LIKE', 'BETWEEN', 'ORDER BY', 'LIMIT',
  'OFFSET', 'DROP', 'TABLE', 'JOIN', 'UNION', ',', '?', '*', 'CASE', 'WHEN', 'THEN', 'END', 'IS', 'DISTINCT',
  'GROUP BY', 'HAVING', 'COUNT(*)', 'INSERT', 'INTO', 'VALUES', 'UPDATE', 'SET', 'DELETE', '=', '<>', '-', '+',
  '/', '%', 'DIV', 'MOD', 'ESCAPE', "'\\'", '`', "'", '"', ';', '--', '/*', '#', 'EXISTS', 'ALL', 'ANY', 'AS',
  'CAST', 'COLLATE', 'BINARY', 'DEFAULT', 'PRIMARY KEY', 'AUTO_INCREMENT', 'IF EXISTS', '@@version', '0x',
];

const extremeNumbers = [
  '9223372036854775807', '-9223372036854775808', '9223372036854775808', '-9223372036854775809',
  '18446744073709551615', '18446744073709551616', '1e308', '-1e308', '1e309', '1e-308', '4.9e-324',
  '2147483647', '-2147483648', '2147483648', '0', '-0', '0.0', '00000000000000000000001',
  '99999999999999999999999999999999999999', '0x7fffffffffffffff', '0b101', '1.7976931348623157e308',
];

// Strings, numbers, quoted names and words of SQL, with their text kept whole.
function tokensOf(sql: string): string[] {
  return sql.match(/'(?:[^'\\]|''|\\.)*'?|"(?:[^"\\]|""|\\.)*"?|`[^`]*`?|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\w+|<>|<=|>=|!=|\S/g) ?? [];
}

export function mutate(random: Random, sql: string): { sql: string; params: unknown[] | null } {
  const tokens = tokensOf(sql);
  let params: unknown[] | null = null;
  const mutations = 1 + Math.floor(random() * 3);
  for (let step = 0; step < mutations && tokens.length > 0; step++) {
    const at = Math.floor(random() * tokens.length);
    const roll = random();
    if (roll < 0.15) tokens.splice(at, 1);
    else if (roll < 0.28) tokens.splice(at, 0, tokens[at]!);
    else if (roll < 0.4) {
      const other = Math.floor(random() * tokens.length);
      [tokens[at], tokens[other]] = [tokens[other]!, tokens[at]!];
    } else if (roll < 0.55) tokens.splice(at, 0, pick(random, keywords));
    else if (roll < 0.72) replaceWhere(tokens, random, isNumber, () => pick(random, extremeNumbers));
    else if (roll < 0.8) replaceWhere(tokens, random, isString, () => `'${hugeText(random)}'`);
    else if (roll < 0.9) appendLikePattern(tokens, random);
    else {
      // Numbers become placeholders bound to odd values.
      params ??= [];
      const bound = params;
      replaceWhere(tokens, random, isNumber, () => {
        bound.push(oddParam(random));
        return '?';
      });
    }
  }
  return { sql: tokens.join(' '), params };
}

function mutatedRequest(random: Random, corpus: Corpus): FuzzRequest {
  const { sql, params } = mutate(random, corpusStatement(random, corpus));
  if (sql.trim() === '') return sqlPost('mutated (emptied)', { sql: ' ' });
  return sqlPost('mutated', params === null ? { sql } : { sql, params });
}

function isNumber(token: string): boolean {
  return /^\d/.test(token);
}

function isString(token: string): boolean {
  return token.startsWith("'");
}

function replaceWhere(tokens: string[], random: Random, test: (token: string) => boolean, replacement: () => string): void {
  const candidates = tokens.flatMap((token, at) => (test(token) ? [at] : []));
  if (candidates.length === 0) {
    tokens.splice(Math.floor(random() * (tokens.length + 1)), 0, replacement());
    return;
  }
  const count = random() < 0.7 ? 1 : candidates.length;
  for (const at of shuffled(random, candidates).slice(0, count)) tokens[at] = replacement();
}

// `%a%a%a…b`: the pattern a backtracking matcher takes exponential time over, against a column
// or a long string.
function likePattern(random: Random): string {
  const repeats = 8 + Math.floor(random() * 2_000);
  return `${'%a'.repeat(repeats)}${random() < 0.5 ? 'b' : '%'}`;
}

function appendLikePattern(tokens: string[], random: Random): void {
  const subject = random() < 0.5 ? pick(random, ['col2', 'col5', 'x9', 'y', 'c']) : `'${'a'.repeat(1 + Math.floor(random() * 20_000))}'`;
  const where = tokens.findIndex((token) => token.toUpperCase() === 'WHERE');
  const condition = [subject, 'LIKE', `'${likePattern(random)}'`];
  if (where >= 0) tokens.splice(where + 1, 0, ...condition, 'OR');
  else tokens.push('WHERE', ...condition);
}

function hugeText(random: Random): string {
  const length = pick(random, [1_000, 65_535, 65_536, 100_000, 300_000]);
  return pick(random, ['x', 'é', '😀', "\\'", 'ab']).repeat(Math.ceil(length / 2));
}

function oddParam(random: Random): unknown {
  return pick<() => unknown>(random, [
    () => '9223372036854775807',
    () => '-9223372036854775809',
    () => 1e308,
    () => -1.7976931348623157e308,
    () => 5e-324,
    () => 2 ** 53 + 2,
    () => -0,
    () => true,
    () => null,
    () => '',
    () => 'x'.repeat(200_000),
    () => '\u0000\ud800\udfff',
    () => likePattern(random),
  ])();
}

// ---- (a) malformed requests

type Shape = (random: Random, corpus: Corpus) => FuzzRequest;

const jsonType = { 'content-type': 'application/json' };

function post(label: string, body: string | Uint8Array | null, headers: Readonly<Record<string, string>> = jsonType, expect: Expectation | null = null): FuzzRequest {
  return { transport: 'http', label, method: 'POST', path: '/v1/sql', headers, body, expect };
}

function sqlPost(label: string, body: unknown, expect: Expectation | null = null): FuzzRequest {
  return post(label, JSON.stringify(body), jsonType, expect);
}

function expectCode(...codes: string[]): Expectation {
  return { codes };
}

const malformedShapes: readonly Shape[] = [
  // Truncated JSON: a strict prefix of an object is never JSON.
  (random, corpus) => {
    const whole = JSON.stringify({ sql: corpusStatement(random, corpus), params: [1, 'a', null] });
    return post('truncated JSON', whole.slice(0, Math.floor(random() * whole.length)), jsonType, expectCode('JSON_MALFORMED'));
  },
  (random) =>
    post('invalid JSON', pick(random, [
      "{sql: 'SELECT 1'}", '{"sql":"SELECT 1",}', '{"sql":"SELECT 1"}{"sql":"SELECT 2"}', "{'sql':'SELECT 1'}",
      '{"sql":"SELECT 1", "params":[NaN]}', '{"sql":"SELECT 1", "params":[Infinity]}', '{"sql":"SELECT \\x41"}',
      '{"sql":"SELECT 1"', '[' .repeat(100_000), '{"sql":"SELECT 1", "params":[01]}', '\u0000', 'undefined',
      '{"sql":"SELECT 1"} garbage', '{"sql":"SELECT \'\u0001\'"}'.replace('\u0001', '\n'),
    ]), jsonType, expectCode('JSON_MALFORMED')),
  // Valid JSON of the wrong shape.
  (random) =>
    post('wrong shape', pick(random, [
      '[]', 'null', '42', '"SELECT 1"', 'true', '{}', '{"sql":1}', '{"sql":""}', '{"sql":null}', '{"sql":["SELECT 1"]}',
      '{"sql":"SELECT 1","params":{}}', '{"sql":"SELECT 1","params":"1"}', '{"sql":"SELECT ?","params":[[1]]}',
      '{"sql":"SELECT ?","params":[{"a":1}]}', '{"sql":"SELECT 1","extra":1}', '{"statements":[]}', '{"statements":{}}',
      '{"statements":[{"sql":"SELECT 1"}],"sql":"SELECT 1"}', '{"statements":["SELECT 1"]}', '{"statements":[{}]}',
      '{"SQL":"SELECT 1"}', '{"sql":"SELECT 1","sql":2}',
      JSON.stringify({ statements: Array.from({ length: 1_001 }, () => ({ sql: 'SELECT 1' })) }),
    ]), jsonType, expectCode('REQUEST_INVALID')),
  // fastify's JSON parser refuses a __proto__ key outright, as if the body were not JSON.
  () => post('prototype key', '{"__proto__":{"sql":"SELECT 1"}}', jsonType, expectCode('REQUEST_INVALID', 'JSON_MALFORMED')),
  // Odd params: far too many, huge, nested strangeness within the allowed types.
  (random) => {
    const count = pick(random, [0, 1, 3, 100, paramsPerStatementMax - 1, paramsPerStatementMax]);
    // Many params are small ones: 10,000 strings of 200 KB would take the client seconds to build.
    const params = Array.from({ length: count }, () => (count > 3 ? pick(random, [1, -0, 1e308, 'x', null, true, '9223372036854775808']) : oddParam(random)));
    const sql = pick(random, ['SELECT ?', 'SELECT ? + ?', "SELECT 'a' LIKE ?", 'SELECT ? IN (?, ?, ?)', 'SELECT * FROM tab0 WHERE col0 = ?']);
    const body = JSON.stringify({ sql, params });
    return post('odd params', body, jsonType, body.length > requestBytesMax ? expectCode('REQUEST_TOO_LARGE') : null);
  },
  (random) => {
    const length = 1 + Math.floor(random() * 4_096);
    const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
    bytes[0] = 0xff; // never valid UTF-8, so never valid JSON, whatever follows
    return post('binary junk', bytes, jsonType, expectCode('UNSUPPORTED_MEDIA_TYPE'));
  },
  (random) =>
    post('wrong content type', '{"sql":"SELECT 1"}', { 'content-type': pick(random, ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', 'image/png', 'json']) }, expectCode('UNSUPPORTED_MEDIA_TYPE')),
  // fastify reads text/plain (fetch's type for a string body) as a string, which then fails
  // the body's schema.
  (random) => post('text content type', pick(random, ['{"sql":"SELECT 1"}', 'SELECT 1']), random() < 0.5 ? {} : { 'content-type': 'text/plain' }, expectCode('UNSUPPORTED_MEDIA_TYPE', 'REQUEST_INVALID')),
  (random) => post('no content type', Buffer.from(pick(random, ['{"sql":"SELECT 1"}', 'SELECT 1'])), {}, expectCode('UNSUPPORTED_MEDIA_TYPE')),
  (random) =>
    post('content encoding', pick(random, ['{"sql":"SELECT 1"}', '\u001f\u008b\u0008\u0000junk']), { ...jsonType, 'content-encoding': pick(random, ['gzip', 'deflate', 'br', 'gzip, identity', 'x-unknown', 'GZIP']) }, expectCode('CONTENT_ENCODING_UNSUPPORTED')),
  (random) => {
    const charset = pick(random, ['utf-16', 'UTF-16LE', 'latin1', 'iso-8859-1', '"utf-16"', 'ascii']);
    const body = charset.toLowerCase().includes('16') ? Buffer.from('{"sql":"SELECT 1"}', 'utf16le') : '{"sql":"SELECT \'é\'"}';
    return post('charset', body, { 'content-type': `application/json; charset=${charset}` }, expectCode('UNSUPPORTED_MEDIA_TYPE'));
  },
  (random) => post('empty body', random() < 0.5 ? '' : null, jsonType, expectCode('JSON_MALFORMED')),
  // Just over 1 MiB, by a byte or by a few KB.
  (random) => {
    const over = pick(random, [1, 2, 100, 4_096]);
    const prefix = '{"sql":"SELECT \'';
    const suffix = '\'"}';
    return post('body over 1 MiB', prefix + 'x'.repeat(requestBytesMax + over - prefix.length - suffix.length) + suffix, jsonType, expectCode('REQUEST_TOO_LARGE'));
  },
  (random) => {
    const [method, path] = pick<readonly ['GET' | 'POST' | 'PUT' | 'DELETE', string]>(random, [
      ['GET', '/v1/sql'], ['PUT', '/v1/sql'], ['DELETE', '/v1/sql'], ['POST', '/v1/status'], ['POST', '/v1/sql/'],
      ['POST', '/v1/SQL'], ['POST', '/v2/sql'], ['GET', '/v1/sql?sql=SELECT%201'], ['POST', '/v1/sql?%zz'],
      ['GET', '/%'], ['GET', '/subjects/%ff%fe/versions'], ['GET', `/${'a'.repeat(8_000)}`], ['GET', '/schemas/ids/99999999999999999999'],
      ['GET', '/subjects/x/versions/-1'], ['GET', '/schemas/ids/abc'],
    ]);
    const body = method === 'GET' || method === 'DELETE' ? null : '{"sql":"SELECT 1"}';
    return { transport: 'http', label: 'odd route', method, path, headers: body === null ? {} : jsonType, body, expect: null };
  },
];

// ---- raw bytes on a socket

const rawShapes: readonly ((random: Random) => FuzzRequest)[] = [
  (random) =>
    raw('bad request line', pick(random, ['GET v1/status HTTP/1.1', 'POST /v1/sql HTTP/9.9', 'FOO /v1/sql HTTP/1.1', '\u0000\u0001\u0002 / HTTP/1.1', 'GET /v1/st atus HTTP/1.1']) + '\r\nHost: x\r\nConnection: close\r\n\r\n', expectCode('REQUEST_INVALID', 'NOT_FOUND')),
  (random) =>
    raw('bad headers', `POST /v1/sql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${pick(random, ['Content-Length: abc', 'Content-Length: -1', 'Content-Length: 5\r\nContent-Length: 6', 'Bad Header: x', 'Transfer-Encoding: chunked\r\nContent-Length: 3', 'X: \u0000'])}\r\nContent-Type: application/json\r\n\r\n{}`, expectCode('REQUEST_INVALID')),
  (random) =>
    // (A chunk size beyond what follows is no error: the node waits for the rest until its
    // request timeout, longer than the client's.)
    raw('bad chunking', `POST /v1/sql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${pick(random, ['zz\r\n{}\r\n0\r\n\r\n', '2\r\n{}}}}\r\n0\r\n\r\n', '-1\r\n{}\r\n0\r\n\r\n'])}`, expectCode('REQUEST_INVALID')),
  () => raw('headers over 16 KiB', `GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, expectCode('REQUEST_TOO_LARGE')),
  (random) => {
    const body = JSON.stringify({ sql: 'SELECT 1' });
    // Body bytes beyond Content-Length are read as the start of a second request.
    return raw('body past its length', `POST /v1/sql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}${pick(random, ['junk\r\n\r\n', 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n'])}`, null);
  },
];

function raw(label: string, text: string, expect: Expectation | null): FuzzRequest {
  return { transport: 'raw', label, text, expect };
}

// ---- (c) hostile shapes, one per limit; the first requests of every run cover each once

function paddedTo(length: number, random: Random): string {
  const form = pick(random, ['string', 'comment', 'spaces']);
  if (form === 'string') return `SELECT '${'x'.repeat(length - 9)}'`;
  if (form === 'comment') return `SELECT 1 /*${'c'.repeat(length - 13)}*/`;
  return `SELECT 1${' '.repeat(length - 8)}`;
}

const whereSubjects = ['SELECT ', 'SELECT * FROM tab0 WHERE ', 'SELECT pk FROM tab1 WHERE col0 > 0 AND ', 'DELETE FROM tab2 WHERE ', 'UPDATE tab3 SET col0 = '];

function count(random: Random, above: number, spread: number): number {
  return above + 1 + Math.floor(random() * spread);
}

const limitShapes: readonly Shape[] = [
  (random) => {
    // Over the statement limit, with the whole body under 1 MiB.
    const length = statementLengthMax + 1 + Math.floor(random() * (requestBytesMax - statementLengthMax - 1_000));
    return sqlPost('statement too long', { sql: paddedTo(length, random) }, expectCode('STATEMENT_TOO_LONG'));
  },
  (random) => {
    const depth = count(random, expressionNestingMax, random() < 0.5 ? 10 : 50_000);
    return sqlPost('parentheses too deep', { sql: `${pick(random, whereSubjects)}${'('.repeat(depth)}1${')'.repeat(depth)}` }, expectCode('EXPRESSION_TOO_DEEP'));
  },
  (random) => {
    const depth = count(random, expressionNestingMax, random() < 0.5 ? 10 : 50_000);
    const prefix = pick(random, ['NOT ', '- ', '!', 'NOT NOT ', '~']);
    return sqlPost('prefix operators too deep', { sql: `${pick(random, whereSubjects)}${prefix.repeat(depth)}1` }, expectCode('EXPRESSION_TOO_DEEP'));
  },
  (random) => {
    const terms = count(random, expressionTermsMax, random() < 0.5 ? 10 : 50_000);
    const operator = pick(random, ['+', ' AND ', ' OR ', '*', ' - ', ' = ']);
    // Not after UPDATE … SET: the parser takes no AND or OR there, and says SQL_SYNTAX first.
    const subject = pick(random, whereSubjects.filter((candidate) => !candidate.startsWith('UPDATE')));
    return sqlPost('too many terms', { sql: `${subject}${Array(terms).fill('1').join(operator)}` }, expectCode('EXPRESSION_TOO_MANY_TERMS'));
  },
  (random) => {
    const items = count(random, inListItemsMax, random() < 0.5 ? 10 : 50_000);
    const list = Array.from({ length: items }, (_, at) => String(at)).join(',');
    return sqlPost('IN list too long', { sql: `${pick(random, ['SELECT 1 IN', 'SELECT * FROM tab0 WHERE col0 IN', 'SELECT 1 NOT IN'])} (${list})` }, expectCode('IN_LIST_TOO_LONG'));
  },
  (random) => {
    const placeholders = count(random, paramsPerStatementMax, 1_000);
    // A select list, not an IN list: IN_LIST_TOO_LONG would answer first.
    return sqlPost('placeholders too many', { sql: `SELECT ${Array(placeholders).fill('?').join(',')}` }, expectCode('PARAMS_TOO_MANY'));
  },
  (random) => {
    const params = Array.from({ length: count(random, paramsPerStatementMax, 1_000) }, (_, at) => at);
    return sqlPost('params too many', { sql: 'SELECT ?', params }, expectCode('PARAMS_TOO_MANY'));
  },
  (random) => {
    const name = pick(random, ['a', 'Z', '_', 'é']).repeat(count(random, identifierLengthMax, random() < 0.5 ? 4 : 100_000));
    const sql = pick(random, [`SELECT * FROM ${name}`, `SELECT \`${name}\` FROM tab0`, `CREATE TABLE ${name} (id INT PRIMARY KEY)`, `SELECT 1 AS ${name}`, `SELECT * FROM app.${name}`, `CREATE TABLE fuzz_t (${name} INT PRIMARY KEY)`]);
    return sqlPost('identifier too long', { sql }, expectCode('IDENTIFIER_TOO_LONG'));
  },
  (random) => sqlPost('syntax error', { sql: pick(random, ['SELEC 1', 'SELECT FROM', 'SELECT 1 +', "SELECT 'unterminated", 'INSERT INTO tab0 VALUES (', ')(']) }, expectCode('SQL_SYNTAX')),
];

// ---- big but legal requests: 200 or a 4xx, within every limit

const bigLegalShapes: readonly Shape[] = [
  (random) => {
    // A multi-row INSERT of a few hundred KB, into a corpus table with keys out of the corpus's range.
    const rows = 2_000 + Math.floor(random() * 4_000);
    const base = 1_000_000 + Math.floor(random() * 1e9);
    const values = Array.from({ length: rows }, (_, at) => `(${base + at},${at},${(at * 1.5).toFixed(2)},'r${at}',${at % 7},0.5,'big')`).join(',');
    return sqlPost('multi-row INSERT', { sql: `INSERT INTO ${pick(random, ['tab0', 'tab1', 'tab2', 'tab3', 'tab4'])} VALUES ${values}` });
  },
  (random) => {
    const items = inListItemsMax - Math.floor(random() * 10);
    const list = Array.from({ length: items }, () => String(Math.floor(random() * 2_000))).join(',');
    return sqlPost('IN list at the limit', { sql: `SELECT pk FROM tab0 WHERE col0 IN (${list})` });
  },
  (random) => {
    const terms = Array.from({ length: 255 }, (_, at) => `col${pick(random, ['0', '3'])} ${pick(random, ['>', '<', '<>', '>='])} ${at}`).join(random() < 0.7 ? ' AND ' : ' OR ');
    return sqlPost('255-term chain', { sql: `SELECT * FROM tab1 WHERE ${terms}` });
  },
  (random) => {
    const depth = expressionNestingMax - 1 - Math.floor(random() * 5);
    return sqlPost('nesting at the limit', { sql: `SELECT ${'('.repeat(depth)}1${')'.repeat(depth)}` });
  },
  (random) => {
    const terms = expressionTermsMax - Math.floor(random() * 5);
    return sqlPost('terms at the limit', { sql: `SELECT ${Array(terms).fill('1').join('+')}` });
  },
  (random) => sqlPost('statement at the limit', { sql: paddedTo(statementLengthMax - Math.floor(random() * 100), random) }),
];

// ---------------------------------------------------------------------------------------------

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let at = copy.length - 1; at > 0; at--) {
    const other = Math.floor(random() * (at + 1));
    [copy[at], copy[other]] = [copy[other]!, copy[at]!];
  }
  return copy;
}

// The limits' codes, and the catalogue codes that the fuzz must see answered at least once.
export const codesRequired = [
  'STATEMENT_TOO_LONG', 'EXPRESSION_TOO_DEEP', 'EXPRESSION_TOO_MANY_TERMS', 'IN_LIST_TOO_LONG', 'PARAMS_TOO_MANY',
  'IDENTIFIER_TOO_LONG', 'REQUEST_TOO_LARGE', 'CONTENT_ENCODING_UNSUPPORTED', 'UNSUPPORTED_MEDIA_TYPE', 'SQL_SYNTAX',
] as const;

// How many requests at the start of every run are the limit shapes, one each.
export const limitShapeCount = limitShapes.length;
