// The write path on the leader: runs a request's statements as one transaction over the applied
// state plus pending batches, proposes the resulting change batch to Raft, and answers once it
// is applied. Write transactions take turns (write-turn.ts), so the order they execute in is
// the order their batches enter the log; a big one yields the event loop between rows while
// it holds its turn (base/time-slice.ts).
import { TideError } from '../base/errors.js';
import { assert } from '../base/assert.js';
import { batchBytesMax, changesPerBatchMax, conflictWindowEntriesMax, conflictWindowKeysMax, lockWaitMsDefault, lsnWaitMsMax, paramsPerStatementMax, txAgeMsMax } from '../base/limits.js';
import { RowLocks } from './row-locks.js';
import type { RowLocksStatus } from './row-locks.js';
import { nextTurn, runSliced, TimeSlice } from '../base/time-slice.js';
import type { Steps } from '../base/time-slice.js';
import type { StatementResult } from '../sql/executor.js';
import { OverlayView } from '../sql/overlay-view.js';
import { parseTexts } from '../sql/parser.js';
import type { AstNode, ParsedText } from '../sql/parser.js';
import type { ReadView } from '../sql/read-view.js';
import { encodeBatch, encodeBatchSteps } from '../storage/batch-codec.js';
import { indexOfLsn, lsnOf } from '../storage/lsn.js';
import { makesChangelogRecord } from '../storage/types.js';
import type { BatchChange, TableDef } from '../storage/types.js';
import type { Principal } from '../users/privilege-check.js';
import { ConflictWindow, writeSetOf } from './conflict-window.js';
import type { CurrentReads, ReadSet } from './read-set.js';
import { liveTablesById, replayRowChanges } from './replay-changes.js';
import { PendingBatches } from './pending-batches.js';
import { WriteTurn } from './write-turn.js';
import { describeStatement } from './describe-statement.js';
import type { StatementShape } from './describe-statement.js';
import { executeStatements, keptDirectRead, oneStatement, withIndex } from './execute-statements.js';
import { keepsPlan, PlanCache } from '../sql/plan-cache.js';
import type { ExecutionContext, Statement } from './execute-statements.js';

export type { Statement } from './execute-statements.js';

export interface TransactionResult {
  readonly results: readonly StatementResult[];
  // The lsn of the entry that holds the changes or, for a transaction without changes, of
  // the newest entry its reads saw.
  readonly lsn: bigint;
}

// What the write path needs from Raft: append a batch and learn when it is applied here.
export interface Proposer {
  // Throws NOT_LEADER (or SHUTTING_DOWN) when the batch cannot be proposed.
  propose(batch: Uint8Array): { readonly index: bigint; readonly applied: Promise<void> };
  // Resolves once everything up to `index` is applied on this node.
  waitApplied(index: bigint): Promise<void>;
  // Resolves once this node has applied everything the cluster acknowledged before the call
  // (ReadIndex, raft/core/read-index.ts), on a follower as on the leader; fails with a
  // retriable error when no leader confirms it.
  readIndex(): Promise<bigint>;
}

export interface AppliedState extends ReadView {
  appliedIndex(): bigint;
  // One version of any table ever created (what a batch's row changes name).
  tableVersion(id: number, version: number): TableDef | undefined;
  // An apply in progress that gives the loop back between changes: until it settles, reads of
  // applied state could see it half done.
  applying(): Promise<void> | null;
  // Moves whenever the catalog may have changed (storage/store.ts).
  catalogEpoch(): number;
}

// What an interactive transaction commits with: its snapshot's applied index, its buffered row
// changes (in order; their before-images are what its snapshot plus its own writes held), and
// what it read.
export interface CommitRequest {
  readonly snapshotIndex: bigint;
  readonly changes: readonly BatchChange[];
  readonly reads: ReadSet;
  // Reads made later than the snapshot (a current read at repeatable-read), oldest first.
  readonly currentReads: readonly CurrentReads[];
}

export interface RunOptions {
  readonly stale?: boolean;
  // Read your writes on any node: answer from local applied state once it holds this lsn's
  // entry, waiting at most lsnWaitMsMax, else LSN_NOT_REACHED (retriable). Implies stale.
  readonly minLsn?: bigint;
  // A DDL that breaks a published table's schema compatibility goes through anyway.
  readonly forceSchemaChange?: boolean;
  // As `USE` for this request: where unqualified table names resolve (else defaultDatabase).
  readonly database?: string;
  // Who runs the request: every statement is checked against this account's privileges
  // (users/privilege-check.ts). Undefined: the node itself, or root, unchecked.
  readonly principal?: Principal;
  // LAST_INSERT_ID() before the first statement, as the client's session knows it (a MySQL
  // session's; a request's `last_insert_id`); absent: none, as for a fresh session.
  readonly lastInsertId?: bigint;
}

