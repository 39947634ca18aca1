// Interactive transactions, protocol-free: HTTP's /v1/tx and the MySQL front end both open a
// session here and get a handle, run statements in it, and commit or roll back. A session
// holds at most one transaction at a time; with none, its next statement begins one (as a MySQL
// connection with autocommit=0). BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ROLLBACK TO and RELEASE
// SAVEPOINT arrive as statements too. A DDL statement commits the open transaction first, then
// runs on its own, as MySQL does. This module owns the bounds: open sessions per node, a
// transaction's size, the idle timeout and the maximum age (base/limits.ts); a session past
// them is rolled back and its handle forgotten (TX_NOT_FOUND). Commit goes to the leader (from
// any node) through `TxLeader`, which validates and proposes it (sequencer.ts).
import { randomBytes } from 'node:crypto';
import { assertNever } from '../base/assert.js';
import { TideError } from '../base/errors.js';
import { lsnWaitMsMax, txAgeMsMax, txChangesMaxDefault, txIdleMsDefault, txOpenMaxDefault } from '../base/limits.js';
import { nextTurn } from '../base/time-slice.js';
import type { StatementResult } from '../sql/executor.js';
import { parseTexts } from '../sql/parser.js';
import type { AstNode } from '../sql/parser.js';
import { PlanCache } from '../sql/plan-cache.js';
import { lsnOf } from '../storage/lsn.js';
import type { StoreReadView } from '../storage/store.js';
import type { Principal } from '../users/privilege-check.js';
import { checkParamCount } from './sequencer.js';
import type { CommitRequest, TransactionResult } from './sequencer.js';
import { oneStatement, tagged, withIndex } from './execute-statements.js';
import type { Statement } from './execute-statements.js';
import { appliedOrLate } from './applied-or-late.js';
import { IdBlocks } from './id-blocks.js';
import type { Isolation } from './isolation.js';
import { Transaction } from './transaction.js';
import type { RowLocking } from './transaction.js';
import { lockOwnerName } from './row-locks.js';
import { transactionControlOf } from './transaction-control.js';

// What commits and reserves ids: the leader's sequencer, here or through the leader's HTTP.
export interface TxLeader {
  commit(request: CommitRequest): Promise<bigint>;
  reserveAutoIncrement(tableId: number, count: bigint, floor: bigint): Promise<bigint>;
  // Locks rows for a repeatable-read statement (row-locks.ts); resolves to whether they are as
  // the statement read them at `readIndex`. A leader that keeps no locks for this node answers
  // true at once.
  lockRows(owner: string, keys: readonly string[], readIndex: bigint, waitMs?: number): Promise<boolean>;
  unlockRows(owner: string): void;
}

// What a transaction needs of this node.
export interface TxNode {
  // Resolves once this node has applied everything acknowledged before the call (a ReadIndex
  // in a cluster; at once on a single node), so a snapshot taken after it is that new.
  freshen(): Promise<void>;
  applying(): Promise<void> | null;
  openReadView(): StoreReadView;
  appliedIndex(): bigint;
  // Resolves once this node has applied through `index` (a commit's, before it answers).
  waitApplied(index: bigint): Promise<void>;
  // Runs statements on their own, as an autocommit request does (a DDL after the implicit
  // commit), routed to the leader as such a request is.
  runAutocommit(statements: readonly Statement[], database: string, principal: Principal | undefined): Promise<TransactionResult>;
}

export interface TransactionsOptions {
  readonly defaultDatabase: string;
  // The level a transaction runs at unless its opener names one (isolation.ts); default
  // serializable.
  readonly isolation?: Isolation;
  readonly openMax?: number;
  readonly idleMs?: number;
  readonly ageMs?: number;
  readonly changesMax?: number;
  readonly nowMs?: () => number;
}

// A commit's answer: the lsn of its entry, and its id (the entry's index); a transaction that
// changed nothing commits with no entry: tx_id null, and the lsn of its snapshot.
export interface CommitResult {
  readonly lsn: bigint;
  readonly txId: bigint | null;
}

interface Session {
  readonly handle: string;
  // Who opened it: only they may use it (another's request answers TX_NOT_FOUND, as if the
  // handle did not exist), and every statement in it needs their privileges.
  readonly principal: Principal | undefined;
  database: string;
  // The level of the transactions begun in the session from now on.
  isolation: Isolation;
  transaction: Transaction | null;
  // Requests on one handle run one at a time, in arrival order.
  queue: Promise<unknown>;
  idleTimer: NodeJS.Timeout | null;
  readonly ageTimer: NodeJS.Timeout;
  busy: number;
  // How long its statements wait for a row lock (MySQL's innodb_lock_wait_timeout); undefined:
  // the node's bound.
  lockWaitMs: number | undefined;
  // Its transaction was rolled back on a deadlock, and no BEGIN or ROLLBACK came since: the
  // commit route answers TX_CONFLICT, not a commit of whatever ran after.
  rolledBack: boolean;
}

