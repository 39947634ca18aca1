// Runs one statement of a MySQL session through the write path exactly as POST /v1/sql does
// (http/sql-route.ts): on the leader or a single node through the Sequencer; on a follower, a
// one-SELECT read is served locally when the follower can serve linearizable reads, and
// anything else is sent on to the leader as a /v1/sql request, whose JSON answer is turned
// back into a result here. Errors come out as TideErrors, whichever node raised them.
import { ErrorCode, TideError } from '../base/errors.js';
import type { StatementResult } from '../sql/executor.js';
import type { Row, Value } from '../storage/types.js';
import { JsonDocument } from '../values/json-document.js';
import { isOneQueryText } from '../write/request-router.js';
import type { RequestRouter } from '../write/request-router.js';
import type { Principal } from '../users/privilege-check.js';
import type { StatementShape } from '../write/describe-statement.js';
import type { Sequencer } from '../write/sequencer.js';

// What a session needs from the write path: the Sequencer's run and, in a cluster, the router's
// choice of where a statement runs.
export type SqlRunner = Pick<Sequencer, 'run' | 'describe'>;
export type SqlRouter = Pick<RequestRouter, 'servesReadsHere' | 'route'>;

export class StatementRunner {
  constructor(
    private readonly runner: SqlRunner,
    private readonly router: SqlRouter | undefined,
  ) {}

  // A prepared statement's result columns, for its prepare-OK: planned here (the catalog is the
  // same on every node), never run; null when it answers no rows or cannot be described.
  async describe(sql: string, database: string | null, principal: Principal | undefined): Promise<StatementShape | null> {
    if (!/^[\s(]*(select|with)\b/i.test(sql)) return null;
    try {
      return await this.runner.describe(sql, { ...(database === null ? {} : { database }), ...(principal === undefined ? {} : { principal }) });
    } catch {
      // Its error comes when it is executed, as for a statement prepared before a DDL.
      return null;
    }
  }

  // `database`: the session's current database (null: the node's default); `principal`: whose
  // privileges the statement needs (undefined: the node's own), checked where it runs.
  async run(sql: string, params: readonly Value[], database: string | null, principal: Principal | undefined): Promise<StatementResult> {
    const runsHere = isOneQueryText(sql) && this.router?.servesReadsHere() === true;
    if (this.router !== undefined && !runsHere) {
      const body = { sql, params: params.map(jsonParam), ...(database === null ? {} : { database }) };
      const routed = await this.router.route(JSON.stringify(body), undefined, undefined, principal);
      if (routed.kind === 'forwarded') return forwardedResult(routed.status, routed.body);
    }
    const transaction = await this.runner.run([{ sql, params }], { ...(database === null ? {} : { database }), ...(principal === undefined ? {} : { principal }) });
    const result = transaction.results[0];
    if (result === undefined) throw new TideError('INTERNAL', 'a statement ran without a result');
    return result;
  }
}

// A parameter as the /v1/sql contract carries it: integers beyond 2^53 and every value without
// a JSON form travel as text, which the engine converts as it converts a quoted literal.
function jsonParam(value: Value): string | number | boolean | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (typeof value === 'number') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return value.toString();
}

interface ForwardedBody {
  readonly results?: readonly { readonly columns: readonly string[]; readonly rows: readonly (readonly unknown[])[]; readonly rows_affected: number; readonly last_insert_id: number | string | null }[];
  readonly error?: { readonly code?: string; readonly message?: string };
}

function forwardedResult(status: number, text: string): StatementResult {
  let body: ForwardedBody;
  try {
    body = JSON.parse(text) as ForwardedBody;
  } catch {
    throw new TideError('INTERNAL', `the leader answered ${status} with a body that is not JSON`);
  }
  if (status !== 200 || body.results === undefined) {
    const code = body.error?.code;
    throw new TideError(code !== undefined && code in ErrorCode ? (code as ErrorCode) : 'INTERNAL', body.error?.message ?? `the leader answered ${status}`);
  }
  const result = body.results[0];
  if (result === undefined) throw new TideError('INTERNAL', 'the leader answered without a result');
  return {
    columns: result.columns,
    rows: result.rows.map((row): Row => row.map(fromJson)),
    rowsAffected: result.rows_affected,
    lastInsertId: result.last_insert_id === null ? null : BigInt(result.last_insert_id),
  };
}

// A forwarded answer's values lost their SQL classes in JSON: integers come back as integers,
// other numbers as doubles, objects and arrays as JSON documents, the rest as text.
function fromJson(value: unknown): Value {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  return new JsonDocument(JSON.stringify(value));
}
