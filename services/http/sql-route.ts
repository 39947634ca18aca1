// POST /v1/sql: one statement ({"sql", "params"}) or several ({"statements": [...]}) run as one
// atomic transaction. The response shape is a fixed contract: extend it, never change it.
import type { FastifyInstance } from 'fastify';
import { statementsPerRequestMax } from '../base/limits.js';
import type { Value } from '../storage/types.js';
import type { Statement, TransactionResult } from '../write/sequencer.js';
import { toJson } from './json-body.js';

// What the route needs from the write path.
export interface SqlRunner {
  run(statements: readonly Statement[]): Promise<TransactionResult>;
}

const paramSchema = { type: ['string', 'number', 'boolean', 'null'] } as const;
const statementSchema = {
  type: 'object',
  required: ['sql'],
  additionalProperties: false,
  properties: {
    sql: { type: 'string', minLength: 1 },
    // Their count is checked by the write path, which answers PARAMS_TOO_MANY.
    params: { type: 'array', items: paramSchema },
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
      properties: { statements: { type: 'array', minItems: 1, maxItems: statementsPerRequestMax, items: statementSchema } },
    },
  ],
} as const;

interface StatementBody {
  readonly sql: string;
  readonly params?: readonly (string | number | boolean | null)[];
}
type SqlBody = StatementBody | { readonly statements: readonly StatementBody[] };

export function sqlRoute(app: FastifyInstance, runner: SqlRunner): void {
  app.post<{ Body: SqlBody }>('/v1/sql', { schema: { summary: 'Run one statement, or several as one atomic transaction', body: bodySchema } }, async (request, reply) => {
    const body = request.body;
    const statements = ('statements' in body ? body.statements : [body]).map(toStatement);
    const transaction = await runner.run(statements);
    const response = {
      results: transaction.results.map((result) => ({
        columns: result.columns,
        rows: result.rows,
        rows_affected: result.rowsAffected,
        last_insert_id: result.lastInsertId,
      })),
      lsn: transaction.lsn.toString(),
    };
    return reply.type('application/json; charset=utf-8').send(toJson(response));
  });
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
