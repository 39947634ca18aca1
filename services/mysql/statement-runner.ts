// Runs one statement of a MySQL session through the write path exactly as POST /v1/sql does
// (http/sql-route.ts): on the leader or a single node through the Sequencer; on a follower, a
// one-SELECT read is served locally when the follower can serve linearizable reads, and
// anything else is sent on to the leader as a /v1/sql request, whose JSON answer is turned
// back into a result here. Errors come out as TideErrors, whichever node raised them.
import { TideError } from '../base/errors.js';
import type { StatementResult } from '../sql/executor.js';
import type { Value } from '../storage/types.js';
import { forwardedAnswer, forwardedBody } from '../write/forwarded-sql.js';
import { isOneQueryText } from '../write/request-router.js';
import type { RequestRouter } from '../write/request-router.js';
import type { Principal } from '../users/privilege-check.js';
import type { StatementShape } from '../write/describe-statement.js';
import type { Sequencer, TransactionResult } from '../write/sequencer.js';

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
  // privileges the statement needs (undefined: the node's own), checked where it runs;
  // `lastInsertId`: the session's LAST_INSERT_ID(), which the statement may read.
  async run(sql: string, params: readonly Value[], database: string | null, principal: Principal | undefined, lastInsertId?: bigint): Promise<StatementResult> {
    const runsHere = isOneQueryText(sql) && this.router?.servesReadsHere() === true;
    if (this.router !== undefined && !runsHere) {
      const routed = await this.router.route(forwardedBody([{ sql, params }], database, lastInsertId), undefined, undefined, principal);
      if (routed.kind === 'forwarded') return onlyResult(forwardedAnswer(routed.status, routed.body));
    }
    return onlyResult(await this.runner.run([{ sql, params }], { ...(database === null ? {} : { database }), ...(principal === undefined ? {} : { principal }), ...(lastInsertId === undefined ? {} : { lastInsertId }) }));
  }
}

function onlyResult(transaction: TransactionResult): StatementResult {
  const result = transaction.results[0];
  if (result === undefined) throw new TideError('INTERNAL', 'a statement ran without a result');
  return result;
}