export class Transactions {
  private readonly sessions = new Map<string, Session>();
  private readonly openMax: number;
  private readonly idleMs: number;
  private readonly ageMs: number;
  private readonly changesMax: number;
  private readonly nowMs: () => number;
  private readonly ids: IdBlocks;
  // Plans of the transactions' SELECTs, kept between runs (sql/plan-cache.ts).
  private readonly plans = new PlanCache();
  // Transactions begun here, which names their row locks' owners.
  private lockOwners = 0;

  constructor(
    private readonly node: TxNode,
    private readonly leader: TxLeader,
    private readonly options: TransactionsOptions,
  ) {
    this.openMax = options.openMax ?? txOpenMaxDefault;
    this.idleMs = options.idleMs ?? txIdleMsDefault;
    this.ageMs = options.ageMs ?? txAgeMsMax;
    this.changesMax = options.changesMax ?? txChangesMaxDefault;
    this.nowMs = options.nowMs ?? Date.now;
    this.ids = new IdBlocks((tableId, count, floor) => leader.reserveAutoIncrement(tableId, count, floor));
  }

  get defaultIsolation(): Isolation {
    return this.options.isolation ?? 'serializable';
  }

  // The level of the session's next transaction (MySQL's SET [SESSION] TRANSACTION ISOLATION
  // LEVEL); the one open, if any, keeps its own.
  setIsolation(handle: string, isolation: Isolation, principal?: Principal): void {
    const session = this.sessions.get(handle);
    if (session === undefined || !samePrincipal(session.principal, principal)) throw notFound();
    session.isolation = isolation;
  }

  // How long the session's statements wait for a row lock from now on, its open transaction's
  // included (MySQL's innodb_lock_wait_timeout).
  setLockWait(handle: string, waitMs: number, principal?: Principal): void {
    const session = this.sessions.get(handle);
    if (session === undefined || !samePrincipal(session.principal, principal)) throw notFound();
    session.lockWaitMs = waitMs;
  }

  openCount(): number {
    return this.sessions.size;
  }

  // Whether the session has a transaction open (a MySQL server status flag); false for a
  // handle it does not know.
  inTransaction(handle: string): boolean {
    return (this.sessions.get(handle)?.transaction ?? null) !== null;
  }

  // Opens a session with a transaction begun; resolves to its handle. `principal`: the
  // account it runs as (undefined: the node itself).
  async open(database?: string, principal?: Principal, isolation?: Isolation): Promise<string> {
    if (this.sessions.size >= this.openMax) throw new TideError('TX_LIMIT', `this node has ${this.openMax} transactions open, its limit; commit or roll back one, or retry later`);
    const handle = randomBytes(16).toString('hex');
    const session: Session = {
      handle,
      principal,
      database: database ?? this.options.defaultDatabase,
      isolation: isolation ?? this.defaultIsolation,
      transaction: null,
      queue: Promise.resolve(),
      idleTimer: null,
      // However busy, a transaction ends at its maximum age: its snapshot pins LMDB pages.
      ageTimer: setTimeout(() => this.expire(session), this.ageMs).unref(),
      busy: 0,
      lockWaitMs: undefined,
      rolledBack: false,
    };
    // Counted at once, so that concurrent opens cannot pass the limit together.
    this.sessions.set(handle, session);
    try {
      await this.beginIn(session);
    } catch (error) {
      this.forget(session);
      throw error;
    }
    this.touch(session);
    return handle;
  }

  // Runs statements in the session, one after another: each that fails is undone alone and
  // fails the request (earlier ones stay in the transaction, as in MySQL).
  run(handle: string, statements: readonly Statement[], principal?: Principal): Promise<TransactionResult> {
    return this.enqueue(handle, principal, (session) => this.runAll(session, statements));
  }

  // Commits the session's transaction and closes the session.
  commit(handle: string, principal?: Principal): Promise<CommitResult> {
    return this.enqueue(handle, principal, async (session) => {
      try {
        if (session.rolledBack) throw new TideError('TX_CONFLICT', 'the transaction was rolled back on a deadlock; nothing of it was written, run it again', { transaction_rolled_back: true });
        return await this.commitOpen(session);
      } finally {
        this.forget(session);
      }
    });
  }

