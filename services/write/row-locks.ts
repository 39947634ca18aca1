// Row locks of repeatable-read transactions, kept by the leader: a transaction's writing
// statement (and SELECT … FOR UPDATE) locks the rows it wrote (read) before it counts, and a
// second transaction that wants one of them waits until the first ends, as InnoDB's row locks
// make it wait, instead of both running on and one conflicting at commit. They are a way to
// wait, never what keeps data safe: the leader's validation at commit (conflict-window.ts)
// decides every commit as before, so locks lost with a leader, never taken (autocommit writes,
// a follower's transactions) or dropped with an owner's lease change only how often a
// transaction conflicts.
//
// A transaction waits for one row at a time, so who waits for whom is a chain: a request that
// would close a cycle is a deadlock, refused at once (MySQL's 1213: the transaction rolls back,
// its client runs it again). A wait past the bound fails the statement (MySQL's 1205).
import { TideError } from '../base/errors.js';

interface Waiter {
  readonly owner: string;
  readonly granted: () => void;
  readonly refused: (error: TideError) => void;
  readonly timer: NodeJS.Timeout;
}

export interface RowLocksStatus {
  readonly held: number;
  readonly waiting: number;
  readonly deadlocks: number;
  readonly lock_wait_timeouts: number;
}

export interface RowLocksOptions {
  // How long a request waits for a row before it fails with LOCK_WAIT_TIMEOUT.
  readonly waitMs: number;
  // An owner that asked nothing for this long is gone (an unlock lost on the way, say): a new
  // request for one of its rows releases them all (those already waiting time out as before).
  // A transaction never lives longer (txAgeMsMax).
  readonly leaseMs: number;
  readonly nowMs?: () => number;
}

export class RowLocks {
  // Row key (latin1 text of its bytes) → the owner holding it.
  private readonly holders = new Map<string, string>();
  // Owner → the rows it holds, and when its lease ends.
  private readonly owners = new Map<string, { readonly keys: Set<string>; expiresAtMs: number }>();
  // Row key → who waits for it, first come first served.
  private readonly queues = new Map<string, Waiter[]>();
  // Owner → the row it waits for now (whose holder it waits for).
  private readonly waitingFor = new Map<string, string>();
  private readonly nowMs: () => number;
  // Since the node started: waits refused as deadlocks, and waits that ran past their bound.
  private deadlocks = 0;
  private timeouts = 0;

  constructor(private readonly options: RowLocksOptions) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  // Resolves once `owner` holds every key: to true when it had to wait for one (the rows may
  // have changed since its statement read them), false when all were free or its own. A wait
  // for a row lasts at most `waitMs` (the table's bound unless given).
  async acquire(owner: string, keys: Iterable<string>, waitMs = this.options.waitMs): Promise<boolean> {
    const held = this.ownerOf(owner);
    let waited = false;
    // In one order for everyone: two statements that lock the same rows cannot deadlock.
    for (const key of [...keys].sort()) {
      // Released while it waited (its transaction ended, its process exited): what it was
      // granted went with it, and it takes nothing more.
      if (this.owners.get(owner) !== held) throw new TideError('TX_NOT_FOUND', 'the transaction ended while it waited for a row lock');
      held.expiresAtMs = this.nowMs() + this.options.leaseMs;
      const holder = this.holders.get(key);
      if (holder === owner) continue;
      if (holder === undefined || this.expired(holder)) {
        if (holder !== undefined) this.release(holder);
        if (!this.holders.has(key)) {
          this.take(owner, key);
          continue;
        }
      }
      waited = true;
      await this.waitFor(owner, key, waitMs);
    }
    return waited;
  }

  // Releases every row `owner` holds, each to the first of those waiting for it, and refuses a
  // wait of its own still pending (its transaction ended meanwhile).
  release(owner: string): void {
    const held = this.owners.get(owner);
    this.owners.delete(owner);
    const awaited = this.waitingFor.get(owner);
    const waiter = awaited === undefined ? undefined : this.dequeue(awaited, (candidate) => candidate.owner === owner);
    if (waiter !== undefined) {
      clearTimeout(waiter.timer);
      waiter.refused(new TideError('TX_NOT_FOUND', 'the transaction ended while it waited for a row lock'));
    }
    for (const key of held?.keys ?? []) {
      this.holders.delete(key);
      this.handOff(key);
    }
  }

