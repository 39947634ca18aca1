// One interactive transaction on the node that serves it: a snapshot (an LMDB read
// transaction at an applied index, with the catalog of that index), a read set recorded under
// its own writes, and its buffered row changes, as an overlay view over the snapshot. Each
// statement executes over an overlay of its own on top of the transaction's and is merged into
// it only when it succeeds, so a failed statement changes nothing, as in MySQL. Savepoints are
// positions in the list of changes: rolling back to one rebuilds the overlay from the changes
// before it. At repeatable-read a writing statement reads the newest applied state instead of
// the snapshot, under the same own writes (a current read, as InnoDB's), and what it reads there
// is validated from that state's index. Nothing here is replicated until commit (transactions.ts
// sends the changes and the read sets to the leader).
import { TideError } from '../base/errors.js';
import { runSliced, TimeSlice } from '../base/time-slice.js';
import type { StatementResult } from '../sql/executor.js';
import { OverlayView } from '../sql/overlay-view.js';
import { keepsPlan, PlanCache } from '../sql/plan-cache.js';
import type { AstNode } from '../sql/parser.js';
import type { ReadView } from '../sql/read-view.js';
import { encodeRowKey } from '../storage/key-codec.js';
import type { StoreReadView } from '../storage/store.js';
import type { BatchChange, TableDef } from '../storage/types.js';
import { executeStatements, keptDirectRead } from './execute-statements.js';
import type { ExecutionContext } from './execute-statements.js';
import type { Statement } from './execute-statements.js';
import type { Isolation } from './isolation.js';
import { absorbCurrentReads, ReadSet, TrackingView } from './read-set.js';
import type { CurrentReads } from './read-set.js';
import { liveTablesById, replayRowChanges } from './replay-changes.js';

// Ids reserved for this transaction from a table's counter: [next, end).
interface IdLease {
  next: bigint;
  readonly end: bigint;
}

// Reserves `count` consecutive ids of a table, the first at least `floor`, from those the node
// holds reserved through the log (id-blocks.ts); resolves to the first.
export type ReserveIds = (tableId: number, count: bigint, floor: bigint) => Promise<bigint>;

// A view of the node's newest applied state, for a current read; null when that is no newer
// than `since`.
export type OpenCurrentView = (since: bigint) => Promise<StoreReadView | null>;

// Row locks of the transaction's repeatable-read statements (row-locks.ts, on the leader): lock
// resolves once it holds the rows, to whether they are as the statement read them at
// `readIndex`; unlock releases all it holds.
export interface RowLocking {
  lock(keys: readonly string[], readIndex: bigint): Promise<boolean>;
  unlock(): void;
}

// The newest state a repeatable-read transaction's writing statement reads while it runs (a
// view opened for it is released after: between statements a transaction pins only its
// snapshot), and where what it reads there is recorded.
interface CurrentLayer {
  // Opened for the statement, or the snapshot itself.
  readonly view: StoreReadView;
  readonly tracking: TrackingView;
  // The statement's own: kept only if the statement counts (not when it runs again after
  // waiting for a lock: that run's reads were of a state it did not use).
  readonly reads: CurrentReads;
}

// At most this many read sets of current reads a transaction keeps: past them two become one,
// of the older index (absorbCurrentReads, Transaction.keep). That is only stricter, and keeps
// the commit's read sets, and the leader's check of them, bounded.
const currentReadsMax = 16;

// How far apart the indexes of read sets `at` and `at + 1` are.
function gap(reads: readonly CurrentReads[], at: number): bigint {
  return reads[at + 1]!.index - reads[at]!.index;
}

// How many times a statement runs again because a row it locked was not as it read it.
const lockRunsMax = 4;

export class Transaction {
  readonly reads = new ReadSet();
  private readonly tracking: TrackingView;
  private overlay: OverlayView;
  // Repeatable-read: the reads of writing statements that read newer states than the snapshot
  // (oldest first), and the keys of every row the transaction wrote, so that a current read
  // claims only the rows it first wrote (read-set.ts).
  readonly currentReads: CurrentReads[] = [];
  private readonly writtenKeys = new Set<string>();
  // Set once the node's catalog moved since the snapshot: the transaction's tables and the
  // plans kept for it are the snapshot's, so its statements stay on it.
  private catalogMoved = false;
  // Whether it asked the leader for row locks, and whether it gave them up for good.
  private holdsLocks = false;
  private locksReleased = false;
  private readonly changeList: BatchChange[] = [];
  private readonly savepoints: { readonly name: string; readonly changeCount: number }[] = [];
  private readonly leases = new Map<number, IdLease>();
  private open = true;
  // LAST_INSERT_ID() for its next statement: the first id the latest INSERT in it that generated
  // one generated (its statements arrive in several requests).
  private lastInsertId: bigint | null = null;
  // The snapshot's live tables, by id, looked up untracked: replaying its own changes reads no
  // table the transaction did not use.
  private tablesById: ReadonlyMap<number, TableDef> | null = null;

