// The one place a session's transaction statements go: BEGIN, START TRANSACTION, COMMIT,
// ROLLBACK, SAVEPOINT, ROLLBACK TO, RELEASE SAVEPOINT and SET autocommit. Interactive
// transactions are an engine of the write path (services/write) that is not there yet; until
// it is, what would open a transaction answers 1235 and changes nothing, while what MySQL
// itself treats as a no-op with nothing open (COMMIT, ROLLBACK, SET autocommit=1) succeeds.
// Every statement outside a transaction runs as its own transaction (autocommit), as it does
// over HTTP.
import { TideError } from '../base/errors.js';

export type TransactionStatement =
  | { readonly kind: 'begin' }
  | { readonly kind: 'commit' }
  | { readonly kind: 'rollback' }
  | { readonly kind: 'savepoint' }
  | { readonly kind: 'rollback_to' }
  | { readonly kind: 'release_savepoint' };

// `sql` without leading comments, whitespace or a trailing `;`.
export function transactionStatementOf(sql: string): TransactionStatement | null {
  if (/^(begin(\s+work)?|start\s+transaction\b[\s\S]*)$/i.test(sql)) return { kind: 'begin' };
  if (/^commit(\s+work)?(\s+(and\s+(no\s+)?chain|(no\s+)?release))*$/i.test(sql)) return { kind: 'commit' };
  if (/^rollback(\s+work)?\s+to\s+/i.test(sql)) return { kind: 'rollback_to' };
  if (/^rollback(\s+work)?(\s+(and\s+(no\s+)?chain|(no\s+)?release))*$/i.test(sql)) return { kind: 'rollback' };
  if (/^savepoint\s+\S/i.test(sql)) return { kind: 'savepoint' };
  if (/^release\s+savepoint\s+\S/i.test(sql)) return { kind: 'release_savepoint' };
  return null;
}

const notYet = 'interactive transactions are not available yet: each statement runs as its own transaction (autocommit)';

export class SessionTransactions {
  private autocommitOn = true;

  get autocommit(): boolean {
    return this.autocommitOn;
  }

  // False while a transaction is open; none can be, yet.
  get inTransaction(): boolean {
    return false;
  }

  run(statement: TransactionStatement): void {
    switch (statement.kind) {
      case 'commit':
      case 'rollback':
        return; // nothing open: as MySQL, a no-op
      case 'begin':
      case 'savepoint':
      case 'rollback_to':
      case 'release_savepoint':
        throw new TideError('SQL_UNSUPPORTED', notYet);
    }
  }

  setAutocommit(on: boolean): void {
    if (!on) throw new TideError('SQL_UNSUPPORTED', notYet);
    this.autocommitOn = true;
  }
}