  // Releases every owner of the process `pid` (named by lockOwnerName).
  releaseProcess(pid: number): void {
    const prefix = lockOwnerName(pid, '');
    for (const owner of [...this.owners.keys()]) if (owner.startsWith(prefix)) this.release(owner);
  }

  // Every lock and wait goes (a new leader knows none of them): waiters are let through.
  clear(): void {
    const queues = [...this.queues.values()];
    this.holders.clear();
    this.owners.clear();
    this.queues.clear();
    this.waitingFor.clear();
    for (const waiter of queues.flat()) {
      clearTimeout(waiter.timer);
      waiter.granted();
    }
  }

  // For GET /v1/status: rows held and waits under way now, deadlocks and timeouts so far.
  status(): RowLocksStatus {
    let waiting = 0;
    for (const queue of this.queues.values()) waiting += queue.length;
    return { held: this.holders.size, waiting, deadlocks: this.deadlocks, lock_wait_timeouts: this.timeouts };
  }

  private ownerOf(owner: string): { readonly keys: Set<string>; expiresAtMs: number } {
    let held = this.owners.get(owner);
    if (held === undefined) this.owners.set(owner, (held = { keys: new Set(), expiresAtMs: 0 }));
    return held;
  }

  private expired(owner: string): boolean {
    return (this.owners.get(owner)?.expiresAtMs ?? 0) <= this.nowMs() && !this.waitingFor.has(owner);
  }

  private take(owner: string, key: string): void {
    this.holders.set(key, owner);
    this.ownerOf(owner).keys.add(key);
  }

  private waitFor(owner: string, key: string, waitMs: number): Promise<void> {
    const holder = this.holders.get(key)!;
    if (this.waitsOn(holder, owner)) {
      this.deadlocks++;
      throw deadlock();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        owner,
        granted: () => {
          this.waitingFor.delete(owner);
          resolve();
        },
        refused: (error) => {
          this.waitingFor.delete(owner);
          reject(error);
        },
        timer: setTimeout(() => {
          this.dequeue(key, (candidate) => candidate === waiter);
          this.timeouts++;
          waiter.refused(new TideError('LOCK_WAIT_TIMEOUT', `waited ${waitMs} ms for a row another transaction holds; the statement was undone, the transaction stays open`));
        }, Math.min(waitMs, timerMsMax)),
      };
      waiter.timer.unref();
      let queue = this.queues.get(key);
      if (queue === undefined) this.queues.set(key, (queue = []));
      queue.push(waiter);
      this.waitingFor.set(owner, key);
    });
  }

  // Takes the first waiter for `key` that `which` picks out of its queue.
  private dequeue(key: string, which: (waiter: Waiter) => boolean): Waiter | undefined {
    const queue = this.queues.get(key);
    const at = queue?.findIndex(which) ?? -1;
    if (at < 0) return undefined;
    const [waiter] = queue!.splice(at, 1);
    if (queue!.length === 0) this.queues.delete(key);
    return waiter;
  }

  // The row goes to the first waiter; the others now wait for it. The new holder waits for
  // nothing (it was granted), so no cycle closes here: one it would close by waiting later is
  // refused then, in waitFor.
  private handOff(key: string): void {
    const next = this.dequeue(key, () => true);
    if (next === undefined) return;
    clearTimeout(next.timer);
    this.take(next.owner, key);
    next.granted();
  }

  // Whether `from` waits, through the chain of the holders of the rows each waits for, for
  // `target` (or is it).
  private waitsOn(from: string, target: string): boolean {
    const seen = new Set<string>();
    for (let at: string | undefined = from; at !== undefined && !seen.has(at); at = this.holderAwaitedBy(at)) {
      if (at === target) return true;
      seen.add(at);
    }
    return false;
  }

  private holderAwaitedBy(owner: string): string | undefined {
    const key = this.waitingFor.get(owner);
    return key === undefined ? undefined : this.holders.get(key);
  }
}

// The name of a transaction's lock owner: its process's pid, so that the locks of a session
// process that exits can be released (releaseProcess), and a serial within the process.
export function lockOwnerName(pid: number, serial: number | string): string {
  return `${pid}/${serial}`;
}

// The longest delay a Node timer takes (2^31 - 1 ms, about 24.8 days): a longer one would fire
// at once. MySQL's innodb_lock_wait_timeout reaches 2^30 s.
const timerMsMax = 2 ** 31 - 1;

function deadlock(): TideError {
  return new TideError('TX_CONFLICT', 'deadlock: the transaction waited for a row held by a transaction that waits for one of its own; it was rolled back, run it again', { transaction_rolled_back: true });
}