  constructor(
    readonly snapshot: StoreReadView,
    private readonly reserveIds: ReserveIds,
    private readonly openCurrentView: OpenCurrentView,
    private readonly locks: RowLocking,
    private readonly changesMax: number,
    private readonly nowMs: () => number,
    readonly isolation: Isolation = 'serializable',
    // Where its statements' plans are kept between runs (shared by the node's transactions).
    private readonly plans: PlanCache = new PlanCache(),
  ) {
    this.tracking = new TrackingView(this.leased(snapshot), this.reads);
    this.overlay = new OverlayView(this.tracking);
  }

  // A view, except that a table's next auto-increment id is the next one this transaction
  // holds reserved: ids are generated only from reservations, never from a view's counter,
  // which other writers move on from.
  private leased(view: StoreReadView): ReadView {
    return { ...view, autoIncrementNext: (tableId) => this.leases.get(tableId)?.next ?? view.autoIncrementNext(tableId) };
  }

  private get tables(): ReadonlyMap<number, TableDef> {
    return (this.tablesById ??= liveTablesById(this.snapshot));
  }

  get snapshotIndex(): bigint {
    return this.snapshot.appliedIndex;
  }

  changes(): readonly BatchChange[] {
    return this.changeList;
  }

  // Runs one parsed statement; resolves to its result and the database after it (USE).
  async run(statement: Statement, parsed: AstNode, context: Omit<ExecutionContext, 'nowMs'>): Promise<{ result: StatementResult; database: string }> {
    const locking = isLockingRead(parsed);
    const validated = this.isolation === 'serializable' || locking || !isPlainRead(parsed);
    // A point get or index lookup by a kept plan reads at once through the transaction's own
    // writes, as its general run would read (and record) it.
    const atOnce = locking || (this.isolation === 'repeatable-read' && validated) ? null : this.readAtOnce(statement, parsed, context, validated);
    if (atOnce !== null) return { result: atOnce, database: context.database };
    let reserveRuns = 0;
    let lockRuns = 0;
    for (;;) {
      // At repeatable-read a writing statement or a locking read reads the newest applied state
      // under the transaction's own writes (isolation.ts); anything else reads the snapshot.
      const current = this.isolation === 'repeatable-read' && validated ? await this.currentLayer() : null;
      const tracking = current?.tracking ?? this.tracking;
      this.overlay.base = tracking;
      const view = new OverlayView(this.overlay);
      tracking.locking = locking;
      // At repeatable-read a plain SELECT's reads are not validated (isolation.ts).
      tracking.recording = validated;
      const lockedBefore = tracking.reads.lockedRowKeys.size;
      let outcome: { results: StatementResult[]; database: string; lastInsertId: bigint | null };
      let short: ReturnType<Transaction['idsShort']>;
      try {
        outcome = await runSliced(executeStatements([statement], [parsed], view, { ...context, nowMs: this.nowMs, lastInsertId: this.lastInsertId, ...this.plansFor(parsed) }), new TimeSlice(undefined, true));
        if (!this.open) throw new TideError('TX_NOT_FOUND', 'the transaction ended while the statement ran');
        short = this.idsShort(view.changes(), reserveRuns, current?.view ?? this.snapshot);
      } catch (error) {
        this.keep(current);
        throw error;
      } finally {
        tracking.locking = false;
        tracking.recording = true;
        this.overlay.base = this.tracking;
        if (current !== null && current.view !== this.snapshot) current.view.done();
      }
      if (short.length > 0) {
        // A statement that generates ids past what the transaction holds reserved is run again
        // once more are: its first run only measured how many it takes.
        if (++reserveRuns >= reserveAttemptsMax) throw new TideError('INTERNAL', 'the statement kept needing more auto-increment ids than were reserved');
        for (const need of short) {
          const first = await this.reserveIds(need.tableId, need.used, need.floor);
          this.leases.set(need.tableId, { next: first, end: first + need.used });
        }
        continue;
      }
      // The keys of the rows it wrote, at repeatable-read: they are locked, and claimed by its
      // current read (merge).
      const writtenKeys = this.isolation === 'repeatable-read' ? this.rowKeysOf(view.changes()) : [];
      // At repeatable-read the rows it wrote or read FOR UPDATE are locked before it counts. If
      // it waited for one, or a commit wrote one since it read it, it runs again on the newer
      // state, holding them (a few times at most: then it counts as it ran, and the commit's
      // validation decides).
      if (current !== null) {
        const keys = [...writtenKeys, ...[...tracking.reads.lockedRowKeys].slice(lockedBefore)];
        // Being rolled back (releaseLocks ran): it takes no lock again.
        if (keys.length > 0 && this.locksReleased) throw new TideError('TX_NOT_FOUND', 'the transaction was rolled back while the statement ran');
        if (keys.length > 0) this.holdsLocks = true;
        const fresh = keys.length === 0 || (await this.locks.lock(keys, current.reads.index));
        if (!this.open) throw new TideError('TX_NOT_FOUND', 'the transaction ended while the statement waited for a row lock');
        if (!fresh && ++lockRuns < lockRunsMax) continue;
      }
      this.keep(current);
      this.merge(view.changes(), writtenKeys, current?.reads ?? null);
      this.lastInsertId = outcome.lastInsertId;
      return { result: outcome.results[0]!, database: outcome.database };
    }
  }

