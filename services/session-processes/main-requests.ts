// The main process's side of main-channel.ts: a request one of its session processes sent
// runs here as the route a follower would have called on its leader, and is answered with that
// route's status and JSON body, errors included.
import { ErrorCode, TideError, isTideError } from '../base/errors.js';
import { errorBody } from '../http/errors.js';
import { answerPassedOnSql } from '../http/sql-route.js';
import type { SqlRunner } from '../http/sql-route.js';
import type { Principal } from '../users/privilege-check.js';
import type { CommitBody, LockBody, ReserveBody, TxLeaderLink, UnlockBody } from '../write/tx-leader-link.js';
import { txCommitTarget, txLockTarget, txReserveTarget, txUnlockTarget } from '../write/tx-leader-link.js';

// The route's status and JSON body, as it would have answered over HTTP.
export interface RouteAnswer {
  readonly status: number;
  readonly body: string;
}

export interface MainRequestTargets {
  readonly sql: SqlRunner;
  // The leader's side of a transaction another process serves.
  readonly transactions: Pick<TxLeaderLink, 'serveCommit' | 'serveReserve' | 'serveLock' | 'serveUnlock'>;
  // Hears of a failure that is not a TideError (answered INTERNAL, its details kept here).
  readonly internal: (error: unknown) => void;
}

export async function answerSessionRequest(targets: MainRequestTargets, path: string, body: string, principal: Principal | undefined): Promise<RouteAnswer> {
  try {
    return { status: 200, body: await answer(targets, path, body, principal) };
  } catch (error) {
    if (!isTideError(error) || error.code === 'INTERNAL') targets.internal(error);
    const { code, message, details } = isTideError(error) ? error : new TideError('INTERNAL', 'internal error');
    return { status: ErrorCode[code].status, body: errorBody(code, message, details) };
  }
}

// The bodies are those a session process's front ends and TxLeaderLink made, as they make them
// for a leader.
async function answer(targets: MainRequestTargets, path: string, body: string, principal: Principal | undefined): Promise<string> {
  switch (path) {
    case '/v1/sql':
      return answerPassedOnSql(targets.sql, body, principal);
    case txCommitTarget.path:
      return JSON.stringify(await targets.transactions.serveCommit(JSON.parse(body) as CommitBody, undefined));
    case txReserveTarget.path:
      return JSON.stringify(await targets.transactions.serveReserve(JSON.parse(body) as ReserveBody, undefined));
    case txLockTarget.path:
      return JSON.stringify(await targets.transactions.serveLock(JSON.parse(body) as LockBody));
    case txUnlockTarget.path:
      return JSON.stringify(targets.transactions.serveUnlock(JSON.parse(body) as UnlockBody));
    default:
      throw new TideError('NOT_FOUND', `no route for a session process at ${path}`);
  }
}