export interface SequencerOptions {
  readonly defaultDatabase: string;
  readonly nowMs?: () => number;
  // How long one slice of a big statement may hold the event loop (base/limits.ts).
  readonly sliceMsMax?: number;
  // In a cluster: reads wait for an entry of the leader's term to commit after they began,
  // so a leader deposed without knowing it cannot answer with stale state (see readBarrier).
  readonly linearizableReads?: boolean;
  // How long a min_lsn read waits (lsnWaitMsMax unless given; tests shorten it).
  readonly lsnWaitMs?: number;
  // Called before a transaction that changes anything is proposed; throws (a TideError) to
  // refuse it, which then changes nothing. The Kafka backlog bound and the schema
  // compatibility of published tables use it.
  readonly admitWrite?: (changes: readonly BatchChange[], options: RunOptions) => void;
  // How long a repeatable-read statement waits for a row lock (lockWaitMsDefault unless given).
  readonly lockWaitMs?: number;
}

interface Executed {
  readonly results: readonly StatementResult[];
  // null when the transaction changed nothing.
  readonly batch: Buffer | null;
}

interface Proposal {
  readonly results: readonly StatementResult[];
  // null when the transaction changed nothing and so proposed nothing.
  readonly index: bigint | null;
  readonly applied: Promise<void> | null;
}

export class Sequencer {
  private readonly pending: PendingBatches;
  private readonly writeTurn = new WriteTurn();
  private readonly nowMs: () => number;
  // The write sets of recent entries, against which interactive transactions are validated.
  private readonly conflicts: ConflictWindow;
  // Plans of single SELECTs over applied state, kept between runs.
  private readonly plans = new PlanCache();
  // Row locks of repeatable-read transactions served by this node and its session processes.
  private readonly rowLocks: RowLocks;

  private nextBarrier: Promise<void> | null = null;
  private lsnWaiters: { readonly index: bigint; readonly resolve: () => void }[] = [];

  constructor(
    private readonly applied: AppliedState,
    private readonly proposer: Proposer,
    private readonly options: SequencerOptions,
  ) {
    this.pending = new PendingBatches(applied);
    this.nowMs = options.nowMs ?? Date.now;
    this.conflicts = new ConflictWindow((id, version) => applied.tableVersion(id, version), conflictWindowEntriesMax, conflictWindowKeysMax);
    this.rowLocks = new RowLocks({ waitMs: options.lockWaitMs ?? lockWaitMsDefault, leaseMs: txAgeMsMax, nowMs: this.nowMs });
  }

  // The apply loop calls this after each apply, before any waiter wakes.
  onApplied(appliedIndex: bigint): void {
    this.pending.release(appliedIndex);
    if (this.lsnWaiters.length > 0) {
      const ready = this.lsnWaiters.filter((waiter) => waiter.index <= appliedIndex);
      this.lsnWaiters = this.lsnWaiters.filter((waiter) => waiter.index > appliedIndex);
      for (const waiter of ready) waiter.resolve();
    }
  }