  // Rolls the session's transaction back and closes the session. Its row locks go at once,
  // even while a statement of it runs or waits for a lock (which then fails): those waiting
  // for them need not wait for it.
  rollback(handle: string, principal?: Principal): Promise<void> {
    const session = this.sessions.get(handle);
    if (session !== undefined && samePrincipal(session.principal, principal)) session.transaction?.releaseLocks();
    return this.enqueue(handle, principal, (session) => {
      this.forget(session);
      return Promise.resolve();
    });
  }

  // Rolls every session back (the node stops).
  closeAll(): void {
    for (const session of [...this.sessions.values()]) this.forget(session);
  }

  private enqueue<T>(handle: string, principal: Principal | undefined, work: (session: Session) => Promise<T>): Promise<T> {
    const session = this.sessions.get(handle);
    if (session === undefined || !samePrincipal(session.principal, principal)) return Promise.reject(notFound());
    session.busy++;
    const run = session.queue.then(() => {
      if (this.sessions.get(handle) !== session) throw notFound();
      return work(session);
    });
    session.queue = run.then(
      () => undefined,
      () => undefined,
    );
    void session.queue.then(() => {
      session.busy--;
      if (this.sessions.get(handle) === session) this.touch(session);
    });
    return run;
  }

  private async runAll(session: Session, statements: readonly Statement[]): Promise<TransactionResult> {
    statements.forEach((statement, at) => withIndex(at, statements.length, () => checkParamCount(statement)));
    const results: StatementResult[] = [];
    let lsn: bigint | null = null;
    for (const [at, statement] of statements.entries()) {
      const control = withIndex(at, statements.length, () => transactionControlOf(statement.sql));
      if (control !== null) {
        try {
          const committed = await this.control(session, control);
          if (committed !== null) lsn = committed;
        } catch (error) {
          throw tagged(error, at, statements.length);
        }
        results.push(noResult);
        continue;
      }
      const texts = parseTexts([statement.sql]);
      const text = texts instanceof Promise ? (await texts)[0]! : texts[0]!;
      // Reading the parse worker's answer took this turn's time: execution starts in a new one.
      if (texts instanceof Promise) await nextTurn();
      const parsed = withIndex(at, statements.length, () => oneStatement(text));
      if (isSchemaChange(parsed)) {
        // As MySQL: the open transaction commits first, then the DDL runs on its own.
        try {
          await this.commitOpen(session);
          const done = await this.node.runAutocommit([statement], session.database, session.principal);
          results.push(done.results[0]!);
          lsn = done.lsn;
        } catch (error) {
          throw tagged(error, at, statements.length);
        }
        continue;
      }
      const transaction = session.transaction ?? (await this.beginIn(session));
      let ran: Awaited<ReturnType<Transaction['run']>>;
      try {
        ran = await transaction.run(statement, parsed, { database: session.database, principal: session.principal, indexBase: at, count: statements.length });
      } catch (error) {
        // A deadlock between row locks rolls the whole transaction back, as in MySQL (1213):
        // its locks go, so that the transaction it waited for runs on. The commit route then
        // refuses to answer for it as if it had committed.
        if (error instanceof TideError && error.details.transaction_rolled_back === true && session.transaction === transaction) {
          transaction.end();
          session.transaction = null;
          session.rolledBack = true;
        }
        throw error;
      }
      const { result, database } = ran;
      session.database = database;
      results.push(result);
    }
    return { results, lsn: lsn ?? lsnOf(session.transaction?.snapshotIndex ?? this.node.appliedIndex(), 0) };
  }

  // Runs a transaction-control statement; resolves to the lsn of a commit it made, if any.
  private async control(session: Session, control: NonNullable<ReturnType<typeof transactionControlOf>>): Promise<bigint | null> {
    switch (control.kind) {
      case 'begin': {
        session.rolledBack = false;
        // BEGIN in a transaction commits it first, as in MySQL.
        const committed = await this.commitOpen(session);
        await this.beginIn(session);
        return committed.lsn;
      }
      case 'commit':
        return (await this.commitOpen(session)).lsn;
      case 'rollback':
        session.rolledBack = false;
        session.transaction?.end();
        session.transaction = null;
        return null;
      case 'savepoint':
        (session.transaction ?? (await this.beginIn(session))).savepoint(control.name);
        return null;
      case 'rollback_to':
        this.current(session, control.name).rollbackTo(control.name);
        return null;
      case 'release':
        this.current(session, control.name).release(control.name);
        return null;
      default:
        return assertNever(control);
    }
  }

  private current(session: Session, savepoint: string): Transaction {
    if (session.transaction === null) throw new TideError('SAVEPOINT_NOT_FOUND', `SAVEPOINT ${savepoint} does not exist`);
    return session.transaction;
  }

