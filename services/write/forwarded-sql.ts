// A statement request forwarded to the leader as POST /v1/sql, and its answer read back: the
// MySQL front end and the transaction engine (a DDL it runs on its own) both send statements
// that way from a follower, and get results, the entry's lsn, or the leader's error as a
// TideError with its code.
import { ErrorCode, TideError } from '../base/errors.js';
import type { Row, Value } from '../storage/types.js';
import { JsonDocument } from '../values/json-document.js';
import type { Statement, TransactionResult } from './sequencer.js';

// The /v1/sql body of `statements` (null database: the node's default), with the session's
// LAST_INSERT_ID() when it has one to carry.
export function forwardedBody(statements: readonly Statement[], database: string | null, lastInsertId?: bigint): string {
  return JSON.stringify({
    statements: statements.map((statement) => ({ sql: statement.sql, params: statement.params.map(jsonParam) })),
    ...(database === null ? {} : { database }),
    ...(lastInsertId === undefined ? {} : { last_insert_id: lastInsertId.toString() }),
  });
}

// A parameter as the /v1/sql contract carries it: integers beyond 2^53 and every value without
// a JSON form travel as text, which the engine converts as it converts a quoted literal.
export function jsonParam(value: Value): string | number | boolean | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (typeof value === 'number') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return value.toString();
}

interface ForwardedAnswer {
  readonly results?: readonly { readonly columns: readonly string[]; readonly rows: readonly (readonly unknown[])[]; readonly rows_affected: number; readonly last_insert_id: number | string | null; readonly rows_matched?: number; readonly rows_found?: number }[];
  readonly lsn?: string;
  readonly error?: { readonly code?: string; readonly message?: string };
}

// The leader's answer to a forwarded /v1/sql request.
export function forwardedAnswer(status: number, text: string): TransactionResult {
  let body: ForwardedAnswer;
  try {
    body = JSON.parse(text) as ForwardedAnswer;
  } catch {
    throw new TideError('INTERNAL', `the leader answered ${status} with a body that is not JSON`);
  }
  if (status !== 200 || body.results === undefined || body.lsn === undefined) {
    const code = body.error?.code;
    throw new TideError(code !== undefined && code in ErrorCode ? (code as ErrorCode) : 'INTERNAL', body.error?.message ?? `the leader answered ${status}`);
  }
  const results = body.results.map((result) => ({
    columns: result.columns,
    rows: result.rows.map((row): Row => row.map(fromJson)),
    rowsAffected: result.rows_affected,
    lastInsertId: result.last_insert_id === null ? null : BigInt(result.last_insert_id),
    ...(result.rows_matched !== undefined ? { rowsMatched: { statement: 'update' as const, rows: result.rows_matched } } : result.rows_found !== undefined ? { rowsMatched: { statement: 'insert' as const, rows: result.rows_found } } : {}),
  }));
  return { results, lsn: BigInt(body.lsn) };
}

// A forwarded answer's values lost their SQL classes in JSON: integers come back as integers,
// other numbers as doubles, objects and arrays as JSON documents, the rest as text.
function fromJson(value: unknown): Value {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  return new JsonDocument(JSON.stringify(value));
}
