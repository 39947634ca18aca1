// The one place a session's transactions live: BEGIN, START TRANSACTION, COMMIT, ROLLBACK,
// SAVEPOINT, ROLLBACK TO, RELEASE SAVEPOINT, SET autocommit, and which statements run inside a
// transaction. Transactions are the write path's engine (write/transactions.ts): a session
// holds at most one of its handles, opened at BEGIN or, with autocommit off, at the first
// statement, and runs everything through it until the transaction ends — with autocommit on the
// handle is then given back, with it off the next statement begins the next transaction, as in
// MySQL. A statement outside any transaction runs on its own (autocommit), as over HTTP.
import { TideError } from '../base/errors.js';
import type { StatementResult } from '../sql/executor.js';
import type { Principal } from '../users/privilege-check.js';
import type { Isolation } from '../write/isolation.js';
import type { Statement, TransactionResult } from '../write/sequencer.js';

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

// What a session needs of the write path's transactions.
export interface TransactionEngine {
  // The level of a transaction whose session names none.
  readonly defaultIsolation: Isolation;
  open(database: string | undefined, principal: Principal | undefined, isolation: Isolation): Promise<string>;
  // The level of the handle's transactions begun from now on.
  setIsolation(handle: string, isolation: Isolation, principal: Principal | undefined): void;
  // How long the handle's statements wait for a row lock from now on.
  setLockWait(handle: string, waitMs: number, principal: Principal | undefined): void;
  run(handle: string, statements: readonly Statement[], principal: Principal | undefined): Promise<TransactionResult>;
  rollback(handle: string, principal: Principal | undefined): Promise<void>;
  inTransaction(handle: string): boolean;
}

export class SessionTransactions {
  private autocommitOn = true;
  private handle: string | null = null;

  constructor(
    private readonly engine: TransactionEngine,
    // The session's account (undefined: the node's own) and current database, read when a
    // transaction opens.
    private readonly principal: Principal | undefined,
    private readonly database: () => string | null,
    // The level of the next transaction (the session's, or a SET TRANSACTION for the next one
    // only), taken when one begins.
    private readonly takeIsolation: () => Isolation,
    // How long a statement waits for a row lock (innodb_lock_wait_timeout), read before each.
    private readonly lockWaitMs: () => number,
  ) {}

  get autocommit(): boolean {
    return this.autocommitOn;
  }

  // Whether a transaction is open (the server status flag clients read).
  get inTransaction(): boolean {
    return this.handle !== null && this.engine.inTransaction(this.handle);
  }

  // Whether the next statement runs in a transaction: one is open, or autocommit is off.
  get runsStatements(): boolean {
    return this.handle !== null || !this.autocommitOn;
  }

  // Runs a statement in the session's transaction, opening one if none is.
  async run(statement: Statement): Promise<StatementResult> {
    try {
      return (await this.engine.run(await this.ensureHandle(), [statement], this.principal)).results[0]!;
    } finally {
      // A DDL committed the transaction and ran on its own: with autocommit on, none is open now.
      await this.giveBackIfDone();
    }
  }

  // A transaction statement, `sql` as the client wrote it.
  async control(statement: TransactionStatement, sql: string): Promise<void> {
    if (statement.kind === 'begin') {
      // Opening a handle begins a transaction; BEGIN on one commits the open one first.
      if (this.handle === null) await this.ensureHandle();
      else {
        // The transaction BEGIN starts takes the session's level; the one it commits kept its own.
        this.engine.setIsolation(this.handle, this.takeIsolation(), this.principal);
        await this.engine.run(this.handle, [{ sql, params: [] }], this.principal);
      }
      return;
    }
    if (this.handle === null) {
      // Nothing open. COMMIT and ROLLBACK are no-ops, as in MySQL; the others need a
      // transaction, which autocommit off begins (SAVEPOINT), else they are the engine's
      // answer to a savepoint that does not exist.
      if (statement.kind === 'commit' || statement.kind === 'rollback') return;
      if (this.autocommitOn && statement.kind === 'savepoint') return;
      if (this.autocommitOn) throw new TideError('SAVEPOINT_NOT_FOUND', 'no transaction is open, so no savepoint exists');
    }
    try {
      await this.engine.run(await this.ensureHandle(), [{ sql, params: [] }], this.principal);
    } finally {
      // A COMMIT that failed on a conflict ended the transaction too.
      await this.giveBackIfDone();
    }
  }

  // SET autocommit: turning it on commits an open transaction, as MySQL does. A commit that
  // fails (a conflict) ended the transaction too: autocommit is on then as well, and the
  // client gets the commit's error; only a transaction still open keeps it off.
  async setAutocommit(on: boolean): Promise<void> {
    if (on && this.handle !== null) {
      const handle = this.handle;
      try {
        await this.engine.run(handle, [{ sql: 'COMMIT', params: [] }], this.principal);
      } finally {
        if (!this.engine.inTransaction(handle)) {
          this.autocommitOn = true;
          await this.giveBackIfDone();
        }
      }
      return;
    }
    this.autocommitOn = on;
  }

  // The connection ended (or was reset): an open transaction is rolled back.
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle !== null) await this.engine.rollback(handle, this.principal).catch(() => undefined);
  }

  // The session's handle, with the next transaction's level set when none is open (the
  // statement about to run begins one).
  private async ensureHandle(): Promise<string> {
    if (this.handle === null) this.handle = await this.engine.open(this.database() ?? undefined, this.principal, this.takeIsolation());
    else if (!this.engine.inTransaction(this.handle)) this.engine.setIsolation(this.handle, this.takeIsolation(), this.principal);
    this.engine.setLockWait(this.handle, this.lockWaitMs(), this.principal);
    return this.handle;
  }

  // With autocommit on, a handle whose transaction ended is given back.
  private async giveBackIfDone(): Promise<void> {
    if (this.autocommitOn && this.handle !== null && !this.engine.inTransaction(this.handle)) await this.close();
  }
}