  // Commits the session's transaction, if it has one, leaving it without.
  private async commitOpen(session: Session): Promise<CommitResult> {
    const transaction = session.transaction;
    session.transaction = null;
    // None open (after a COMMIT or ROLLBACK statement): nothing to commit, as of now.
    if (transaction === null) return { lsn: lsnOf(this.node.appliedIndex(), 0), txId: null };
    try {
      const changes = transaction.changes();
      // Read-only: it read one committed snapshot, and is serialized at it; no entry.
      if (changes.length === 0) return { lsn: lsnOf(transaction.snapshotIndex, 0), txId: null };
      const index = await this.leader.commit({ snapshotIndex: transaction.snapshotIndex, changes, reads: transaction.reads, currentReads: transaction.currentReads });
      // Read your writes here: the node that served the transaction has applied its commit —
      // or, should it lag too far, the answer goes without waiting longer: it has committed.
      await appliedOrLate(this.node.waitApplied(index), lsnWaitMsMax);
      return { lsn: lsnOf(index, 0), txId: index };
    } finally {
      transaction.end();
    }
  }

  // Begins the session's transaction; a session forgotten meanwhile (timed out, the node
  // stopping) must not keep a snapshot no one will release.
  private async beginIn(session: Session): Promise<Transaction> {
    const transaction = await this.begin(session);
    if (this.sessions.get(session.handle) !== session) {
      transaction.end();
      throw notFound();
    }
    session.transaction = transaction;
    return transaction;
  }

  // A snapshot at least as new as everything acknowledged before the call.
  private async begin(session: Session): Promise<Transaction> {
    await this.node.freshen();
    const snapshot = await this.openSettledView();
    // Its row locks' owner, named after this process so that the main process can release the
    // locks of a session process that exits (and so that two processes' names never meet).
    const owner = lockOwnerName(process.pid, ++this.lockOwners);
    const locks: RowLocking = { lock: (keys, readIndex) => this.leader.lockRows(owner, keys, readIndex, session.lockWaitMs), unlock: () => this.leader.unlockRows(owner) };
    return new Transaction(snapshot, (tableId, count, floor) => this.ids.take(tableId, count, floor), (since) => this.currentView(since), locks, this.changesMax, this.nowMs, session.isolation, this.plans);
  }

  // A current read's view (transaction.ts): this node's newest applied state, with no read
  // barrier (the leader validates what was read from its index on, so a lagging node's read
  // can only conflict), or null when it is not past `since`.
  private async currentView(since: bigint): Promise<StoreReadView | null> {
    // Opened to learn the newest index: a session process's store learns it by reading LMDB.
    const view = await this.openSettledView();
    if (view.appliedIndex > since) return view;
    view.done();
    return null;
  }

  // A read view of the applied state once no apply is under way: an apply in slices has its
  // rows half written and the catalog not yet moved. Opened in the turn that found none (an
  // apply may begin in any later one).
  private async openSettledView(): Promise<StoreReadView> {
    for (let applying = this.node.applying(); applying !== null; applying = this.node.applying()) await applying.catch(() => undefined);
    return this.node.openReadView();
  }

  // Idle past the timeout: rolled back, unless a request is under way (it touches again after).
  private touch(session: Session): void {
    if (session.idleTimer !== null) clearTimeout(session.idleTimer);
    session.idleTimer = setTimeout(() => {
      if (session.busy === 0) this.forget(session);
    }, this.idleMs).unref();
  }

  private expire(session: Session): void {
    if (this.sessions.get(session.handle) !== session) return;
    // Forgotten at once (new requests answer TX_NOT_FOUND), its row locks released; rolled back
    // once a request under way is done with its snapshot.
    this.sessions.delete(session.handle);
    session.transaction?.releaseLocks();
    void session.queue.then(() => this.forget(session));
  }

  private forget(session: Session): void {
    if (this.sessions.get(session.handle) === session) this.sessions.delete(session.handle);
    if (session.idleTimer !== null) clearTimeout(session.idleTimer);
    clearTimeout(session.ageTimer);
    session.transaction?.end();
    session.transaction = null;
  }
}

const noResult: StatementResult = { columns: [], rows: [], rowsAffected: 0, lastInsertId: null };

function notFound(): TideError {
  return new TideError('TX_NOT_FOUND', 'no open transaction has this handle on this node: it was committed, rolled back, timed out, or opened on another node');
}

// Statements that change the schema commit the open transaction first (MySQL's implicit commit).
function isSchemaChange(parsed: AstNode): boolean {
  const type = parsed['type'];
  return type === 'create' || type === 'drop' || type === 'alter' || type === 'rename' || type === 'truncate';
}

function samePrincipal(a: Principal | undefined, b: Principal | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.user === b.user && a.host === b.host;
}
