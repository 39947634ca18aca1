// POST /v1/sql: one statement ({"sql", "params"}) or several ({"statements": [...]}) run as one
// atomic transaction. The response shape is a fixed contract: extend it, never change it.
import type { FastifyInstance } from 'fastify';
import { identifierLengthMax, identifierPattern } from '../base/identifiers.js';
import { statementsPerRequestMax } from '../base/limits.js';
import type { Value } from '../storage/types.js';
import type { RunOptions, Statement, TransactionResult } from '../write/sequencer.js';
import { forwardedByHeader, isOneQueryText } from '../write/request-router.js';
import type { Principal } from '../users/privilege-check.js';
import { principalOf } from './authentication.js';
import type { PassOn } from './elsewhere-routes.js';
import { toJson } from './json-body.js';
import { TideError } from '../base/errors.js';

// What the route needs from the write path.
export interface SqlRunner {
  run(statements: readonly Statement[], options?: RunOptions): Promise<TransactionResult>;
}

// Where the request may run: on the leader, with what is committed (the default), or `stale`:
// on the node that received it, with what it has applied, at once.
const consistencySchema = { type: 'string', enum: ['linearizable', 'stale'] } as const;
// Read your writes on any node: the lsn a write answered with (a decimal string).
const minLsnSchema = { type: 'string', pattern: '^[0-9]{1,20}$' } as const;
const paramSchema = { type: ['string', 'number', 'boolean', 'null'] } as const;
// A DDL that would break a published table's schema compatibility goes through anyway.
const forceSchemaChangeSchema = { type: 'boolean' } as const;
// As `USE`, for this request only: the database unqualified table names resolve in.
const databaseSchema = { type: 'string', pattern: identifierPattern.source, maxLength: identifierLengthMax } as const;
// Runs the statements in an interactive transaction (POST /v1/tx), on the node that opened it.
const txSchema = { type: 'string', pattern: '^[0-9a-f]{32}$' } as const;
// What LAST_INSERT_ID() answers before the request's first INSERT, as a client session carries it
// (the MySQL front end forwards its session's so): an unsigned 64-bit integer, in decimal text.
const lastInsertIdSchema = { type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$' } as const;
const statementSchema = {
  type: 'object',
  required: ['sql'],
  additionalProperties: false,
  properties: {
    sql: { type: 'string', minLength: 1 },
    // Their count is checked by the write path, which answers PARAMS_TOO_MANY.
    params: { type: 'array', items: paramSchema },
    consistency: consistencySchema,
    min_lsn: minLsnSchema,
    force_schema_change: forceSchemaChangeSchema,
    database: databaseSchema,
    tx: txSchema,
    last_insert_id: lastInsertIdSchema,
  },
} as const;
const bodySchema = {
  type: 'object',
  oneOf: [
    statementSchema,
    {
      type: 'object',
      required: ['statements'],
      additionalProperties: false,
      properties: {
        statements: { type: 'array', minItems: 1, maxItems: statementsPerRequestMax, items: { ...statementSchema, properties: { sql: statementSchema.properties.sql, params: statementSchema.properties.params } } },
        consistency: consistencySchema,
        min_lsn: minLsnSchema,
        force_schema_change: forceSchemaChangeSchema,
        database: databaseSchema,
        tx: txSchema,
        last_insert_id: lastInsertIdSchema,
      },
    },
  ],
} as const;

interface StatementBody {
  readonly sql: string;
  readonly params?: readonly (string | number | boolean | null)[];
}
type Consistency = 'linearizable' | 'stale';
type SqlBody = (StatementBody | { readonly statements: readonly StatementBody[] }) & { readonly consistency?: Consistency; readonly min_lsn?: string; readonly force_schema_change?: boolean; readonly database?: string; readonly tx?: string; readonly last_insert_id?: string };

// Statements in an open interactive transaction (write/transactions.ts).
export interface TxRunner {
  run(handle: string, statements: readonly Statement[], principal?: Principal): Promise<TransactionResult>;
}

// In a cluster: whether a request runs here or is sent on to the leader (write/request-router.ts).
export interface SqlRouter {
  servesReadsHere(): boolean;
  route(body: string, forwardedBy: string | undefined, at: undefined, principal: Principal | undefined): Promise<{ readonly kind: 'local' } | { readonly kind: 'forwarded'; readonly status: number; readonly body: string }>;
}

// `elsewhere`: where statements of interactive transactions go, on a server that holds none
// (a session process's: elsewhere-routes.ts).
export function sqlRoute(app: FastifyInstance, runner: SqlRunner, router?: SqlRouter, transactions?: TxRunner, elsewhere?: PassOn): void {
  app.post<{ Body: SqlBody }>('/v1/sql', { schema: { summary: 'Run one statement, or several as one atomic transaction (or in an open one: "tx")', body: bodySchema } }, async (request, reply) => {
    const body = request.body;
    if (body.tx !== undefined && elsewhere !== undefined) return elsewhere(request, reply, body);
    if (body.tx !== undefined) return reply.type('application/json; charset=utf-8').send(toJson(answerOf(await runInTransaction(body, body.tx, transactions, principalOf(request)))));
    // A read runs here: at once or once this node has applied far enough (`stale`, `min_lsn`),
    // or after a read index. Anything else runs on the leader, `stale` or not: only it writes.
    const runsHere = isOneQuery(body) && (body.consistency === 'stale' || body.min_lsn !== undefined || router?.servesReadsHere() === true);
    if (router !== undefined && !runsHere) {
      const forwardedBy = request.headers[forwardedByHeader];
      // The leader checks the client's privileges: the router sends its identity along, signed.
      const routed = await router.route(JSON.stringify(body), typeof forwardedBy === 'string' ? forwardedBy : undefined, undefined, principalOf(request));
      if (routed.kind === 'forwarded') return reply.status(routed.status).type('application/json; charset=utf-8').send(routed.body);
    }
    return reply.type('application/json; charset=utf-8').send(await runHere(runner, body, principalOf(request)));
  });
}

// The JSON answer of a request run on this node, outside any interactive transaction.
async function runHere(runner: SqlRunner, body: SqlBody, principal: Principal | undefined): Promise<string> {
  const statements = ('statements' in body ? body.statements : [body]).map(toStatement);
  // Where names resolve and whose privileges count, whichever way the request runs.
  const session = {
    ...(body.database !== undefined ? { database: body.database } : {}),
    ...(principal === undefined ? {} : { principal }),
    ...(body.last_insert_id === undefined ? {} : { lastInsertId: BigInt(body.last_insert_id) }),
  };
  const options: RunOptions = body.min_lsn !== undefined ? { minLsn: BigInt(body.min_lsn), ...session } : { stale: body.consistency === 'stale', forceSchemaChange: body.force_schema_change === true, ...session };
  return toJson(answerOf(await runner.run(statements, options)));
}

// The JSON answer of a request a session process sent its main process over their IPC channel
// (session-processes/main-channel.ts): a body this route validated there, or one the MySQL
// front end built (write/forwarded-sql.ts), never one in a transaction.
export function answerPassedOnSql(runner: SqlRunner, text: string, principal: Principal | undefined): Promise<string> {
  const body = JSON.parse(text) as SqlBody;
  if (body.tx !== undefined) throw new TideError('REQUEST_INVALID', 'a request in a transaction runs where the transaction was opened');
  return runHere(runner, body, principal);
}

// A transaction's statements run where it was opened, never forwarded: its snapshot is there.
function runInTransaction(body: SqlBody, handle: string, transactions: TxRunner | undefined, principal: Principal | undefined): Promise<TransactionResult> {
  if (transactions === undefined) throw new TideError('TX_NOT_FOUND', 'this node serves no interactive transactions');
  if (body.consistency !== undefined || body.min_lsn !== undefined || body.database !== undefined || body.force_schema_change !== undefined || body.last_insert_id !== undefined) {
    throw new TideError('REQUEST_INVALID', 'a request in a transaction takes no consistency, min_lsn, database, force_schema_change or last_insert_id: it reads the transaction\'s snapshot (use USE to change database)');
  }
  return transactions.run(handle, ('statements' in body ? body.statements : [body]).map(toStatement), principal);
}

function answerOf(transaction: TransactionResult): Record<string, unknown> {
  return {
    results: transaction.results.map((result) => ({
      columns: result.columns,
      rows: result.rows,
      rows_affected: result.rowsAffected,
      last_insert_id: result.lastInsertId,
      // The rows a write found beside those it changed (MySQL's CLIENT_FOUND_ROWS counts): an
      // UPDATE's matched rows; an INSERT … ON DUPLICATE KEY UPDATE's when it left some as they were.
      ...(result.rowsMatched === undefined ? {} : result.rowsMatched.statement === 'update' ? { rows_matched: result.rowsMatched.rows } : { rows_found: result.rowsMatched.rows }),
    })),
    lsn: transaction.lsn.toString(),
  };
}

// A request of one SELECT (or EXPLAIN): a follower can serve it (write/request-router.ts).
function isOneQuery(body: SqlBody): boolean {
  return isOneQueryText('statements' in body ? (body.statements.length === 1 ? body.statements[0]!.sql : '') : body.sql);
}

function toStatement(body: StatementBody): Statement {
  return { sql: body.sql, params: (body.params ?? []).map(toValue) };
}

// JSON integers become exact SQL integers; other numbers are DOUBLEs. An integer beyond 2^53
// was already rounded by JSON parsing, so it is a DOUBLE too: send such values as strings.
function toValue(param: string | number | boolean | null): Value {
  if (typeof param === 'number') return Number.isSafeInteger(param) ? BigInt(param) : param;
  return param;
}