  // Resolves once this node has applied the entry of `lsn`; rejects after lsnWaitMsMax.
  private waitForLsn(lsn: bigint): Promise<void> {
    const index = indexOfLsn(lsn);
    if (index <= this.applied.appliedIndex()) return Promise.resolve();
    const waitMs = this.options.lsnWaitMs ?? lsnWaitMsMax;
    return new Promise((resolve, reject) => {
      const waiter = {
        index,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.lsnWaiters = this.lsnWaiters.filter((other) => other !== waiter);
        reject(new TideError('LSN_NOT_REACHED', `this node has not applied lsn ${lsn} within ${waitMs} ms (it is at ${lsnOf(this.applied.appliedIndex(), 0)}); retry, or ask another node`));
      }, waitMs);
      this.lsnWaiters.push(waiter);
    });
  }

  // Raft calls this when the node's term or role changed (its waiters failed with
  // OUTCOME_UNKNOWN): the pending batches may never apply, so nothing may build on them.
  onLeadershipChange(): void {
    this.pending.dropAll();
    this.conflicts.reset();
    this.rowLocks.clear();
  }

  // Locks rows for a repeatable-read transaction's statement on the leader (row-locks.ts, the
  // caller as for commitTransaction): resolves to true when they are as the statement read them
  // at `readIndex` (it waited for none, and no entry since wrote one), false when it must read
  // them again, holding them now. Keys are row keys as latin1 text; a wait for one lasts at most
  // `waitMs` (the node's bound unless given).
  async lockRows(owner: string, keys: readonly string[], readIndex: bigint, waitMs?: number): Promise<boolean> {
    const waited = await this.rowLocks.acquire(owner, keys, waitMs);
    this.conflicts.settle(this.applied.appliedIndex());
    return !waited && !this.conflicts.wroteSince(readIndex, keys);
  }

  unlockRows(owner: string): void {
    this.rowLocks.release(owner);
  }

  rowLocksStatus(): RowLocksStatus {
    return this.rowLocks.status();
  }

  // Releases the row locks of the transactions of a session process that exited.
  unlockRowsOfProcess(pid: number): void {
    this.rowLocks.releaseProcess(pid);
  }

  // Commits an interactive transaction (transaction.ts) on the leader: validates that nothing
  // it read or wrote changed since its snapshot, then proposes its buffered row changes as one
  // entry, in its write turn like any write. Resolves to the entry's index once applied here;
  // TX_CONFLICT (nothing written) when validation fails. The caller must be the leader, ready
  // (its term's first entry applied), as the request router ensures.
  commitTransaction(request: CommitRequest): Promise<bigint> {
    const proposed = this.writeTurn.take(() => this.proposeTransaction(request));
    return proposed.then(async ({ index, applied }) => {
      assert(index !== null && applied !== null);
      await applied;
      return index;
    });
  }

  private proposeTransaction({ snapshotIndex, changes, reads, currentReads }: CommitRequest): Proposal {
    this.conflicts.settle(this.applied.appliedIndex());
    const written = writeSetOf(changes, [], (id, version) => this.applied.tableVersion(id, version));
    const writtenTableIds = new Set(changes.flatMap((change) => (change.kind === 'row' ? [change.tableId] : [])));
    this.conflicts.validate({ snapshotIndex, reads, writtenRowKeys: written.rowKeys, writtenTableIds, currentReads });
    const view = new OverlayView(this.pending.tip());
    this.pending.beginExecuting(view);
    let batch: Buffer;
    try {
      replayRowChanges(view, changes, liveTablesById(view), { checkBefore: true });
      batch = this.admitAndEncode(view.changes(), {});
    } catch (error) {
      this.pending.endExecuting(view);
      throw error;
    }
    return this.propose({ results: [], batch }, view, [...reads.lockedRowKeys, ...currentReads.flatMap((group) => [...group.reads.lockedRowKeys])]);
  }

  // Reserves `count` auto-increment ids of a table for an interactive transaction, through the
  // log: the table's counter moves past them in an entry of their own, so no other write ever
  // generates them, and a transaction that rolls back leaves a gap, as in MySQL. The first id is
  // at least `floor` (ids a transaction set by hand are then behind the counter). Resolves to
  // the first id once the entry is applied here.
  reserveAutoIncrement(tableId: number, count: bigint, floor: bigint): Promise<bigint> {
    let first = 0n;
    const proposed = this.writeTurn.take(() => {
      const view = new OverlayView(this.pending.tip());
      this.pending.beginExecuting(view);
      let batch: Buffer;
      try {
        const table = liveTablesById(view).get(tableId);
        if (table === undefined) throw new TideError('TABLE_NOT_FOUND', `table ${tableId} does not exist`);
        const next = view.autoIncrementNext(tableId);
        first = next > floor ? next : floor;
        view.setAutoIncrementNext(tableId, first + count);
        batch = encodeBatch({ proposedAtMs: this.nowMs(), changes: view.changes() });
      } catch (error) {
        this.pending.endExecuting(view);
        throw error;
      }
      return this.propose({ results: [], batch }, view);
    });
    return proposed.then(async ({ applied }) => {
      await applied;
      return first;
    });
  }

  // The Kafka backlog and schema checks, the size bounds, and the encoding of a batch.
  private admitAndEncode(changes: readonly BatchChange[], options: RunOptions): Buffer {
    this.admitChanges(changes, options);
    return checkBatchBytes(encodeBatch({ proposedAtMs: this.nowMs(), changes }));
  }

  private admitChanges(changes: readonly BatchChange[], options: RunOptions): void {
    this.options.admitWrite?.(changes, options);
    // Each change the changelog records takes one lsn of the entry.
    if (changes.filter(makesChangelogRecord).length > changesPerBatchMax) {
      throw new TideError('BATCH_TOO_LARGE', `a transaction changes at most ${changesPerBatchMax} rows`);
    }
  }

  // `stale`: reads answer from this node's applied state at once, without a read barrier.
  // The result columns a statement would answer, planned over applied state (describe-statement.ts).
  describe(sql: string, options: { readonly database?: string; readonly principal?: Principal } = {}): Promise<StatementShape | null> {
    return describeStatement(sql, new OverlayView(this.applied), options.database ?? this.options.defaultDatabase, options.principal);
  }

  async run(statements: readonly Statement[], options: RunOptions = {}): Promise<TransactionResult> {
    if (options.minLsn !== undefined) {
      await this.waitForLsn(options.minLsn);
      // Everything the request asked for but the wait, which is done.
      const { minLsn: _waited, ...rest } = options;
      options = { ...rest, stale: true };
    }
    statements.forEach((statement, at) => withIndex(at, statements.length, () => checkParamCount(statement)));
    const texts = parseTexts(statements.map((statement) => statement.sql));
    if (!(texts instanceof Promise)) return this.runParsed(statements, texts, options);
    const parsed = await texts;
    // Reading the worker's answer took this turn's time (a big tree is tens of milliseconds
    // of JSON): execution starts in a turn of its own.
    await nextTurn();
    return this.runParsed(statements, parsed, options);
  }

  private runParsed(statements: readonly Statement[], texts: readonly ParsedText[], options: RunOptions): Promise<TransactionResult> {
    const barrier = (): Promise<void> => (options.stale === true ? Promise.resolve() : this.readBarrier());
    const parsed = texts.map((text, at) => withIndex(at, statements.length, () => oneStatement(text)));
    // One SELECT reads applied state. Several must all see one state while they yield between
    // rows, which is what a write transaction's overlay on the pending batches gives: they run
    // as a transaction that changes nothing, and answer once what they read is applied.
    if (statements.length === 1 && (parsed[0]!['type'] === 'select' || parsed[0]!['type'] === 'explain')) {
      return barrier().then(() => this.readAtOnce(statements[0]!, parsed[0]!, options) ?? this.runReadOnly(statements[0]!, parsed[0]!, options));
    }
    // Write transactions take turns: each executes over the state its predecessors left and
    // proposes its batch before the next begins, so batches enter the log in execution order.
    // A small one runs to its proposal without yielding; a big one gives the loop back
    // between rows, holding the turn meanwhile.
    const proposed = this.writeTurn.take(() => this.executeWrite(statements, parsed, options));
    return proposed.then(async ({ results, index, applied }) => {
      if (index === null) {
        await barrier();
        return { results, lsn: await this.lsnOfPendingReads() };
      }
      await applied;
      return { results, lsn: lsnOf(index, 0) };
    });
  }

  // A point get or index lookup by a kept plan answers at once over applied state, without the
  // view, slices and generators of runReadOnly, which cost more than the reads themselves
  // (execute-statements.ts, keptDirectRead); null when the statement is not one, or an apply is
  // running in slices.
  private readAtOnce(statement: Statement, parsed: AstNode, options: RunOptions): TransactionResult | null {
    if (this.applied.applying() !== null) return null;
    const plans = { cache: this.plans, epoch: this.applied.catalogEpoch() };
    const result = keptDirectRead(statement, parsed, this.applied, { database: options.database ?? this.options.defaultDatabase, principal: options.principal, plans });
    return result === null ? null : { results: [result], lsn: lsnOf(this.applied.appliedIndex(), 0) };
  }

  // A single SELECT reads applied state only, so what it returns is committed; it reads one
  // snapshot (an LMDB range read is one), so it may yield between rows.
  private async runReadOnly(statement: Statement, parsed: AstNode, options: RunOptions): Promise<TransactionResult> {
    for (let applying = this.applied.applying(); applying !== null; applying = this.applied.applying()) await applying.catch(() => undefined);
    const lsn = lsnOf(this.applied.appliedIndex(), 0);
    const view = new OverlayView(this.applied);
    // Its catalog is the applied one: its plan can be kept for the next run (sql/plan-cache.ts).
    const plans = { cache: this.plans, epoch: this.applied.catalogEpoch() };
    const results = await runSliced(this.executeAll([statement], [parsed], view, options, plans), new TimeSlice(this.options.sliceMsMax, true));
    return { results, lsn };
  }

  private *executeAll(statements: readonly Statement[], parsed: readonly AstNode[], view: OverlayView, options: RunOptions, plans?: ExecutionContext['plans']): Steps<StatementResult[]> {
    // `USE db` moves it for the statements after it in this request (a request is the session).
    const { results } = yield* executeStatements(statements, parsed, view, { database: options.database ?? this.options.defaultDatabase, nowMs: this.nowMs, principal: options.principal, lastInsertId: options.lastInsertId ?? null, ...(plans === undefined ? {} : { plans }) });
    return results;
  }

  private executeWrite(statements: readonly Statement[], parsed: readonly AstNode[], options: RunOptions): Proposal | Promise<Proposal> {
    const view = new OverlayView(this.pending.tip());
    this.pending.beginExecuting(view);
    const failed = (error: unknown): never => {
      this.pending.endExecuting(view);
      throw error;
    };
    let outcome: Executed | Promise<Executed>;
    try {
      outcome = runSliced(this.executeAndEncode(statements, parsed, view, options, this.writePlans(parsed)), new TimeSlice(this.options.sliceMsMax));
    } catch (error) {
      return failed(error);
    }
    return outcome instanceof Promise ? outcome.then((executed) => this.propose(executed, view), failed) : this.propose(outcome, view);
  }

  // A write's plan may be kept (sql/plan-cache.ts) when the catalog it plans over is the applied
  // one: no pending batch changes the catalog, and it is the request's only statement (an
  // earlier one could have). Nothing that changes the catalog is proposed or applied while it
  // executes: it holds the write turn.
  private writePlans(parsed: readonly AstNode[]): ExecutionContext['plans'] {
    if (parsed.length !== 1 || !keepsPlan(parsed[0]!) || this.pending.changesCatalog()) return undefined;
    return { cache: this.plans, epoch: this.applied.catalogEpoch() };
  }

  private *executeAndEncode(statements: readonly Statement[], parsed: readonly AstNode[], view: OverlayView, options: RunOptions, plans?: ExecutionContext['plans']): Steps<Executed> {
    const results = yield* this.executeAll(statements, parsed, view, options, plans);
    const changes = view.changes();
    if (changes.length === 0) return { results, batch: null };
    this.admitChanges(changes, options);
    const batch = yield* encodeBatchSteps({ proposedAtMs: this.nowMs(), changes });
    checkBatchBytes(batch);
    return { results, batch };
  }

  // Ends the turn of a write transaction: proposes its batch, or nothing if it changed nothing.
  private propose({ results, batch }: Executed, view: OverlayView, locked: readonly string[] = []): Proposal {
    if (!this.pending.endExecuting(view)) {
      // Nothing was proposed, so a retry cannot write twice.
      throw new TideError('NOT_LEADER', 'leadership changed while the transaction executed; nothing was written');
    }
    if (batch === null) return { results, index: null, applied: null };
    const { index, applied } = this.proposer.propose(batch);
    this.pending.add(index, view);
    this.conflicts.record(index, view.changes(), locked);
    return { results, index, applied };
  }

  // A read is linearizable once this node has applied through a read index asked for after the
  // read began: the leader's commit index at a moment a quorum confirmed it still led, so every
  // write acknowledged before the read is in what it reads. Reads that arrive before the next
  // ReadIndex is asked share it: one heartbeat round for many reads, as etcd's read loop does.
  private readBarrier(): Promise<void> {
    if (this.options.linearizableReads !== true) return Promise.resolve();
    this.nextBarrier ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.nextBarrier = null;
        this.proposer.readIndex().then(() => resolve(), reject);
      });
    });
    return this.nextBarrier;
  }

  // The lsn of a write transaction that changed nothing. Its reads saw pending batches: answer
  // only once those are applied, so that what it returned is durable and a client reading at
  // this lsn elsewhere sees the same.
  private async lsnOfPendingReads(): Promise<bigint> {
    const newest = this.pending.newestIndex();
    if (newest !== null) await this.proposer.waitApplied(newest);
    return lsnOf(newest ?? this.applied.appliedIndex(), 0);
  }

}

function checkBatchBytes(batch: Buffer): Buffer {
  if (batch.length > batchBytesMax) throw new TideError('BATCH_TOO_LARGE', `a transaction's changes are at most ${batchBytesMax} bytes, these are ${batch.length}`);
  return batch;
}

export function checkParamCount(statement: Statement): void {
  if (statement.params.length > paramsPerStatementMax) {
    throw new TideError('PARAMS_TOO_MANY', `a statement has at most ${paramsPerStatementMax} parameters; ${statement.params.length} were given`);
  }
}