  private readAtOnce(statement: Statement, parsed: AstNode, context: Omit<ExecutionContext, 'nowMs'>, validated: boolean): StatementResult | null {
    const { plans } = this.plansFor(parsed);
    if (plans === undefined) return null;
    this.tracking.recording = validated;
    try {
      return keptDirectRead(statement, parsed, this.overlay, { ...context, plans });
    } finally {
      this.tracking.recording = true;
    }
  }

  // What a current read reads: the node's newest applied state (the snapshot's own view when
  // nothing newer is applied), or null once the catalog moved since the snapshot. Its reads go
  // to a read set of its own.
  private async currentLayer(): Promise<CurrentLayer | null> {
    if (this.catalogMoved) return null;
    const newer = await this.openCurrentView(this.snapshot.appliedIndex);
    if (!this.open) {
      newer?.done();
      throw new TideError('TX_NOT_FOUND', 'the transaction ended while the statement waited');
    }
    if (newer !== null && newer.catalogEpoch !== this.snapshot.catalogEpoch) {
      newer.done();
      this.catalogMoved = true;
      return null;
    }
    const view = newer ?? this.snapshot;
    const reads: CurrentReads = { index: view.appliedIndex, reads: new ReadSet(), writtenRowKeys: new Set() };
    return { view, tracking: new TrackingView(this.leased(view), reads.reads), reads };
  }

  // A statement that counts, or failed as it ran (what it read may have decided what its
  // client does next), keeps its reads.
  private keep(current: CurrentLayer | null): void {
    if (current === null) return;
    this.currentReads.push(current.reads);
    if (this.currentReads.length <= currentReadsMax) return;
    // Two neighbours merge, validated from the older one's index: without loss when the two are
    // equal (no commit applied between their statements), only stricter otherwise. The nearest
    // pair merges, so that a statement's reads are checked against writes it already saw only
    // when every pair is apart (merging the newest into the oldest checked them against the
    // very commit a statement had waited for and built on, and the retry failed alike).
    let nearest = 0;
    for (let at = 1; at + 1 < this.currentReads.length; at++) {
      if (gap(this.currentReads, at) <= gap(this.currentReads, nearest)) nearest = at;
    }
    absorbCurrentReads(this.currentReads[nearest]!, this.currentReads.splice(nearest + 1, 1)[0]!);
  }

  // The keys of the rows the changes write, as latin1 text (tables not live in the snapshot
  // are left out: replaying their changes fails the statement).
  private rowKeysOf(changes: readonly BatchChange[]): string[] {
    const keys: string[] = [];
    for (const change of changes) {
      if (change.kind !== 'row') continue;
      const table = this.tables.get(change.tableId);
      if (table !== undefined) keys.push(encodeRowKey(table, (change.after ?? change.before)!).toString('latin1'));
    }
    return keys;
  }

  // A SELECT's or a DML statement's plan may be kept and reused: each plans over the snapshot's
  // catalog (a current read's view is used only while its catalog epoch is the snapshot's), the
  // applied one of its epoch, and the transaction's own changes never touch the catalog (a DDL
  // commits it first).
  private plansFor(parsed: AstNode): Pick<ExecutionContext, 'plans'> {
    return keepsPlan(parsed) ? { plans: { cache: this.plans, epoch: this.snapshot.catalogEpoch } } : {};
  }

  savepoint(name: string): void {
    this.release(name, false);
    this.savepoints.push({ name: name.toLowerCase(), changeCount: this.changeList.length });
  }

  // ROLLBACK TO SAVEPOINT: the changes since it are undone; it stays, later ones go.
  rollbackTo(name: string): void {
    const at = this.savepointAt(name);
    const { changeCount } = this.savepoints[at]!;
    this.savepoints.length = at + 1;
    this.changeList.length = changeCount;
    this.overlay = new OverlayView(this.tracking);
    replayRowChanges(this.overlay, this.changeList, this.tables, { checkBefore: false });
  }

  // RELEASE SAVEPOINT (and SAVEPOINT of a name in use, which replaces it): it and later ones go.
  release(name: string, mustExist = true): void {
    const at = this.savepoints.findIndex((savepoint) => savepoint.name === name.toLowerCase());
    if (at < 0) {
      if (mustExist) this.savepointAt(name);
      return;
    }
    this.savepoints.length = at;
  }

  // Ends it: the snapshot's read transaction is released. Idempotent.
  end(): void {
    if (!this.open) return;
    this.open = false;
    this.snapshot.done();
    this.releaseLocks();
  }

  // Releases its row locks for good, as it is being rolled back: a wait for one under way
  // fails, and a statement still running takes none again. Only a transaction that asked for
  // locks has any (a session process's release is a message to the main process).
  releaseLocks(): void {
    this.locksReleased = true;
    if (!this.holdsLocks) return;
    this.holdsLocks = false;
    this.locks.unlock();
  }

  get ended(): boolean {
    return !this.open;
  }

  private savepointAt(name: string): number {
    const at = this.savepoints.findIndex((savepoint) => savepoint.name === name.toLowerCase());
    if (at < 0) throw new TideError('SAVEPOINT_NOT_FOUND', `SAVEPOINT ${name} does not exist`);
    return at;
  }

  // Row changes join the transaction's; counter moves are dropped (the counter moved through
  // the log when the ids were reserved), after moving the leases on. `current`: the current
  // read the statement read, which claims the rows it is the first to write (`writtenKeys`, at
  // repeatable-read).
  private merge(changes: readonly BatchChange[], writtenKeys: readonly string[], current: CurrentReads | null): void {
    const rows = changes.filter((change) => change.kind === 'row');
    if (this.changeList.length + rows.length > this.changesMax) {
      throw new TideError('TX_TOO_LARGE', `a transaction changes at most ${this.changesMax} rows; this statement was undone, the transaction stays open`);
    }
    for (const change of changes) {
      if (change.kind === 'auto_increment') this.leases.get(change.tableId)!.next = change.next;
    }
    for (const key of writtenKeys) {
      if (this.writtenKeys.has(key)) continue;
      this.writtenKeys.add(key);
      current?.writtenRowKeys.add(key);
    }
    replayRowChanges(this.overlay, rows, this.tables, { checkBefore: false });
    this.changeList.push(...rows);
  }

  // The tables whose counter the statement moved past the ids this transaction holds reserved:
  // how many ids it took, and the least first id a new reservation must have.
  // `read`: the view the statement read, whose counter it took ids from where it holds none.
  private idsShort(changes: readonly BatchChange[], attempt: number, read: StoreReadView): { tableId: number; used: bigint; floor: bigint }[] {
    const moved = new Map<number, bigint>();
    for (const change of changes) if (change.kind === 'auto_increment') moved.set(change.tableId, change.next);
    const short: { tableId: number; used: bigint; floor: bigint }[] = [];
    for (const [tableId, next] of moved) {
      const lease = this.leases.get(tableId);
      if (lease !== undefined && next <= lease.end) continue;
      const from = lease?.next ?? read.autoIncrementNext(tableId);
      // A first run measured how many ids the statement takes: any reserved ids serve. Should
      // those fall short again (it set ids by hand past them), the next ones start past
      // everything it used.
      short.push({ tableId, used: next > from ? next - from : 1n, floor: attempt === 0 ? 0n : next });
    }
    return short;
  }
}

const reserveAttemptsMax = 4;

// A query that writes nothing: a SELECT (WITH … SELECT too, and set operations of SELECTs),
// SHOW, DESCRIBE or EXPLAIN. Everything else writes, and its reads are validated at every level.
function isPlainRead(parsed: AstNode): boolean {
  const type = parsed['type'];
  return type === 'select' || type === 'show' || type === 'desc' || type === 'explain';
}

// SELECT … FOR UPDATE (and FOR SHARE and LOCK IN SHARE MODE, which read as it does here).
// NOWAIT and SKIP LOCKED are refused: the lock would wait, or take rows it must skip, and a
// client that asked not to wait must not be kept waiting.
function isLockingRead(parsed: AstNode): boolean {
  const locking = parsed['locking_read'];
  if (typeof locking !== 'string' || locking.length === 0) return false;
  if (/\b(nowait|skip\s+locked)\b/i.test(locking)) throw new TideError('SQL_UNSUPPORTED', `${locking} is not supported yet: a locking read here waits for its rows (use FOR UPDATE, with innodb_lock_wait_timeout for how long)`);
  return true;
}
